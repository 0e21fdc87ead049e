"""The API's access rules on every route at once (issue 8, "Acceptance: API").

The routes come from the OpenAPI document at test time, so a route added later is checked
without editing this file; a route whose path parameter has no foreign id here fails loudly
instead of being skipped. For every ``/api/v1`` route and every agent-protocol route (``/langgraph``):

- no credentials: 401;
- another tenant's real ids (patient, run, approval request, action): 404, never 403, 200 or
  422, which would tell the caller that the id exists; and the foreign data is left untouched;
- a token signed out a moment ago (user, API client, browser session): 401 at once;
- the ``voice-agent`` API client may dictate but every decision route answers 403.

The live-dictation WebSocket is not in the OpenAPI document; it is checked by its path.
"""

from __future__ import annotations

import uuid
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from api.app import create_app
from core_schema.seed.demo import DEMO_PASSWORD, DEMO_PATIENT_IDS
from tests.api.bearer import user_bearer, voice_agent_bearer
from tests.api.imaging_upload import phantom_case, upload
from tests.api.proposing import applied_action, dictate_new

# Signing in and getting a client token are the only operations open to anyone (besides /healthz).
PUBLIC = frozenset({("POST", "/auth/login"), ("POST", "/auth/token"),
                    ("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/token"), ("GET", "/langgraph/info")})
# Agent-protocol routes that name no clinic's data: an assistant is a workflow every clinic has; a
# store item is named by namespace and key (test_agent_protocol checks another clinic finds none).
SHARED = frozenset({"/langgraph/assistants/{assistant_id}", "/langgraph/assistants/{assistant_id}/graph",
                    "/langgraph/assistants/{assistant_id}/schemas", "/langgraph/store/items"})
# A stream that stays open; its tenant isolation is a per-user channel (tests of the events route).
STREAMS = frozenset({"/api/v1/events"})
STREAM_ROUTE = Path(__file__).resolve().parents[2] / "api" / "routes" / "dictation_stream.py"
# WebSockets are not in the OpenAPI document (and FastAPI's router offers no public way to list them).
WS_PATHS = ["/api/v1/dictations/stream"]
OWN_TENANT = "dentist@demo.clinic"
OTHER_TENANT = "dentist@universal.clinic"  # seeded in a second clinic: every id of the demo clinic is foreign to it


@cache
def _openapi() -> dict[str, Any]:
    return create_app().openapi()


def _operations() -> list[tuple[str, str]]:
    """Every (method, path template) that needs credentials: all of /api/v1 and sign-out."""
    found = []
    for path, operations in _openapi()["paths"].items():
        if not (path.startswith(("/api/v1/", "/auth/", "/langgraph/"))):
            continue
        found += [(method.upper(), path) for method in sorted(operations) if (method.upper(), path) not in PUBLIC]
    return found


OPERATIONS = _operations()
IDS = [f"{m} {p}" for m, p in OPERATIONS]


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = _openapi()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:  # ``X | None``: the non-null branch
        schema = next(_resolve(s) for s in schema["anyOf"] if s.get("type") != "null")
    return schema


def _json_body_schema(method: str, path: str) -> dict[str, Any] | None:
    body = _openapi()["paths"][path][method.lower()].get("requestBody")
    if not body or "application/json" not in body.get("content", {}):
        return None
    return _resolve(body["content"]["application/json"]["schema"])


def _value(name: str, schema: dict[str, Any], ids: dict[str, str], path: str) -> Any:
    """A valid value for one required field; ids come from ``ids`` by the field's name."""
    schema = _resolve(schema)
    if name in ids:
        return ids[name]
    if name == "ids" and path.startswith("/api/v1/approvals"):
        return [ids["approval_id"]]
    if schema.get("format") == "uuid" or (schema.get("type") == "array" and _resolve(schema["items"]).get("format") == "uuid"):
        raise AssertionError(f"{path}: no id of the right kind for the field {name!r}: add it to the ids of this test")
    if "enum" in schema:
        return schema["enum"][0]
    return {"string": "x", "integer": 1, "number": 1, "boolean": True, "array": [], "object": {}}.get(schema.get("type"), "x")


