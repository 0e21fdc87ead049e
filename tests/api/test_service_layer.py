"""One service layer under both faces: the CLI and the HTTP routers hold no queries, and one
``DomainError`` family gives each refusal its code, its HTTP status and its one-line CLI error."""

from __future__ import annotations

import ast
import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.app import create_app
from core_schema.errors import DomainError, InvalidInput, NotFound
from core_schema.models import ActionHistory
from core_schema.seed.demo import DEMO_PATIENT_IDS
from tests.api.bearer import user_bearer

ROOT = Path(__file__).resolve().parents[2]
FACES = [ROOT / "api" / "cli", ROOT / "api" / "routes"]
# What only a service may touch: the ORM, the engine's sessions, the models.
FORBIDDEN_MODULES = ("sqlalchemy", "core_schema.models", "core_schema.db")
FORBIDDEN_CALLS = frozenset({"tenant_session", "system_session", "get_database", "execute", "scalars", "scalar"})


def _violations(path: Path) -> list[str]:
    """Imports of the database layer and session calls in one module of a face."""
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for module in modules:
            if any(module == f or module.startswith(f + ".") for f in FORBIDDEN_MODULES):
                found.append(f"{where}:{node.lineno} imports {module}")
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name in FORBIDDEN_CALLS:
                found.append(f"{where}:{node.lineno} calls {name}()")
    return found


def test_faces_hold_no_queries_or_sessions() -> None:
    files = sorted(p for face in FACES for p in face.glob("*.py"))
    assert len(files) > 10  # the check really looks at the faces
    assert [v for path in files for v in _violations(path)] == []


def test_the_check_catches_a_query(tmp_path: Path) -> None:
    bad = tmp_path / "probe.py"
    bad.write_text("from sqlalchemy import select\n\ndef f(db):\n    with db.tenant_session(1) as s:\n        return s\n")
    assert _violations(bad) == ["probe.py:1 imports sqlalchemy", "probe.py:1 imports sqlalchemy.select",
                                "probe.py:4 calls tenant_session()"]


def test_codes_carry_their_status() -> None:
    assert (NotFound("x").status, NotFound("x").code) == (404, "not_found")
    assert (InvalidInput("x").status, InvalidInput("x").code) == (422, "invalid_input")
    assert DomainError("already_decided", "x").status == 409 and DomainError("forbidden", "x").status == 403
    assert DomainError("something_new", "x").status == 400 and DomainError("expired", "x", 410).status == 410
    assert isinstance(InvalidInput("x"), ValueError) and isinstance(NotFound("x"), LookupError)


# -- the same refusal on both faces ------------------------------------------------------------

@pytest.fixture(scope="module")
def http(platform):
    return TestClient(create_app())


def _login(http: TestClient, email: str = "dentist@demo.clinic") -> dict[str, str]:
    return user_bearer(http, email)


def _dictate(http: TestClient, headers: dict[str, str], patient: uuid.UUID, text: str) -> dict[str, Any]:
    response = http.post("/api/v1/dictations", headers=headers, json={"patient_id": str(patient), "text": text})
    assert response.status_code == 200, response.text
    assert response.json()["approval_ids"], response.json()
    return response.json()


def _cli_refusal(platform, *args: str, plain_too: bool = False) -> str:
    """The CLI's error for ``args`` as ``{"error"}`` with --json (and, asked, the same one line as text)."""
    as_json = platform.cli(*args, "--json")
    assert as_json.returncode == 2, as_json.stdout + as_json.stderr
    message = json.loads(as_json.stdout)["error"]
    assert "Traceback" not in as_json.stderr and "\n" not in message
    if plain_too:
        plain = platform.cli(*args)
        assert plain.returncode == 2 and plain.stderr.strip() == f"error: {message}" and not plain.stdout
    return message


def _http_refusal(response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code and set(body) == {"error", "code"}
    return body["error"]


def test_unknown_patient(platform, http) -> None:
    patient = uuid.uuid4()
    message = _http_refusal(http.get(f"/api/v1/patients/{patient}/chart", headers=_login(http)), 404, "not_found")
    assert message == f"patient {patient} not found in this clinic"
    assert _cli_refusal(platform, "chart", "show", "--patient", str(patient), plain_too=True) == message


def test_other_tenants_approval_and_already_decided(platform, http) -> None:
    dentist = _login(http)
    approval_id = _dictate(http, dentist, DEMO_PATIENT_IDS[1], "twenty five occlusal caries")["approval_ids"][0]
    other = _login(http, "dentist@universal.clinic")
    message = _http_refusal(http.post(f"/api/v1/approvals/{approval_id}/approve", headers=other), 404, "not_found")
    assert message == f"approval {approval_id} not found in this clinic"
    assert _cli_refusal(platform, "approvals", "approve", approval_id, "--as", "dentist@universal.clinic") == message

    assert http.post(f"/api/v1/approvals/{approval_id}/reject", headers=dentist).status_code == 200
    message = _http_refusal(http.post(f"/api/v1/approvals/{approval_id}/approve", headers=dentist), 409, "already_decided")
    assert message.startswith(f"approval {approval_id} was already decided: REJECTED")
    assert _cli_refusal(platform, "approvals", "approve", approval_id, "--as", "dentist@demo.clinic") == message


def test_undo_by_another_user_and_after_the_window(platform, http) -> None:
    dentist = _login(http)
    result = _dictate(http, dentist, DEMO_PATIENT_IDS[2], "forty seven occlusal caries")
    decided = http.post("/api/v1/approvals/decide", headers=dentist, json={"ids": result["approval_ids"], "verdict": "approve"})
    assert decided.status_code == 200, decided.text
    action_id = next(a["id"] for a in http.get("/api/v1/actions", headers=dentist).json() if a["execution_id"] == result["run_id"])

    assistant = _login(http, "assistant@demo.clinic")
    message = _http_refusal(http.post(f"/api/v1/actions/{action_id}/undo", headers=assistant), 403, "forbidden")
    assert _cli_refusal(platform, "undo", action_id, "--as", "assistant@demo.clinic", plain_too=True) == message

    with platform.db.system_session() as s:
        s.execute(update(ActionHistory).where(ActionHistory.id == uuid.UUID(action_id))
                  .values(undo_expires_at=datetime.now(timezone.utc) - timedelta(minutes=1)))
    message = _http_refusal(http.post(f"/api/v1/actions/{action_id}/undo", headers=dentist), 409, "expired")
    assert message.startswith(f"the undo window of action {action_id} closed at")
    assert _cli_refusal(platform, "undo", action_id, "--as", "dentist@demo.clinic") == message


def test_malformed_audio(platform, http, tmp_path: Path) -> None:
    garbage = b"RIFF\x00\x00\x00\x00WAVE but not really audio"
    response = http.post("/api/v1/dictations", headers=_login(http), data={"patient_id": str(DEMO_PATIENT_IDS[0])},
                         files={"file": ("note.wav", garbage, "audio/wav")})
    assert response.status_code == 422 and response.json()["code"] in ("corrupt", "unsupported_format")
    message = response.json()["error"]
    path = tmp_path / "note.wav"
    path.write_bytes(garbage)
    assert _cli_refusal(platform, "dictate", str(path), "--patient", str(DEMO_PATIENT_IDS[0]),
                        "--as", "dentist@demo.clinic") == message
