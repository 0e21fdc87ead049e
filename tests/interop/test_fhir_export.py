"""FHIR export: the Bundle validates and round-trips, carries the charted tooth and surface codes,
perio depths, the plan and each change's Provenance (reviewer and source); stored once per version;
another clinic's patient is not found."""

from __future__ import annotations

import json
import uuid

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import func, select

from approvals.decisions import decide
from core_schema.errors import NotFound
from core_schema.models import FhirResource
from core_schema.seed.demo import DEMO_TENANT_ID, UNIVERSAL_PATIENT_ID, sid
from interop import codes
from interop.service import export_patient
from reconciliation.service import reconcile
from tests.api.bearer import user_bearer
from tests.reconciliation.seeding import Seed


@pytest.fixture(scope="module")
def exported(engine, new_patient) -> dict:
    """A patient whose radiograph caries on 36 D was charted through a reviewed reconciliation,
    with a perio exam and a planned crown; exported once."""
    from core_schema.directory import find_actor

    sd = Seed(engine, new_patient("Fhir", "Export"))
    prediction = sd.radiograph("36", "caries", ["D"], 0.91)
    [utterance] = sd.dictation("36 is sound")
    sd.perio(None, {("46", "DB"): 6, ("46", "MB"): 3})
    sd.plan_item("D2740", "26")
    with engine.db.system_session() as s:
        dentist = find_actor(s, "dentist@demo.clinic")
    run = reconcile(engine, dentist, sd.patient)
    approval = next(f.approval_id for f in run.findings if f.kind == "radiograph_vs_dictation")
    decide(engine, uuid.UUID(approval), dentist, "approve")
    for other in (f.approval_id for f in run.findings if f.approval_id != approval):  # the run applies once all are decided
        decide(engine, uuid.UUID(other), dentist, "reject", comment="not now")
    return {"patient": sd.patient, "prediction": str(prediction), "utterance": str(utterance), "approval": approval,
            "bundle": export_patient(DEMO_TENANT_ID, sd.patient, engine.db)}


def _of(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_bundle_validates_and_round_trips(exported) -> None:
    raw = exported["bundle"]
    parsed = Bundle.model_validate(raw)
    again = json.loads(parsed.model_dump_json(by_alias=True, exclude_none=True))
    assert again == raw and Bundle.model_validate_json(json.dumps(again)) == parsed
    assert raw["type"] == "collection" and _of(raw, "Patient")[0]["name"][0]["family"] == "Export"


def test_conditions_carry_tooth_and_surface_codes(exported) -> None:
    [caries] = [c for c in _of(exported["bundle"], "Condition") if c["code"]["text"] == "caries"]
    coding = {(c["system"], c["code"]) for c in caries["bodySite"][0]["coding"]}
    assert (codes.TOOTH_SYSTEM, "36") in coding
    assert (codes.SNOMED, "90933009") in coding and (codes.FDI_SURFACE_SYSTEM, "D") in coding  # distal
    assert {"system": codes.SNOMED, "code": "80967001", "display": "Dental caries"} in caries["code"]["coding"]


def test_perio_plan_and_provenance(exported) -> None:
    bundle = exported["bundle"]
    depths = {(o["bodySite"]["text"], o["valueQuantity"]["value"]) for o in _of(bundle, "Observation")}
    assert depths == {("46 DB", 6), ("46 MB", 3)}
    [plan] = _of(bundle, "CarePlan")
    assert plan["activity"][0]["detail"]["code"]["coding"][0] == {"system": codes.CDT_SYSTEM, "code": "D2740"}
    [caries] = [c for c in _of(bundle, "Condition") if c["code"]["text"] == "caries"]
    [prov] = [p for p in _of(bundle, "Provenance") if {"reference": f"urn:uuid:{caries['id']}"} in p["target"]]
    roles = {a["type"]["coding"][0]["code"]: a["who"]["identifier"]["value"] for a in prov["agent"]}
    assert roles["verifier"] == str(sid("user", "dentist@demo.clinic"))
    sources = {(e["what"]["identifier"]["system"].rsplit(":", 1)[-1], e["what"]["identifier"]["value"]) for e in prov["entity"]}
    assert ("ai_prediction", exported["prediction"]) in sources and ("approval_request", exported["approval"]) in sources


def test_resources_stored_once_per_version(engine, exported) -> None:
    def stored() -> int:
        with engine.db.tenant_session(DEMO_TENANT_ID) as s:
            return s.scalar(select(func.count()).select_from(FhirResource).where(FhirResource.patient_id == exported["patient"]))

    before = stored()
    assert before == len(exported["bundle"]["entry"])
    again = export_patient(DEMO_TENANT_ID, exported["patient"], engine.db)
    assert stored() == before and [e["resource"] for e in again["entry"]] == [e["resource"] for e in exported["bundle"]["entry"]]


def test_other_clinics_patient_is_not_found(engine) -> None:
    with pytest.raises(NotFound):
        export_patient(DEMO_TENANT_ID, UNIVERSAL_PATIENT_ID, engine.db)


def test_http_export(platform, exported) -> None:
    from api.app import create_app

    http = TestClient(create_app())
    headers = user_bearer(http)
    response = http.get(f"/api/v1/patients/{exported['patient']}/fhir", headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/fhir+json")
    assert Bundle.model_validate(response.json()).type == "collection"
    assert http.get(f"/api/v1/patients/{UNIVERSAL_PATIENT_ID}/fhir", headers=headers).status_code == 404