def request_for(method: str, path: str, ids: dict[str, str]) -> tuple[str, dict[str, Any] | None]:
    """The URL (path parameters filled from ``ids``) and a minimal valid JSON body of an operation."""
    url = path
    for name in _path_params(path):
        assert name in ids, f"{method} {path}: no id for the path parameter {name!r}: add it to the ids of this test"
        url = url.replace("{" + name + "}", ids[name])
    schema = _json_body_schema(method, path)
    if schema is None:
        return url, None
    body = {name: _value(name, prop, ids, path) for name, prop in schema.get("properties", {}).items()
            if name in schema.get("required", [])}
    return url, body


def _refers_to_an_id(method: str, path: str) -> bool:
    schema = _json_body_schema(method, path) or {}
    return bool(_path_params(path)) or any(
        _resolve(prop).get("format") == "uuid" or (name == "ids" and path.startswith("/api/v1/"))
        for name, prop in schema.get("properties", {}).items())


# ---------------------------------------------------------------------------------------------- fixtures


def sign_in(http: TestClient, email: str) -> dict[str, str]:
    return user_bearer(http, email)


def client_token(http: TestClient) -> dict[str, str]:
    return voice_agent_bearer(http)


_dictate = dictate_new


@pytest.fixture(scope="module")
def demo_ids(app, new_patient) -> dict[str, str]:
    """Real ids of the demo clinic: a patient, a run, a pending approval request, an applied action
    and a radiograph (filed for review on a patient of its own)."""
    http = TestClient(app)
    dentist = sign_in(http, OWN_TENANT)
    kept = _dictate(http, dentist, DEMO_PATIENT_IDS[0], "mesial occlusal caries")
    applied = _dictate(http, dentist, new_patient("Matrix", "Applied"), "occlusal caries")
    decided = http.post("/api/v1/approvals/decide", headers=dentist, json={"ids": applied["approval_ids"], "verdict": "approve"})
    assert decided.status_code == 200, decided.text
    action = {"id": applied_action(decided, applied["run_id"])}
    png, findings, _ = phantom_case(seed=31)
    radiograph = upload(http, dentist, new_patient("Matrix", "Imaging"), png, findings)
    assert radiograph.status_code == 200, radiograph.text
    exam = http.post("/api/v1/exams", headers=dentist, json={"patient_id": str(DEMO_PATIENT_IDS[0]), "mode": "perio"})
    assert exam.status_code == 200, exam.text
    return {"patient_id": str(DEMO_PATIENT_IDS[0]), "run_id": kept["run_id"], "approval_id": kept["approval_ids"][0],
            "action_id": action["id"], "object_id": radiograph.json()["object_id"], "thread_id": kept["session_id"],
            "session_id": exam.json()["session_id"], "assistant_id": "voice-to-chart"}


@pytest.fixture(scope="module")
def foreign_caller(app) -> dict[str, str]:
    """The dentist of the other clinic (every permission there: a 403 would not be about the id)."""
    return sign_in(TestClient(app), OTHER_TENANT)


# ---------------------------------------------------------------------------------------------- the list itself


def test_the_matrix_covers_the_contracts_routes() -> None:
    listed = set(OPERATIONS)
    for expected in [("GET", "/api/v1/me"), ("GET", "/api/v1/patients"), ("GET", "/api/v1/patients/{patient_id}/chart"),
                     ("POST", "/api/v1/dictations"), ("GET", "/api/v1/approvals"),
                     ("POST", "/api/v1/approvals/{approval_id}/approve"), ("POST", "/api/v1/approvals/{approval_id}/reject"),
                     ("POST", "/api/v1/approvals/{approval_id}/edit"), ("POST", "/api/v1/approvals/decide"),
                     ("GET", "/api/v1/actions"), ("POST", "/api/v1/actions/{action_id}/undo"), ("GET", "/api/v1/runs"),
                     ("GET", "/api/v1/runs/{run_id}"), ("POST", "/auth/logout")]:
        assert expected in listed, expected
    assert not listed & PUBLIC


# ---------------------------------------------------------------------------------------------- (a) 401


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=IDS)
def test_no_credentials_answer_401(http, method: str, path: str) -> None:
    url, body = request_for(method, path, {n: str(uuid.uuid4()) for n in _path_params(path)} | _fake_body_ids())
    response = http.request(method, url, json=body)
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "unauthenticated" and response.json()["error"]


def _fake_body_ids() -> dict[str, str]:
    return {"patient_id": str(uuid.uuid4()), "approval_id": str(uuid.uuid4())}


