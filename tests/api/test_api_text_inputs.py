"""Every free-text field of every request body, given a character PostgreSQL cannot store (NUL),
is refused with a 4xx or cleaned, never a 500 (found by the fuzzer: ``test_api_fuzz.py``).

The fields come from the OpenAPI document, so a new text field is checked without editing this
file. The rest of each body is valid and its ids are real and fresh (a pending request of the
caller, an action still undoable), so the request reaches the code that writes the text.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core_schema.seed.demo import DEMO_PASSWORD, VOICE_AGENT_CLIENT_ID, VOICE_AGENT_SECRET
from tests.api.proposing import applied_action, dictate_new

NUL = "\x00"
DENTIST = "dentist@demo.clinic"
# Valid values of the fields whose meaning a generic "x" would not satisfy.
# Sign-in uses an account no other test locks out: a NUL password counts as a failed attempt.
VALID = {"email": "dentist@universal.clinic", "password": DEMO_PASSWORD, "text": "thirty six occlusal caries", "verdict": "approve",
         "grant_type": "client_credentials", "client_id": VOICE_AGENT_CLIENT_ID, "client_secret": VOICE_AGENT_SECRET,
         "scope": "voice:dictate"}
SKIPPED = frozenset({("POST", "/auth/logout"), ("POST", "/api/v1/auth/logout")})


@cache
def _openapi() -> dict[str, Any]:
    return create_app().openapi()


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = _openapi()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:
        schema = next(_resolve(s) for s in schema["anyOf"] if s.get("type") != "null")
    return schema


def _body(method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    """The media type and object schema of the operation's JSON or form body."""
    content = _openapi()["paths"][path][method.lower()].get("requestBody", {}).get("content", {})
    for media in ("application/json", "application/x-www-form-urlencoded"):
        if media in content:
            return media, _resolve(content[media]["schema"])
    return None


def _text_fields() -> list[tuple[str, str, str]]:
    found = []
    for path, operations in _openapi()["paths"].items():
        for method in operations:
            body = _body(method, path)
            if body is None or (method.upper(), path) in SKIPPED:
                continue
            for name, prop in body[1].get("properties", {}).items():
                prop = _resolve(prop)
                if prop.get("type") == "string" and "format" not in prop and "enum" not in prop:
                    found.append((method.upper(), path, name))
    return found


TEXT_FIELDS = _text_fields()


@pytest.fixture(scope="module")
def app(platform):
    return create_app()


@pytest.fixture(scope="module")
def dentist(app) -> dict[str, str]:
    response = TestClient(app).post("/auth/login", json={"email": DENTIST, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _fresh_ids(http: TestClient, dentist: dict[str, str], path: str, patient: Any) -> dict[str, Any]:
    """A new pending request (and, when the route needs one, a new undoable action)."""
    def dictate() -> dict[str, Any]:
        return dictate_new(http, dentist, patient)

    ids = {"patient_id": str(patient)}
    if "{action_id}" in path:
        applied = dictate()
        decided = http.post("/api/v1/approvals/decide", headers=dentist,
                            json={"ids": applied["approval_ids"], "verdict": "approve"})
        assert decided.status_code == 200, decided.text
        ids["action_id"] = applied_action(decided, applied["run_id"])
    if "{approval_id}" in path or path.endswith("/decide"):
        pending = dictate()
        ids["approval_id"], ids["run_id"] = pending["approval_ids"][0], pending["run_id"]
        arguments = next(a["arguments"] for a in http.get("/api/v1/approvals", headers=dentist).json()
                         if a["id"] == ids["approval_id"])
        ids["set"] = {k: v for k, v in arguments.items() if not k.endswith("_id")}  # an edit that changes nothing
    return ids


def test_the_text_fields_are_found() -> None:
    fields = {(p, f) for _, p, f in TEXT_FIELDS}
    assert {("/auth/login", "email"), ("/api/v1/approvals/{approval_id}/approve", "comment"),
            ("/api/v1/actions/{action_id}/undo", "reason"), ("/auth/token", "client_id")} <= fields


@pytest.mark.parametrize(("method", "path", "field"), TEXT_FIELDS, ids=[f"{m} {p} {f}" for m, p, f in TEXT_FIELDS])
def test_a_nul_character_is_refused_or_cleaned_never_a_500(app, dentist, new_patient, method: str, path: str,
                                                            field: str) -> None:
    http = TestClient(app, raise_server_exceptions=False)
    ids = _fresh_ids(http, dentist, path, new_patient("Nul", "Probe")) if path.startswith("/api/v1/") and "/auth/" not in path else {}
    url = path
    for name, value in ids.items():
        url = url.replace("{" + name + "}", str(value))
    media, schema = _body(method, path)  # type: ignore[misc]
    body: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        if name in schema.get("required", []) or name == field:
            body[name] = ids.get(name) or VALID.get(name) or ([ids["approval_id"]] if name == "ids" else
                                                               {} if _resolve(prop).get("type") == "object" else "x")
    body[field] = f"{body[field]}{NUL}"
    sent = {"json": body} if media == "application/json" else {"data": body}
    response = http.request(method, url, headers=dentist if path.startswith("/api/v1/") else {}, **sent)
    assert response.status_code < 500, f"{method} {url} {field}=...NUL: {response.status_code} {response.text}"
    assert set(response.json()) >= ({"error", "code"} if response.status_code >= 400 else set())
