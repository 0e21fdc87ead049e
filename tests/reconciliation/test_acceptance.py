"""Issue 22's acceptance path on the real slices: a chart dictated through voice-to-chart, a radiograph
reviewed with vendor findings that contradict a dictation, a perio exam -> reconciliation reports the
contradiction with both sources -> the plan conversation drafts a phased plan -> the FHIR bundle's
Provenance names the reviewer and each change's source (utterance, prediction)."""

from __future__ import annotations

import uuid

from approvals.decisions import decide
from core_schema.seed.demo import DEMO_TENANT_ID
from imaging.ingest import ingest
from imaging.service import start_review
from interop.service import export_patient
from planning.service import draft
from reconciliation.service import reconcile
from tests.api.imaging_upload import phantom_case
from tests.reconciliation.seeding import Seed
from voice.service import dictate


def _provenance_of(bundle: dict, resource_id: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Provenance"
            and {"reference": f"urn:uuid:{resource_id}"} in e["resource"]["target"]]


def _sources(prov: dict) -> set[tuple[str, str]]:
    return {(e["what"]["identifier"]["system"].rsplit(":", 1)[-1], e["what"]["identifier"]["value"]) for e in prov["entity"]}


def test_dictation_radiograph_perio_reconciled_planned_and_exported(engine, actor, new_patient) -> None:
    dentist = actor()
    patient = new_patient("Accept", "Ance")
    charted = dictate(engine, dentist, patient, text="tooth 17 occlusal caries")
    assert charted.approval_ids, charted
    decide(engine, uuid.UUID(charted.approval_ids[0]), dentist, "approve")
    sound = dictate(engine, dentist, patient, text="46 is sound, nothing to do there")
    assert sound.approval_ids == []

    png, findings, _ = phantom_case(seed=23)  # vendor findings: 16 caries M + restoration, 46 caries D, 45 periapical
    obj = ingest(engine.db, dentist, patient, png, "bitewing.png")
    review = start_review(engine, dentist, uuid.UUID(obj["object_id"]), findings=findings)
    assert review["status"] == "WAITING_APPROVAL"  # its findings are still pending: reconciliation reads them as such
    Seed(engine, patient).perio(None, {("46", "DB"): 6, ("46", "B"): 3})

    out = reconcile(engine, dentist, patient)
    [contradiction] = [f for f in out.findings if f.kind == "radiograph_vs_dictation"]
    assert contradiction.finding.startswith("radiograph: caries 46 D at ") and contradiction.finding.endswith("dictated: 46 sound")
    assert {s.type for s in contradiction.sources} == {"radiograph", "dictation"}
    assert ("dictation", sound.utterance_id) in {(s.type, s.id) for s in contradiction.sources}
    assert "perio_without_diagnosis" in {f.kind for f in out.findings}
    for f in out.findings:
        decide(engine, uuid.UUID(f.approval_id), dentist, "approve" if f is contradiction else "reject", comment="later")

    plan = draft(engine, dentist, patient)
    assert len({m.agent for m in plan.messages}) >= 3
    assert {(i.code, i.tooth) for i in plan.items} >= {("D3320", "45"), ("D4341", None)}  # endo on the premolar, perio
    assert all(i.fee for i in plan.items)

    bundle = export_patient(DEMO_TENANT_ID, patient, engine.db)
    conditions = {(c["bodySite"][0]["coding"][0]["code"], c["code"]["text"]): c for c in
                  (e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Condition") if c.get("bodySite")}
    [voiced] = _provenance_of(bundle, conditions[("17", "caries")]["id"])
    assert ("voice_utterance", charted.utterance_id) in _sources(voiced)
    [said] = [e["what"]["display"] for e in voiced["entity"] if e["what"]["identifier"]["value"] == charted.utterance_id]
    assert said.startswith("dictation: typed, words") and "17 occlusal caries" in said
    assert {a["type"]["coding"][0]["code"] for a in voiced["agent"]} == {"author", "verifier"}
    [imaged] = _provenance_of(bundle, conditions[("46", "caries")]["id"])
    assert "ai_prediction" in {kind for kind, _ in _sources(imaged)}
    [seen] = [e["what"]["display"] for e in imaged["entity"] if e["what"]["identifier"]["system"].endswith("ai_prediction")]
    assert seen.startswith("radiograph prediction: caries at 0.") and "AcmeVision 3.2" in seen
