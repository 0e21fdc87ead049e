"""The platform's outside: ``patients list``, ``doctor`` and ``/healthz``."""

from __future__ import annotations

import json
from pathlib import Path

from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient

from api.app import create_app
from core_schema.migrate import alembic_config
from core_schema.seed.demo import (
    DEMO_PATIENT_IDS,
    UNIVERSAL_PATIENT_ID,
    UNIVERSAL_TENANT_ID,
)


def test_patients_list_json_is_the_current_tenants(platform) -> None:
    result = platform.cli("patients", "list", "--json")
    assert result.returncode == 0, result.stderr
    patients = json.loads(result.stdout)
    listed = {p["id"] for p in patients}
    assert {str(p) for p in DEMO_PATIENT_IDS} <= listed and str(UNIVERSAL_PATIENT_ID) not in listed  # tests add patients
    assert all({"id", "name"} <= set(p) for p in patients)

    other = json.loads(platform.cli("patients", "list", "--tenant", str(UNIVERSAL_TENANT_ID), "--json").stdout)
    assert [p["id"] for p in other] == [str(UNIVERSAL_PATIENT_ID)]


def test_bad_tenant_is_a_clear_error(platform) -> None:
    result = platform.cli("patients", "list", "--tenant", "clinic-b", "--json")
    assert result.returncode != 0
    assert "tenant must be a UUID" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_doctor_reports_mode_versions_and_pgvector(platform) -> None:
    result = platform.cli("doctor", "--json")
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["mode"] == platform.mode
    assert status["postgres_version"] and status["redis_version"]
    assert status["pgvector_available"] == (platform.mode == "embedded")  # this machine's PG 15 has none
    assert status["schema_revision"] == ScriptDirectory.from_config(alembic_config(platform.db)).get_current_head()
    assert status["tenant_catalog_sealed"] is True  # both modes migrate as a superuser
    assert status["storage"] == (Path(status["home"]) / "objects").as_uri()  # the embedded default: a folder in the home


def test_healthz(platform) -> None:
    with TestClient(create_app()) as client:
        body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["mode"] == platform.mode
    assert body["postgres_version"] and body["redis_version"]


def test_malformed_ids_are_one_line_errors(platform) -> None:
    as_json = platform.cli("undo", "not-a-uuid", "--as", "dentist@demo.clinic", "--json")
    assert as_json.returncode == 2
    assert json.loads(as_json.stdout) == {"error": "action id must be a UUID, got 'not-a-uuid'"}
    plain = platform.cli("runs", "show", "xyz")
    assert plain.returncode == 2 and plain.stderr.strip() == "error: run id must be a UUID, got 'xyz'"
    unknown_user = platform.cli("actions", "list", "--as", "nobody@demo.clinic", "--json")
    assert json.loads(unknown_user.stdout) == {"error": "no active user 'nobody@demo.clinic'"}
