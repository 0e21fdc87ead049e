"""Imaging review end to end on a phantom bitewing: ingest -> ONNX model -> findings per tooth ->
per-finding approvals (approve, edit, reject with reason) -> chart, report note, review events;
vendor JSON import with duplicate / conflict / no-tooth findings; SHADOW proposes nothing."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from approvals.chart_change import propose
from approvals.decisions import ApprovalError, decide, decide_batch
from core_schema.models import (
    AgentExecution,
    AgentIntervention,
    AIInferenceJob,
    AIPrediction,
    AIReviewEvent,
    ClinicalNote,
)
from core_schema.seed.demo import DEMO_TENANT_ID, UNIVERSAL_PATIENT_ID, UNIVERSAL_TENANT_ID, sid
from imaging import phantom, registry
from imaging.errors import ImagingError
from imaging.ingest import ingest
from imaging.service import start_review
from imaging.test_model import CLASSES, THRESHOLDS
from tests.workflows.conftest import current_chart

EXPECTED = {("16", "caries", ("M",)), ("16", "restoration", ("O",)), ("15", "restoration", ("O",)),
            ("46", "caries", ("D",)), ("45", "periapical_radiolucency", ())}


@pytest.fixture(scope="module")
def active_version(engine, model_file) -> str:
    from core_schema.directory import find_actor

    with engine.db.system_session() as s:
        dentist = find_actor(s, "dentist@demo.clinic")
    out = registry.register(engine.db, name="phantom-detector", version="1.0", runner="onnx", artifact=str(model_file),
                            classes=CLASSES, thresholds=THRESHOLDS, metrics={"phantom_f1": 1.0},
                            validated_on="2026-11-25", validation_summary_uri="evals://imaging/phantom")
    registry.deploy(engine.db, dentist, uuid.UUID(out["version_id"]))
    return out["version_id"]


def _found(out: dict) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(f["tooth"], f["label"], tuple(f["surfaces"])) for f in out["findings"] if f["approval_id"]}


def _by(out: dict, tooth: str, label: str) -> dict:
    return next(f for f in out["findings"] if f["tooth"] == tooth and f["label"] == label)


def test_registry_lists_versions_with_classes_metrics_and_deployment(engine, active_version, model_file) -> None:
    rows = {r["version_id"]: r for r in registry.list_versions(engine.db, DEMO_TENANT_ID)}
    row = rows[active_version]
    assert row["deployment"] == "ACTIVE" and row["runner"] == "onnx" and row["classes"] == CLASSES
    assert row["performance_metrics"] == {"phantom_f1": 1.0} and row["validated_on"].startswith("2026-11-25")
    with pytest.raises(ImagingError, match="already registered"):
        registry.register(engine.db, name="phantom-detector", version="1.0", runner="onnx", artifact=str(model_file),
                          classes=CLASSES)
    with pytest.raises(ImagingError, match="unknown classes"):
        registry.register(engine.db, name="x", version="1", runner="vendor-json", artifact="v", classes=["unicorn"])


def test_dicom_bitewing_review_approve_edit_reject(engine, actor, bitewing, new_patient, active_version) -> None:
    patient, dentist = new_patient(), actor()
    obj = ingest(engine.db, dentist, patient, phantom.to_dicom(bitewing.pixels), "bw.dcm")
    out = start_review(engine, dentist, uuid.UUID(obj["object_id"]))
    assert out["status"] == "WAITING_APPROVAL", out
    assert _found(out) == EXPECTED and len(out["approval_ids"]) == 5
    assert all(f["status"] == "new" and f["missing"] == [] and f["confidence"] >= 0.5 for f in out["findings"])
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        job = s.get(AIInferenceJob, uuid.UUID(out["job_id"]))
        assert job.status == "COMPLETED" and job.compute_env["providers"] and job.completed_at >= job.started_at
        teeth = {p.code for p in s.scalars(select(AIPrediction).where(AIPrediction.job_id == job.id,
                                                                    AIPrediction.prediction_type == "tooth"))}
        assert teeth == set(phantom.TEETH) - {"14"}  # the missing tooth is not detected

    caries16, resto16 = _by(out, "16", "caries"), _by(out, "16", "restoration")
    resto15, caries46, lesion45 = _by(out, "15", "restoration"), _by(out, "46", "caries"), _by(out, "45", "periapical_radiolucency")
    with pytest.raises(ApprovalError, match="may not decide tier-3"):
        decide(engine, uuid.UUID(caries16["approval_id"]), actor("assistant@demo.clinic"), "approve")
    decide_batch(engine, [uuid.UUID(f["approval_id"]) for f in (caries16, resto16, resto15)], dentist, "approve")
    decide(engine, uuid.UUID(caries46["approval_id"]), dentist, "edit", edits={"tooth": "47"}, comment="it is 47")
    last = decide(engine, uuid.UUID(lesion45["approval_id"]), dentist, "reject", comment="false_positive: artefact")
    assert last.run is not None and last.run.status == "COMPLETED", last

    teeth = current_chart(engine, patient)["teeth"]
    assert [(c["label"], c["surfaces"], c["source"]["prediction_id"]) for c in teeth["16"]["conditions"]] == [
        ("caries", ["M"], caries16["prediction_id"])]
    assert [r["label"] for r in teeth["16"]["restorations"]] == ["restoration"]
    assert [r["label"] for r in teeth["15"]["restorations"]] == ["restoration"]
    assert [(c["label"], c["surfaces"]) for c in teeth["47"]["conditions"]] == [("caries", ["D"])]
    assert set(teeth) == {"15", "16", "47"}  # exactly the approved and edited findings (46 -> 47; 45 rejected)

    run_id = uuid.UUID(out["run_id"])
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        events = {str(e.prediction_id): e for e in s.scalars(select(AIReviewEvent).where(
            AIReviewEvent.prediction_id.in_([uuid.UUID(f["prediction_id"]) for f in out["findings"]])))}
        assert {k: v.review_action for k, v in events.items()} == {
            caries16["prediction_id"]: "CONFIRMED", resto16["prediction_id"]: "CONFIRMED",
            resto15["prediction_id"]: "CONFIRMED", caries46["prediction_id"]: "EDITED",
            lesion45["prediction_id"]: "REJECTED"}
        rejected = events[lesion45["prediction_id"]]
        assert (rejected.reason_code, rejected.comment, rejected.use_for_training) == ("false_positive", "artefact", True)
        intervention = s.scalars(select(AgentIntervention).where(AgentIntervention.execution_id == run_id)).one()
        assert intervention.original_action["arguments"]["tooth"] == "46"
        assert intervention.corrected_action["arguments"]["tooth"] == "47"
        note = s.scalars(select(ClinicalNote).where(ClinicalNote.patient_id == patient,
                                                    ClinicalNote.note_type == "RADIOLOGY_REPORT")).one()
        assert "Confirmed (3):" in note.content and "Edited (1):" in note.content and "Rejected (1):" in note.content
        assert "tooth 47: caries (D)" in note.content and "proposed as tooth 46" in note.content
        assert "reason: false_positive" in note.content
        state = s.get(AgentExecution, run_id).state_snapshot
    assert "PHANTOM" not in json.dumps(state)


def _chart(engine, dentist, patient: uuid.UUID, *changes: tuple[str, str, list[str]]) -> None:
    run = propose(engine, tenant_id=DEMO_TENANT_ID, user_id=dentist.user_id, patient_id=patient, calls=[
        ("update_dental_chart", {"patient_id": str(patient),
                                 "changes": [{"tooth": t, "label": lab, "surfaces": s} for t, lab, s in changes]})])
    decide(engine, uuid.UUID(run.state["approval_ids"][0]), dentist, "approve")


def test_vendor_json_duplicate_conflict_and_missing_tooth(engine, actor, bitewing, new_patient, active_version) -> None:
    patient, dentist = new_patient("Vendor"), actor()
    _chart(engine, dentist, patient, ("16", "caries", ["M"]), ("46", "missing", []))
    obj = ingest(engine.db, dentist, patient, phantom.to_png(bitewing.pixels), "bw.png")
    truth = {(f["tooth"], f["label"]): f for f in bitewing.findings}
    doc = {"model": {"name": "AcmeVision", "version": "3.2"}, "image_sha256": obj["sha256"], "findings": [
        {"label": "caries", "tooth": "16", "surfaces": ["M"], "box": truth[("16", "caries")]["box"], "confidence": 0.91},
        {"label": "caries", "tooth": 46, "surfaces": ["D"], "box": truth[("46", "caries")]["box"], "confidence": 0.88},
        {"label": "restoration", "box": [1, 1, 5, 5], "confidence": 0.8, "values": {"material": "amalgam"}},
        {"label": "bone_loss", "tooth": "45", "polygon": [[400, 450], [420, 450], [410, 470]], "confidence": 0.2,
         "values": {"mm": 2.5}},
    ]}
    other = dict(doc, image_sha256="0" * 64)
    with pytest.raises(ImagingError, match="another image"):
        start_review(engine, dentist, uuid.UUID(obj["object_id"]), json.dumps(other).encode())
    out = start_review(engine, dentist, uuid.UUID(obj["object_id"]), json.dumps(doc).encode())
    assert out["status"] == "WAITING_APPROVAL", out
    by_label = {(f["tooth"], f["label"]): f for f in out["findings"]}
    assert by_label[("16", "caries")]["status"] == "duplicate" and by_label[("16", "caries")]["approval_id"] is None
    conflict = by_label[("46", "caries")]
    assert conflict["status"] == "conflict" and "charted missing" in conflict["conflict_reason"] and conflict["approval_id"]
    no_tooth = by_label[(None, "restoration")]
    assert no_tooth["missing"] == ["tooth"] and no_tooth["approval_id"]
    assert by_label[("45", "bone_loss")]["status"] == "below_threshold"
    assert len(out["approval_ids"]) == 2

    with pytest.raises(ApprovalError, match="cannot be approved until tooth is set"):
        decide(engine, uuid.UUID(no_tooth["approval_id"]), dentist, "approve")
    decide(engine, uuid.UUID(no_tooth["approval_id"]), dentist, "edit", edits={"tooth": "15", "surfaces": ["O"]})
    done = decide(engine, uuid.UUID(conflict["approval_id"]), dentist, "reject", comment="wrong_tooth")
    assert done.run.status == "COMPLETED"
    teeth = current_chart(engine, patient)["teeth"]
    assert teeth["15"]["restorations"][0]["values"] == {"material": "amalgam"}
    assert teeth["46"]["status"] == "missing" and len(teeth["16"]["conditions"]) == 1
    # a charted finding is undone like any chart change (the report note stays)
    from core_schema.models import ActionHistory
    from undo.actions import undo

    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        action = s.scalars(select(ActionHistory).where(ActionHistory.agent_execution_id == uuid.UUID(out["run_id"]),
                                                       ActionHistory.entity_type == "DENTAL_CHART")).one()
    undo(engine, action.id, dentist)
    assert "15" not in current_chart(engine, patient)["teeth"]


def test_shadow_deployment_records_predictions_and_proposes_nothing(engine, actor, bitewing, model_file) -> None:
    uni = actor("dentist@universal.clinic")
    version = registry.register(engine.db, name="phantom-detector", version="1.1-shadow", runner="onnx",
                                artifact=str(model_file), classes=CLASSES, thresholds=THRESHOLDS)
    registry.deploy(engine.db, uni, uuid.UUID(version["version_id"]), shadow=True)
    obj = ingest(engine.db, uni, UNIVERSAL_PATIENT_ID, phantom.to_png(bitewing.pixels), "bw.png")
    out = start_review(engine, uni, uuid.UUID(obj["object_id"]))
    assert out["status"] == "COMPLETED" and out["approval_ids"] == [] and out["job_id"] is None
    with engine.db.tenant_session(UNIVERSAL_TENANT_ID) as s:
        job = s.get(AIInferenceJob, uuid.UUID(out["shadow_job_ids"][0]))
        preds = s.scalars(select(AIPrediction).where(AIPrediction.job_id == job.id)).all()
        assert job.status == "COMPLETED" and job.compute_env["role"] == "SHADOW"
        assert {p.prediction_type for p in preds} >= {"caries", "restoration", "periapical_radiolucency", "tooth"}


def test_no_model_and_unknown_object_are_refused(engine, actor) -> None:
    with pytest.raises(ImagingError, match="not found in this clinic"):
        start_review(engine, actor(), uuid.uuid4())


def _review_and_decide(engine, dentist, bitewing, patient: uuid.UUID) -> dict:
    """A review of the bitewing decided as in test_dicom_bitewing_review_approve_edit_reject: caries and
    restorations on 16 and 15 approved, caries 46 edited to 47, the lesion on 45 rejected (false positive)."""
    obj = ingest(engine.db, dentist, patient, phantom.to_dicom(bitewing.pixels), "bw.dcm")
    out = start_review(engine, dentist, uuid.UUID(obj["object_id"]))
    assert _found(out) == EXPECTED, out
    decide_batch(engine, [uuid.UUID(_by(out, t, lab)["approval_id"]) for t, lab in
                          (("16", "caries"), ("16", "restoration"), ("15", "restoration"))], dentist, "approve")
    decide(engine, uuid.UUID(_by(out, "46", "caries")["approval_id"]), dentist, "edit", edits={"tooth": "47"})
    last = decide(engine, uuid.UUID(_by(out, "45", "periapical_radiolucency")["approval_id"]), dentist, "reject",
                  comment="false_positive: artefact")
    assert last.run is not None and last.run.status == "COMPLETED", last
    return out


def test_review_rates_per_version_and_label(engine, actor, bitewing, new_patient, model_file, active_version) -> None:
    """On a version of its own (the module's is reviewed by other tests too), deployed for this test."""
    from imaging.monitoring import review_rates

    dentist = actor()
    version = registry.register(engine.db, name="phantom-detector", version="1.0-rates", runner="onnx",
                                artifact=str(model_file), classes=CLASSES, thresholds=THRESHOLDS)["version_id"]
    registry.deploy(engine.db, dentist, uuid.UUID(version))
    try:
        _review_and_decide(engine, dentist, bitewing, new_patient("Rates"))
    finally:
        registry.deploy(engine.db, dentist, uuid.UUID(active_version))
    rows = {r["label"]: r for r in review_rates(engine.db, DEMO_TENANT_ID) if r["version_id"] == version}
    assert (rows["caries"]["reviewed"], rows["caries"]["acceptance_rate"], rows["caries"]["edit_rate"]) == (2, 1.0, 0.5)
    assert (rows["restoration"]["reviewed"], rows["restoration"]["confirmed_rate"]) == (2, 1.0)
    lesion = rows["periapical_radiolucency"]
    assert (lesion["rejection_rate"], lesion["top_rejection_reasons"]) == (1.0, {"false_positive": 1})


def test_completed_procedure_links_outcome(engine, actor, bitewing, new_patient, active_version) -> None:
    """A filling done later on 16 confirms the confirmed caries finding there; linking twice adds nothing."""
    from datetime import datetime, timezone

    from core_schema.models import AIOutcomeLink, Encounter, Procedure
    from imaging.monitoring import link_procedure

    out = _review_and_decide(engine, actor(), bitewing, new_patient("Outcome"))
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        caries = s.scalars(select(AIPrediction).join(AIReviewEvent, AIReviewEvent.prediction_id == AIPrediction.id)
                           .where(AIPrediction.prediction_type == "caries", AIReviewEvent.review_action == "CONFIRMED",
                                  AIPrediction.id.in_([uuid.UUID(f["prediction_id"]) for f in out["findings"]]))).one()
        tooth = caries.raw_output["assignment"]["tooth"]
        enc = Encounter(tenant_id=DEMO_TENANT_ID, patient_id=caries.patient_id, encounter_type="TREATMENT",
                        status="COMPLETED", location_id=sid("location", "demo"))
        s.add(enc)
        s.flush()
        proc = Procedure(tenant_id=DEMO_TENANT_ID, patient_id=caries.patient_id, encounter_id=enc.id, cdt_code="D2391",
                         tooth_number=tooth, surface="M", status="COMPLETED", end_at=datetime.now(timezone.utc))
        s.add(proc)
        s.flush()
        proc_id, prediction_id = proc.id, caries.id
    links = link_procedure(engine.db, DEMO_TENANT_ID, proc_id)
    assert [(lk["prediction_id"], lk["ground_truth_source"]) for lk in links] == [(str(prediction_id), "PROCEDURE_CONFIRMS")]
    assert link_procedure(engine.db, DEMO_TENANT_ID, proc_id) == []
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        assert s.scalar(select(AIOutcomeLink).where(AIOutcomeLink.procedure_id == proc_id)).ground_truth_code == "D2391"


def test_eval_imaging_on_phantoms(engine, actor, tmp_path) -> None:
    from approvals.decisions import pending_for
    from imaging.eval import run, write_report

    before = len(pending_for(engine, actor()))
    result = run(engine, actor(), images=4, seed=3)
    assert result["tooth_assignment_accuracy"] == 1.0 and result["surface_accuracy"] == 1.0
    assert all(r["precision"] == 1.0 and r["recall"] == 1.0 for r in result["per_label"].values()), result["per_label"]
    assert set(result["latency_ms"]) == {"ingest", "inference", "run_to_queue"}
    assert all(v["p50"] > 0 for v in result["latency_ms"].values())
    assert len(pending_for(engine, actor())) == before  # nothing left in the reviewer's queue
    json_path, md_path = write_report(result, tmp_path)
    assert json.loads(json_path.read_text())["images"] == 4 and "not clinical accuracy" in md_path.read_text()


def test_models_cli_register_list_deploy(platform, model_file) -> None:
    reg = platform.cli("models", "register", "--name", "cli-model", "--version", "0.1", "--runner", "onnx",
                       "--artifact", str(model_file), "--classes", ",".join(CLASSES), "--thresholds",
                       json.dumps(THRESHOLDS), "--json")
    assert reg.returncode == 0, reg.stdout + reg.stderr
    vid = json.loads(reg.stdout)["version_id"]
    dep = platform.cli("models", "deploy", vid, "--shadow", "--as", "dentist@universal.clinic", "--json")
    assert dep.returncode == 0 and json.loads(dep.stdout)["status"] == "SHADOW", dep.stdout + dep.stderr
    listed = json.loads(platform.cli("models", "list", "--as", "dentist@universal.clinic", "--json").stdout)
    assert next(r for r in listed if r["version_id"] == vid)["deployment"] == "SHADOW"
    bad = platform.cli("models", "register", "--name", "x", "--version", "1", "--runner", "tflite", "--artifact", "m",
                       "--classes", "caries", "--json")
    assert bad.returncode != 0 and "unknown runner" in json.loads(bad.stdout)["error"]


def test_cli_review_reject_with_reason_and_eval(platform, engine, bitewing, new_patient, active_version, tmp_path) -> None:
    patient = new_patient("Cli")
    png = tmp_path / "bw.png"
    png.write_bytes(phantom.to_png(bitewing.pixels))
    obj = json.loads(platform.cli("imaging", "ingest", str(png), "--patient", str(patient), "--json").stdout)
    result = platform.cli("imaging", "review", obj["object_id"], "--as", "dentist@demo.clinic", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    out = json.loads(result.stdout)
    assert _found(out) == EXPECTED and set(out) >= {"run_id", "job_id", "findings", "approval_ids"}
    assert set(out["findings"][0]) >= {"prediction_id", "label", "tooth", "surfaces", "confidence", "box", "status",
                                       "approval_id"}
    bad = platform.cli("imaging", "reject", out["approval_ids"][0], "--reason", "dislike", "--as", "dentist@demo.clinic",
                       "--json")
    assert bad.returncode != 0 and "unknown reason" in json.loads(bad.stdout)["error"]
    done = platform.cli("imaging", "reject", *out["approval_ids"], "--reason", "image_quality", "--comment", "blurred",
                        "--as", "dentist@demo.clinic", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        events = s.scalars(select(AIReviewEvent).where(AIReviewEvent.prediction_id.in_(
            [uuid.UUID(f["prediction_id"]) for f in out["findings"]]))).all()
    assert {(e.review_action, e.reason_code, e.comment) for e in events} == {("REJECTED", "image_quality", "blurred")}
    assert len(events) == 5 and current_chart(engine, patient) == {"teeth": {}}
    report = platform.cli("imaging", "eval", "--images", "2", "--report", str(tmp_path / "eval"))
    assert report.returncode == 0, report.stdout + report.stderr
    assert "Tooth assignment accuracy: 1.0" in report.stdout and (tmp_path / "eval" / "imaging_eval.json").is_file()


def test_review_compares_with_the_patients_memory(engine, actor, bitewing, new_patient, active_version) -> None:
    """A lesion noted at an earlier visit is proposed as under watch since then (the memory named);
    the approved review leaves its own summary for the next one."""
    from core_schema.models import AgentApprovalRequest
    from memory.records import MemoryWrite, Scope
    from memory.repository import MemoryFilter
    from memory.writers import repository_for

    patient, dentist = new_patient("Watch"), actor()
    march = repository_for(engine.db).remember(DEMO_TENANT_ID, MemoryWrite(
        scope=Scope.patient(patient), kind="episodic", source_type="AGENT_RUN", source_id=uuid.uuid4(),
        content="Visit 2026-03-14: charted tooth 45 periapical radiolucency. [run 0000abcd]"))
    obj = ingest(engine.db, dentist, patient, phantom.to_dicom(bitewing.pixels), "bw.dcm")
    out = start_review(engine, dentist, uuid.UUID(obj["object_id"]))
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        requests = {str(r.id): r for r in s.scalars(select(AgentApprovalRequest).where(
            AgentApprovalRequest.id.in_([uuid.UUID(i) for i in out["approval_ids"]])))}
        texts = {f["label"] + f["tooth"]: requests[f["approval_id"]].requested_action for f in out["findings"]}
        history = requests[_by(out, "45", "periapical_radiolucency")["approval_id"]].action_details["history"]
    assert texts["periapical_radiolucency45"].endswith(f"; under watch since 2026-03-14 (memory {str(march.id)[:8]})")
    assert history == {"memory_id": str(march.id), "since": "2026-03-14"}
    assert not any("under watch" in t for k, t in texts.items() if k != "periapical_radiolucency45")

    decide_batch(engine, [uuid.UUID(i) for i in out["approval_ids"]], dentist, "approve")
    hits = repository_for(engine.db).search(DEMO_TENANT_ID, "radiograph caries 16",
                                            MemoryFilter(scopes=(Scope.patient(patient),)), limit=5)
    summary = next(m for m in hits if m.source_id == uuid.UUID(out["run_id"]))
    assert "radiograph tooth 16 caries (M)" in summary.content and "Watch" not in summary.content