# ---------------------------------------------------------------------------------------------- (b) 404


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=IDS)
def test_another_tenants_ids_answer_404(http, demo_ids, foreign_caller, method: str, path: str) -> None:
    if path in STREAMS:
        pytest.skip("an event stream takes no id; each user hears only their own channel")
    if path in SHARED:
        pytest.skip("names no clinic's data (an assistant is a workflow; a store item is found by namespace and key)")
    if not _refers_to_an_id(method, path):
        if method == "POST" and path.startswith("/langgraph/") and path.endswith("/search"):
            # A protocol search, even for the other clinic's ids: none of them.
            response = http.post(path, headers=foreign_caller, json={"limit": 100} | (
                {"ids": [demo_ids["thread_id"]]} if path == "/langgraph/threads/search" else {}))
            assert response.status_code == 200, response.text
            leaked = [kind for kind, value in demo_ids.items() if kind != "assistant_id" and value in response.text]
            assert not leaked, f"{path} shows the other clinic's {leaked}"
            return
        if method != "GET":
            pytest.skip("takes no id")
        # A listing takes no id: it must not show any of the other clinic's.
        response = http.get(path, headers=foreign_caller)
        assert response.status_code == 200, response.text
        leaked = [kind for kind, value in demo_ids.items() if kind != "assistant_id" and value in response.text]
        assert not leaked, f"{path} shows the other clinic's {leaked}"
        return
    url, body = request_for(method, path, demo_ids)
    response = http.request(method, url, headers=foreign_caller, json=body)
    assert response.status_code == 404, f"{method} {url} {body}: {response.status_code} {response.text}"
    assert response.json()["code"] == "not_found"


def test_the_other_tenants_data_is_untouched(http, demo_ids, foreign_caller) -> None:
    """After every foreign request on the demo clinic's ids (approve, reject, edit, undo...: the 404
    matrix's requests, made again here so that this holds in any order), the demo clinic's request is
    still open and its action still undoable."""
    for method, path in OPERATIONS:
        if path not in STREAMS | SHARED and _refers_to_an_id(method, path):
            url, body = request_for(method, path, demo_ids)
            assert http.request(method, url, headers=foreign_caller, json=body).status_code == 404, (method, url)
    dentist = sign_in(http, OWN_TENANT)
    assert demo_ids["approval_id"] in {a["id"] for a in http.get("/api/v1/approvals", headers=dentist).json()}
    assert demo_ids["action_id"] in {a["id"] for a in http.get("/api/v1/actions", headers=dentist).json()}
    # the listings the other clinic saw would have shown these ids had they leaked
    assert demo_ids["run_id"] in {r["id"] for r in http.get("/api/v1/runs", headers=dentist).json()}
    assert demo_ids["patient_id"] in {p["id"] for p in http.get("/api/v1/patients", headers=dentist).json()}
    run = http.get(f"/api/v1/runs/{demo_ids['run_id']}", headers=dentist).json()
    assert run["status"] == "WAITING_APPROVAL", run["status"]


# ---------------------------------------------------------------------------------------------- (c) revoked


@pytest.fixture(scope="module")
def signed_out(app) -> dict[str, Any]:
    """Credentials of each kind, each checked to work and then signed out."""
    http = TestClient(app)
    user = sign_in(http, "hygienist@demo.clinic")
    agent = client_token(http)
    browser = TestClient(app)
    login = browser.post("/auth/login", json={"email": "assistant@demo.clinic", "password": DEMO_PASSWORD})
    csrf = login.json()["csrf_token"]
    cookies = dict(browser.cookies)
    for client, headers in ((http, user), (http, agent), (browser, {})):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert http.post("/auth/logout", headers=user).status_code == 204
    assert http.post("/api/v1/auth/logout", headers=agent).status_code == 204
    assert browser.post("/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    return {"user": {"headers": user}, "client": {"headers": agent},
            "cookie": {"headers": {"X-CSRF-Token": csrf}, "cookies": cookies}}


@pytest.mark.parametrize("kind", ["user", "client", "cookie"])
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=IDS)
def test_signed_out_credentials_are_refused_at_once(app, signed_out, demo_ids, kind: str, method: str, path: str) -> None:
    http = TestClient(app, cookies=signed_out[kind].get("cookies"))
    url, body = request_for(method, path, demo_ids)
    response = http.request(method, url, headers=signed_out[kind]["headers"], json=body)
    assert response.status_code == 401, f"{kind}: {response.status_code} {response.text}"
    assert response.json()["code"] in ({"unauthenticated"} if kind == "cookie" else {"token_revoked"})


# ---------------------------------------------------------------------------------------------- (d) voice-agent


