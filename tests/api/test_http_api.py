"""The HTTP API (api-contract.md): authentication, one error shape, tenant isolation, and a
reviewer's dictate -> approve -> chart -> undo flow over the same services as the CLI."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core_schema.seed.demo import (
    DEMO_PASSWORD,
    DEMO_PATIENT_IDS,
    UNIVERSAL_PATIENT_ID,
    VOICE_AGENT_CLIENT_ID,
    VOICE_AGENT_SECRET,
)


def _api_routes() -> list[tuple[str, str]]:
    """Every (method, path) under /api/v1 except sign-in itself (from the OpenAPI document), ids filled in."""
    found = []
    for path, operations in create_app().openapi()["paths"].items():
        if not path.startswith("/api/v1/") or path.startswith("/api/v1/auth/"):
            continue
        filled = path
        for name in ("patient_id", "approval_id", "action_id", "run_id"):
            filled = filled.replace("{" + name + "}", str(uuid.uuid4()))
        found += [(method.upper(), filled) for method in sorted(operations)]
    return found


API_ROUTES = _api_routes()


def login(http: TestClient, email: str = "dentist@demo.clinic", keep_cookies: bool = False) -> dict[str, str]:
    response = http.post("/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    if not keep_cookies:
        http.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def client_token(http: TestClient, **extra: str) -> dict[str, str]:
    response = http.post("/auth/token", data={"grant_type": "client_credentials", "client_id": VOICE_AGENT_CLIENT_ID,
                                              "client_secret": VOICE_AGENT_SECRET, **extra})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def dictate(http: TestClient, headers: dict[str, str], patient_id: uuid.UUID, text: str) -> dict[str, Any]:
    response = http.post("/api/v1/dictations", headers=headers, json={"patient_id": str(patient_id), "text": text})
    assert response.status_code == 200, response.text
    return response.json()


def test_routes_are_all_listed() -> None:
    paths = {p for _, p in API_ROUTES}
    # the core + memory (search, list, forget) + imaging (with 2 rendering URLs) + reconciliation, plan drafts (start, show each) and FHIR
    assert len(API_ROUTES) == 14 + 3 + 8 + 5 + 4 + 1 + 6 + 3  # ... + exams (start, show, control, finish) + a request's recording
    # + respond and answer, the clinician's questions, snooze, wake, the snoozed list
    assert {"/api/v1/approvals/questions", "/api/v1/approvals/snoozed"} <= paths
    assert {m for m, p in API_ROUTES if p.endswith("/snooze")} == {"POST", "DELETE"}
    assert all(any(p.endswith(f"/{verb}") for p in paths) for verb in ("respond", "answer"))
    # + a patient's history, a run's changes and undoing a run
    assert any(p.endswith("/chart") for p in paths) and "/api/v1/dictations" in paths and "/api/v1/me" in paths
    assert "/api/v1/events" in paths


@pytest.mark.parametrize(("method", "path"), API_ROUTES)
def test_every_api_route_needs_credentials(http, method: str, path: str) -> None:
    response = http.request(method, path, json={})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated" and response.json()["error"]
    forged = http.request(method, path, json={}, headers={"Authorization": "Bearer not.a.token"})
    assert forged.status_code == 401 and forged.json()["code"] == "invalid_token"


def test_wrong_email_or_password_get_the_same_answer(http) -> None:
    wrong_password = http.post("/auth/login", json={"email": "hygienist@demo.clinic", "password": "nope"})
    unknown = http.post("/auth/login", json={"email": "nobody@demo.clinic", "password": "nope"})
    assert wrong_password.status_code == unknown.status_code == 401
    assert wrong_password.json() == unknown.json() == {"error": "wrong email or password", "code": "invalid_credentials"}


def test_me_describes_user_and_client(http) -> None:
    me = http.get("/api/v1/me", headers=login(http)).json()
    assert me["kind"] == "user" and me["email"] == "dentist@demo.clinic" and me["role"] == "dentist"
    assert "approvals.decide.tier3" in me["permissions"]
    agent = http.get("/api/v1/me", headers=client_token(http)).json()
    assert agent["kind"] == "client" and agent["client_id"] == VOICE_AGENT_CLIENT_ID and agent["tenant_id"] == me["tenant_id"]
    assert "voice:dictate" in agent["scopes"] and "approvals:decide" not in agent["scopes"]


def test_client_credentials_refuse_bad_secret_and_unheld_scope(http) -> None:
    bad = http.post("/auth/token", data={"grant_type": "client_credentials", "client_id": VOICE_AGENT_CLIENT_ID,
                                         "client_secret": "wrong"})
    assert bad.status_code == 401 and bad.json()["code"] == "invalid_client"
    unheld = http.post("/auth/token", data={"grant_type": "client_credentials", "client_id": VOICE_AGENT_CLIENT_ID,
                                            "client_secret": VOICE_AGENT_SECRET, "scope": "voice:dictate approvals:decide"})
    assert unheld.status_code == 400 and unheld.json()["code"] == "invalid_scope"
    narrow = client_token(http, scope="patients:read")
    assert http.get("/api/v1/patients", headers=narrow).status_code == 200
    refused = http.get(f"/api/v1/patients/{DEMO_PATIENT_IDS[0]}/chart", headers=narrow)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


def test_revoked_token_is_refused_at_once(http) -> None:
    headers = login(http, "hygienist@demo.clinic")
    assert http.get("/api/v1/me", headers=headers).status_code == 200
    assert http.post("/auth/logout", headers=headers).status_code == 204
    after = http.get("/api/v1/me", headers=headers)
    assert after.status_code == 401 and after.json()["code"] == "token_revoked"

    agent = client_token(http)
    assert http.post("/api/v1/auth/logout", headers=agent).status_code == 204
    assert http.get("/api/v1/me", headers=agent).json()["code"] == "token_revoked"


def test_login_throttling_answers_429(http) -> None:
    for _ in range(5):  # DENTALAGENT_LOGIN_ATTEMPTS
        assert http.post("/auth/login", json={"email": "admin@demo.clinic", "password": "guess"}).status_code == 401
    throttled = http.post("/auth/login", json={"email": "admin@demo.clinic", "password": DEMO_PASSWORD})
    assert throttled.status_code == 429 and throttled.json()["code"] == "too_many_attempts"
    assert int(throttled.headers["Retry-After"]) > 0
    # another account from the same caller is not locked out
    assert http.post("/auth/login", json={"email": "assistant@demo.clinic", "password": DEMO_PASSWORD}).status_code == 200


def test_cookie_auth_needs_the_csrf_header_to_change_state(http) -> None:
    response = http.post("/auth/login", json={"email": "dentist@demo.clinic", "password": DEMO_PASSWORD})
    session_cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("dentalagent_session="))
    assert "HttpOnly" in session_cookie and "samesite=lax" in session_cookie.lower()
    csrf = response.json()["csrf_token"]
    assert http.get("/api/v1/me").status_code == 200  # the cookie alone reads
    body = {"ids": [str(uuid.uuid4())], "verdict": "reject"}
    refused = http.post("/api/v1/approvals/decide", json=body)
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    wrong = http.post("/api/v1/approvals/decide", json=body, headers={"X-CSRF-Token": "forged"})
    assert wrong.status_code == 403
    allowed = http.post("/api/v1/approvals/decide", json=body, headers={"X-CSRF-Token": csrf})
    assert allowed.status_code == 404  # past authentication: the id is simply unknown
    assert http.post("/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert http.get("/api/v1/me").status_code == 401


def test_voice_agent_can_dictate_but_not_approve(http) -> None:
    agent = client_token(http)
    result = dictate(http, agent, DEMO_PATIENT_IDS[1], "twenty six occlusal caries")
    assert result["status"] == "WAITING_APPROVAL" and result["approval_ids"]
    refused = http.post(f"/api/v1/approvals/{result['approval_ids'][0]}/approve", headers=agent)
    assert refused.status_code == 403 and "approvals:decide" in refused.json()["error"]
    assert http.get("/api/v1/approvals", headers=agent).status_code == 403
    dentist = login(http)
    pending = {a["id"] for a in http.get("/api/v1/approvals", headers=dentist).json()}
    assert set(result["approval_ids"]) <= pending  # the dentist reviews what the agent proposed


def test_dentist_dictates_approves_and_undoes_through_the_api(http, new_patient) -> None:
    dentist, patient = login(http), new_patient()
    chart_url = f"/api/v1/patients/{patient}/chart"
    before = http.get(chart_url, headers=dentist).json()
    result = dictate(http, dentist, patient, "thirty six occlusal caries")
    assert result["status"] == "WAITING_APPROVAL" and result["proposals"][0]["tooth"] == "36"
    assert http.get(chart_url, headers=dentist).json()["teeth"] == before["teeth"]  # nothing before approval

    decided = http.post("/api/v1/approvals/decide", headers=dentist,
                        json={"ids": result["approval_ids"], "verdict": "approve"})
    assert decided.status_code == 200, decided.text
    assert {d["run_status"] for d in decided.json()} == {"COMPLETED"}
    after = http.get(chart_url, headers=dentist).json()
    assert "caries" in str(after["teeth"]["36"]) and after["snapshot_id"] != before["snapshot_id"]

    runs = http.get("/api/v1/runs", headers=dentist).json()
    assert result["run_id"] in {r["id"] for r in runs}
    trace = http.get(f"/api/v1/runs/{result['run_id']}", headers=dentist).json()
    assert trace["status"] == "COMPLETED" and trace["steps"] and {a["status"] for a in trace["approvals"]} == {"APPROVED"}

    action = next(a for a in http.get("/api/v1/actions", headers=dentist).json() if a["execution_id"] == result["run_id"])
    undone = http.post(f"/api/v1/actions/{action['id']}/undo", headers=dentist, json={"reason": "wrong tooth"})
    assert undone.status_code == 200 and undone.json()["undone"] is True
    assert http.get(chart_url, headers=dentist).json()["teeth"] == before["teeth"]
    again = http.post(f"/api/v1/actions/{action['id']}/undo", headers=dentist)
    assert again.status_code == 409 and again.json()["code"] == "already_undone"


def test_assistant_may_not_approve_a_tier3_change(http) -> None:
    result = dictate(http, login(http), DEMO_PATIENT_IDS[0], "forty six occlusal caries")
    assistant = login(http, "assistant@demo.clinic")
    refused = http.post(f"/api/v1/approvals/{result['approval_ids'][0]}/approve", headers=assistant)
    assert refused.status_code == 403 and "tier-3" in refused.json()["error"]
    dentist = login(http)
    rejected = http.post(f"/api/v1/approvals/{result['approval_ids'][0]}/reject", headers=dentist, json={"comment": "no"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "REJECTED"
    twice = http.post(f"/api/v1/approvals/{result['approval_ids'][0]}/approve", headers=dentist)
    assert twice.status_code == 409 and twice.json()["code"] == "already_decided"


def test_other_tenants_ids_answer_404(http) -> None:
    demo, other = login(http), login(http, "dentist@universal.clinic")
    result = dictate(http, demo, DEMO_PATIENT_IDS[0], "fifteen occlusal caries")
    checks = [
        http.get(f"/api/v1/patients/{DEMO_PATIENT_IDS[0]}/chart", headers=other),
        http.get(f"/api/v1/patients/{UNIVERSAL_PATIENT_ID}/chart", headers=demo),
        http.post("/api/v1/dictations", headers=other, json={"patient_id": str(DEMO_PATIENT_IDS[0]), "text": "sixteen missing"}),
        http.get(f"/api/v1/runs/{result['run_id']}", headers=other),
        http.post(f"/api/v1/approvals/{result['approval_ids'][0]}/approve", headers=other),
        http.post("/api/v1/approvals/decide", headers=other, json={"ids": result["approval_ids"], "verdict": "reject"}),
    ]
    assert [r.status_code for r in checks] == [404] * len(checks)
    assert all(r.json()["code"] == "not_found" for r in checks)
    assert str(DEMO_PATIENT_IDS[0]) not in {p["id"] for p in http.get("/api/v1/patients", headers=other).json()}
    assert http.get(f"/api/v1/runs/{result['run_id']}", headers=demo).status_code == 200


def test_errors_have_one_shape_and_no_traceback(app, http) -> None:
    headers = login(http)
    bad = http.post("/api/v1/dictations", headers=headers, json={"patient_id": "nope", "text": "x"})
    assert bad.status_code == 422 and set(bad.json()) == {"error", "code"}
    empty = http.post("/api/v1/dictations", headers=headers, json={"patient_id": str(DEMO_PATIENT_IDS[0]), "text": "  "})
    assert empty.status_code == 422 and empty.json() == {"error": "the dictation text is empty", "code": "invalid_input"}
    assert http.get("/api/v1/runs/not-a-uuid", headers=headers).json()["code"] == "invalid_request"
    assert http.get("/nowhere").json() == {"error": "Not Found", "code": "not_found"}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret detail /var/lib/data")

    crashed = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert crashed.status_code == 500 and crashed.json() == {"error": "internal error", "code": "internal"}


def test_audio_dictation_is_a_multipart_upload(http) -> None:
    headers = login(http)
    refused = http.post("/api/v1/dictations", headers=headers, data={"patient_id": str(DEMO_PATIENT_IDS[0])},
                        files={"file": ("note.wav", b"not audio at all", "audio/wav")})
    assert refused.status_code == 422 and refused.json()["code"] == "corrupt"  # decoded before anything is written
    missing = http.post("/api/v1/dictations", headers=headers, data={"patient_id": str(DEMO_PATIENT_IDS[0])},
                        files={"other": ("x.txt", b"x")})
    assert missing.status_code == 422 and "'file'" in missing.json()["error"]


def test_healthz_hides_the_data_folder_and_openapi_lists_the_api(http) -> None:
    health = http.get("/healthz").json()
    assert health["status"] == "ok" and "home" not in health
    doc = http.get("/openapi.json").json()
    assert "/api/v1/dictations" in doc["paths"] and "DictationOut" in doc["components"]["schemas"]
    assert "multipart/form-data" in doc["paths"]["/api/v1/dictations"]["post"]["requestBody"]["content"]
