"""Reconciliation over HTTP and the CLI: start, read the findings, decide through the approvals routes;
the FHIR export from the CLI."""

from __future__ import annotations

import json
import uuid

from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from typer.testing import CliRunner

from api.cli import app as cli_app
from core_schema.seed.demo import UNIVERSAL_PATIENT_ID
from tests.api.bearer import user_bearer
from tests.reconciliation.seeding import Seed


def test_reconcile_over_http_then_approve(app, engine, new_patient) -> None:
    http = TestClient(app)
    sd = Seed(engine, new_patient("Recon", "Http"))
    prediction = sd.radiograph("36", "caries", ["D"], 0.91)
    sd.dictation("36 is sound")
    dentist = user_bearer(http)
    response = http.post(f"/api/v1/patients/{sd.patient}/reconcile", headers=dentist)
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["status"] == "WAITING_APPROVAL" and len(out["approval_ids"]) == 1
    [f] = out["findings"]
    assert f["finding"] == "radiograph: caries 36 D at 0.91; dictated: 36 sound"
    assert str(prediction) in {s["id"] for s in f["sources"]}
    decided = http.post(f"/api/v1/approvals/{f['approval_id']}/approve", headers=dentist)
    assert decided.status_code == 200, decided.text
    shown = http.get(f"/api/v1/reconciliations/{out['run_id']}", headers=dentist).json()
    assert shown["status"] == "COMPLETED" and shown["findings"][0]["status"] == "SUCCEEDED"
    assert http.post(f"/api/v1/patients/{UNIVERSAL_PATIENT_ID}/reconcile", headers=dentist).status_code == 404
    assert http.get(f"/api/v1/reconciliations/{uuid.uuid4()}", headers=dentist).status_code == 404


def test_reconcile_cli_prints_the_run(engine, new_patient) -> None:
    sd = Seed(engine, new_patient("Recon", "Cli"))
    sd.radiograph("46", "caries", ["O"], 0.8)
    sd.dictation("46 looks fine")
    result = CliRunner().invoke(cli_app, ["reconcile", "--patient", str(sd.patient), "--as", "dentist@demo.clinic", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert {"run_id", "status", "approval_ids", "findings"} <= set(out) and out["status"] == "WAITING_APPROVAL"
    assert out["findings"][0]["finding"] == "radiograph: caries 46 O at 0.80; dictated: 46 sound"


def test_fhir_cli_prints_a_valid_bundle(engine, new_patient) -> None:
    sd = Seed(engine, new_patient("Fhir", "Cli"))
    sd.perio(None, {("46", "DB"): 6})
    result = CliRunner().invoke(cli_app, ["fhir", "--patient", str(sd.patient), "--as", "dentist@demo.clinic"])
    assert result.exit_code == 0, result.output
    bundle = Bundle.model_validate_json(result.output)
    assert [e.resource.get_resource_type() for e in bundle.entry] == ["Patient", "Observation"]