def _decision_operations() -> list[tuple[str, str]]:
    """Every state-changing approval or undo route: what an agent must never do for a person."""
    return [(m, p) for m, p in OPERATIONS
            if m != "GET" and (p.startswith("/api/v1/approvals") or p.endswith(("/undo", "/runs/{run_id}/cancel")))]


@pytest.fixture(scope="module")
def agent_world(app, new_patient) -> dict[str, Any]:
    """What the voice-agent client proposed (pending), and an action a person applied: same clinic."""
    http = TestClient(app)
    agent = client_token(http)
    proposed = _dictate(http, agent, DEMO_PATIENT_IDS[2], "occlusal caries")
    dentist = sign_in(http, OWN_TENANT)
    applied = _dictate(http, dentist, new_patient("Agent", "Applied"), "distal caries")
    decided = http.post("/api/v1/approvals/decide", headers=dentist,
                        json={"ids": applied["approval_ids"], "verdict": "approve"})
    assert decided.status_code == 200, decided.text
    action = {"id": applied_action(decided, applied["run_id"])}
    ids = {"patient_id": str(DEMO_PATIENT_IDS[2]), "approval_id": proposed["approval_ids"][0], "action_id": action["id"],
           "run_id": proposed["run_id"], "thread_id": proposed["session_id"]}
    return {"agent": agent, "dentist": dentist, "ids": ids, "proposed": proposed}


def test_voice_agent_may_dictate(agent_world) -> None:
    proposed = agent_world["proposed"]
    assert proposed["status"] == "WAITING_APPROVAL" and proposed["proposals"][0]["label"] == "caries"
    assert proposed["approval_ids"]


def test_the_decision_routes_are_found() -> None:
    paths = {p for _, p in _decision_operations()}
    assert {"/api/v1/approvals/{approval_id}/approve", "/api/v1/approvals/{approval_id}/reject",
            "/api/v1/approvals/{approval_id}/edit", "/api/v1/approvals/decide", "/api/v1/actions/{action_id}/undo",
            "/langgraph/threads/{thread_id}/runs/{run_id}/cancel"} <= paths


@pytest.mark.parametrize(("method", "path"), _decision_operations(), ids=[f"{m} {p}" for m, p in _decision_operations()])
def test_voice_agent_may_not_decide(http, agent_world, method: str, path: str) -> None:
    url, body = request_for(method, path, agent_world["ids"])
    response = http.request(method, url, headers=agent_world["agent"], json=body)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "forbidden"
    dentist = agent_world["dentist"]
    assert agent_world["ids"]["approval_id"] in {a["id"] for a in http.get("/api/v1/approvals", headers=dentist).json()}
    assert agent_world["ids"]["action_id"] in {a["id"] for a in http.get("/api/v1/actions", headers=dentist).json()}


# ---------------------------------------------------------------------------------------------- WebSocket


def _ws_refusal(http: TestClient, url: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The socket's first message, which must be an error followed by a policy close (1008)."""
    with http.websocket_connect(url, headers=headers or {}) as ws:
        message = ws.receive_json()
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1008, closed.value.code
    assert message["type"] == "error", message
    return message


needs_stream = pytest.mark.skipif(not STREAM_ROUTE.exists(), reason="no live-dictation socket yet (api/routes/dictation_stream.py)")


@needs_stream
@pytest.mark.parametrize("path", WS_PATHS)
def test_sockets_refuse_callers_without_credentials(http, path: str) -> None:
    message = _ws_refusal(http, f"{path}?patient_id={DEMO_PATIENT_IDS[0]}")
    assert message["code"] == "unauthenticated"
    forged = _ws_refusal(http, f"{path}?patient_id={DEMO_PATIENT_IDS[0]}&access_token=not.a.token")
    assert forged["code"] == "invalid_token"


@needs_stream
def test_live_dictation_for_another_tenants_patient_answers_not_found(http, foreign_caller, demo_ids) -> None:
    message = _ws_refusal(http, f"/api/v1/dictations/stream?patient_id={demo_ids['patient_id']}", headers=foreign_caller)
    assert message["code"] == "not_found"


@needs_stream
def test_live_dictation_refuses_a_signed_out_token(http, signed_out) -> None:
    token = signed_out["user"]["headers"]["Authorization"].split()[1]
    message = _ws_refusal(http, f"/api/v1/dictations/stream?patient_id={DEMO_PATIENT_IDS[0]}&access_token={token}")
    assert message["code"] == "token_revoked"
