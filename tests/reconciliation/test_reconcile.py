"""Reconciliation end to end: a patient's sources disagree -> findings citing both sources ->
each resolved through an approval, written once; rules unit-tested on plain evidence."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from approvals.decisions import ApprovalError, decide
from core_schema.errors import NotFound
from core_schema.models import ClinicalNote, EncounterDiagnosis, ToolExecution
from core_schema.seed.demo import DEMO_TENANT_ID, UNIVERSAL_PATIENT_ID
from reconciliation.graph import NAME
from reconciliation.resolve_tool import TOOL
from reconciliation.rules import Kind, Resolution, reconcile, sound_teeth
from reconciliation.service import reconcile as run_reconcile
from reconciliation.service import view
from reconciliation.sources import Evidence, PerioSite, PlanItem, RadiographFinding, Utterance
from tests.workflows.conftest import current_chart, snapshot_count
from tools.executor import Call

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)


def _u(text: str) -> Utterance:
    return Utterance("u1", "s1", text, NOW)


def test_sound_teeth_reads_clauses_not_findings() -> None:
    assert sound_teeth(_u("36 is sound, 46 has distal caries")) == ["36"]
    assert sound_teeth(_u("tooth 36 and 37 look healthy. no caries on 26")) == ["36", "37", "26"]
    assert sound_teeth(_u("caries on 36 distal")) == []
    assert sound_teeth(_u("46 deep caries, otherwise fine")) == []  # one clause names a finding
    assert sound_teeth(_u("lower left first molar is sound")) == ["36"]
    assert sound_teeth(_u("the upper right six looks healthy; two six is fine")) == ["16", "26"]


def test_rules_are_deterministic_and_cite_their_sources() -> None:
    ev = Evidence(
        snapshot_id="snap",
        chart={"teeth": {"16": {"status": "missing", "conditions": [], "restorations": []}}},
        radiograph=[RadiographFinding("p1", "36", "caries", ("D",), 0.91, "pending", "acme 2.1"),
                    RadiographFinding("p2", "26", "crown", (), 0.97, "confirmed", "acme 2.1")],
        dictations=[_u("36 is sound")],
        perio=[PerioSite("m1", "46", "DB", 6, "e1"), PerioSite("m2", "16", "MB", 3, "e1")],
        plan=[PlanItem("i1", "plan", "D2740", "26", None)],
    )
    found = reconcile(ev)
    assert [d.kind for d in found] == [Kind.RADIOGRAPH_VS_DICTATION, Kind.PERIO_WITHOUT_DIAGNOSIS,
                                       Kind.PLANNED_ON_RESTORED, Kind.PERIO_ON_MISSING]
    assert found[0].finding == "radiograph: caries 36 D at 0.91; dictated: 36 sound"
    assert [(s.type, s.id) for s in found[0].sources] == [("radiograph", "p1"), ("dictation", "u1")]
    assert found[0].resolution == Resolution.CHART_RADIOGRAPH_FINDING
    assert found[1].finding == "perio 6 mm at 46 DB but no periodontitis diagnosis"
    assert found[1].resolution == Resolution.ADD_DIAGNOSIS and found[1].encounter_id == "e1"
    assert found[2].finding == "crown planned on 26 that the radiograph shows already crowned"
    assert {s.type for s in found[2].sources} == {"plan", "radiograph"}
    assert found[3].finding == "perio probed at 1 site of 16 that the chart holds missing"
    assert [d.finding for d in reconcile(ev)] == [d.finding for d in found]


def test_contradiction_proposed_with_both_sources_and_written_once_on_approval(engine, actor, seed) -> None:
    sd = seed()
    prediction = sd.radiograph("36", "caries", ["D"], 0.91)
    [utterance] = sd.dictation("36 is sound, nothing to do there")
    dentist = actor()
    out = run_reconcile(engine, dentist, sd.patient)
    assert out.status == "WAITING_APPROVAL", out
    [f] = out.findings
    assert f.kind == "radiograph_vs_dictation" and f.finding == "radiograph: caries 36 D at 0.91; dictated: 36 sound"
    assert {(s.type, s.id) for s in f.sources} == {("radiograph", str(prediction)), ("dictation", str(utterance))}
    assert out.approval_ids == [f.approval_id] and f.status == "PENDING"
    assert snapshot_count(engine, sd.patient) == 0  # nothing written before the reviewer decides

    decided = decide(engine, uuid.UUID(f.approval_id), dentist, "approve")
    assert decided.status == "APPROVED"
    after = view(engine, DEMO_TENANT_ID, uuid.UUID(out.run_id))
    assert after.status == "COMPLETED" and after.findings[0].status == "SUCCEEDED"
    tooth = current_chart(engine, sd.patient)["teeth"]["36"]
    assert [(c["label"], c["surfaces"], c["source"]["prediction_id"]) for c in tooth["conditions"]] == [
        ("caries", ["D"], str(prediction))]
    with pytest.raises(ApprovalError):
        decide(engine, uuid.UUID(f.approval_id), dentist, "approve")
    assert snapshot_count(engine, sd.patient) == 1  # written once
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        call = s.get(ToolExecution, uuid.UUID(f.tool_execution_id))
        assert call.output_result["sources"][0]["id"] == str(prediction)

    # decided once, never proposed again on the same sources
    again = run_reconcile(engine, dentist, sd.patient)
    assert again.status == "COMPLETED" and again.findings == []
    # a later dictation calls 36 sound again: the caries is charted now, so approving records the review as a note
    [later] = sd.dictation("36 is healthy")
    third = run_reconcile(engine, dentist, sd.patient)
    [f3] = third.findings
    assert f3.kind == "radiograph_vs_dictation" and f3.resolution == "record_review"
    assert ("dictation", str(later)) in {(s.type, s.id) for s in f3.sources}
    decide(engine, uuid.UUID(f3.approval_id), dentist, "approve")
    assert snapshot_count(engine, sd.patient) == 1
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        [note] = s.scalars(select(ClinicalNote).where(ClinicalNote.patient_id == sd.patient)).all()
        assert note.note_type == "EXAM" and "radiograph: caries 36 D at 0.91" in note.content and str(later) in note.content


def test_perio_and_plan_disagreements_resolved_or_rejected(engine, actor, seed) -> None:
    sd = seed()
    encounter = sd.encounter()
    sd.perio(encounter, {("46", "DB"): 6, ("46", "MB"): 4, ("36", "DL"): 5})
    sd.radiograph("26", "crown", [], 0.97, triage="duplicate")
    item = sd.plan_item("D2740", "26")
    dentist = actor()
    out = run_reconcile(engine, dentist, sd.patient)
    by_kind = {f.kind: f for f in out.findings}
    assert set(by_kind) == {"perio_without_diagnosis", "planned_on_restored"}
    perio = by_kind["perio_without_diagnosis"]
    assert perio.finding == "perio 6 mm at 46 DB (and 1 more site >= 5 mm) but no periodontitis diagnosis"
    assert perio.resolution == "add_diagnosis"
    crown = by_kind["planned_on_restored"]
    assert crown.finding == "crown planned on 26 that the radiograph shows already crowned"
    assert ("plan", str(item)) in {(s.type, s.id) for s in crown.sources}

    decide(engine, uuid.UUID(crown.approval_id), dentist, "reject", comment="crown is failing; replacement intended")
    decide(engine, uuid.UUID(perio.approval_id), dentist, "approve")
    after = view(engine, DEMO_TENANT_ID, uuid.UUID(out.run_id))
    assert after.status == "COMPLETED"
    assert {f.kind: f.status for f in after.findings} == {"perio_without_diagnosis": "SUCCEEDED", "planned_on_restored": "CANCELLED"}
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        codes = s.scalars(select(EncounterDiagnosis.diagnosis_code).where(EncounterDiagnosis.patient_id == sd.patient)).all()
        assert codes == ["K05.30"]
        assert s.scalar(select(func.count()).select_from(ClinicalNote).where(ClinicalNote.patient_id == sd.patient)) == 0

    # diagnosed now, and the crown finding was rejected on these sources: nothing left to review
    again = run_reconcile(engine, dentist, sd.patient)
    assert again.status == "COMPLETED" and again.findings == []


def test_agreeing_sources_complete_without_approvals(engine, actor, seed) -> None:
    sd = seed()
    sd.radiograph("46", "caries", ["D"], 0.88)
    sd.dictation("46 distal caries", "36 is sound")
    out = run_reconcile(engine, actor(), sd.patient)
    assert out.status == "COMPLETED" and out.findings == [] and out.approval_ids == []


def test_other_clinics_patient_or_another_visit_is_not_found(engine, actor, seed) -> None:
    with pytest.raises(NotFound):
        run_reconcile(engine, actor(), UNIVERSAL_PATIENT_ID)
    sd, other = seed(), seed()
    with pytest.raises(NotFound, match="encounter"):
        run_reconcile(engine, actor(), sd.patient, encounter_id=other.encounter())
    with pytest.raises(NotFound, match="encounter"):
        run_reconcile(engine, actor(), sd.patient, encounter_id=uuid.uuid4())


def test_run_resumed_after_its_proposal_was_recorded_proposes_nothing_twice(engine, actor, seed) -> None:
    """The worker died after ``compare`` recorded its calls and before its checkpoint: the resumed
    run takes the recorded proposal as it is (one call, one approval), never a second copy."""
    sd = seed()
    sd.radiograph("36", "caries", ["D"], 0.91)
    sd.dictation("36 is sound")
    dentist = actor()
    run_id = engine.create(NAME, tenant_id=DEMO_TENANT_ID, user_id=dentist.user_id, patient_id=sd.patient,
                           inputs={"mode": NAME})
    [recorded] = engine.executor.record_pending_all([Call(
        tool=TOOL, tenant_id=DEMO_TENANT_ID, user_id=dentist.user_id, idempotency_key=f"{run_id}:r0",
        args={"patient_id": str(sd.patient), "kind": "radiograph_vs_dictation", "finding": "as recorded before the crash",
              "sources": [{"type": "radiograph", "id": None, "text": "x"}], "resolution": "record_review"})])
    result = engine.advance(run_id)
    assert result.status == "WAITING_APPROVAL"
    out = view(engine, DEMO_TENANT_ID, run_id)
    assert [(f.tool_execution_id, f.finding) for f in out.findings] == [(str(recorded), "as recorded before the crash")]
    assert len(out.approval_ids) == 1
    assert engine.advance(run_id).status == "WAITING_APPROVAL" and len(view(engine, DEMO_TENANT_ID, run_id).approval_ids) == 1
