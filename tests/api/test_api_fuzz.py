"""Property-based fuzzing of the HTTP API (issue 8, "Fuzzing"): schemathesis generates requests
from ``/openapi.json`` for every operation and sends them as the signed-in dentist.

A 5xx is a defect, and so is a response the document does not describe (status code, content
type, body schema, headers): the OpenAPI document is what other programs are built against.
Bounded and seeded so a failure found in CI is found again on a laptop.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from core_schema.seed.demo import DEMO_PASSWORD, DEMO_PATIENT_IDS, UNIVERSAL_PATIENT_ID
from tests.api.imaging_upload import phantom_case, upload

MAX_EXAMPLES = 15  # per operation and phase: enough to cross every branch of input validation, fast on 2 cores
SEED = 20261125

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]

# Operations the fuzzer must not call: signing out would revoke the fuzzer's own token halfway.
EXCLUDED_PATH_REGEX = r"^(/api/v1)?/auth/logout$"
# A server-sent event stream never ends by itself; with ?once=1 it answers what is pending and closes.
EVENT_STREAM_PATHS = frozenset({"/api/v1/events"})

CONFIG = SchemathesisConfig.from_dict({
    "seed": SEED,
    "max-stream-events": 1,  # the stream's first event (hello) is enough to check its shape; do not wait for more
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none", "mode": "all",
                   "no-shrink": True},  # a failure is reported as found: shrinking it would cost minutes
    # the coverage phase multiplies the cases per operation (every boundary of every field) past the time budget
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
})

schema = schemathesis.openapi.from_dict(create_app().openapi(), config=CONFIG).exclude(path_regex=EXCLUDED_PATH_REGEX)


@pytest.fixture(scope="module")
def app(platform):
    return create_app()


@pytest.fixture(scope="module")
def dentist_headers(app) -> dict[str, str]:
    """The bearer token of the signed-in dentist (cookies are not sent: no CSRF in the way)."""
    response = TestClient(app).post("/auth/login", json={"email": "dentist@demo.clinic", "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture(scope="module")
def real_ids(app, dentist_headers) -> dict[str, list[str]]:
    """Ids that exist, so generated requests also reach past the lookup: this tenant's patients
    (and another tenant's, which must answer 404), pending approvals, a run, an undoable action."""
    http = TestClient(app)
    approvals, runs = [], []
    for patient, text in zip(DEMO_PATIENT_IDS, ["twenty six occlusal caries", "fourteen missing",
                                                "thirty six mesial occlusal caries"], strict=False):
        result = http.post("/api/v1/dictations", headers=dentist_headers, json={"patient_id": str(patient), "text": text})
        assert result.status_code == 200, result.text
        approvals += result.json()["approval_ids"]
        runs.append(result.json()["run_id"])
    assert len(approvals) >= 2
    applied = http.post("/api/v1/approvals/decide", headers=dentist_headers, json={"ids": approvals[:1], "verdict": "approve"})
    assert applied.status_code == 200, applied.text
    actions = [a["id"] for a in http.get("/api/v1/actions", headers=dentist_headers).json()]
    assert actions
    png, findings, _ = phantom_case(seed=41)
    radiograph = upload(http, dentist_headers, DEMO_PATIENT_IDS[0], png, findings)
    assert radiograph.status_code == 200, radiograph.text
    return {"patient_id": [str(p) for p in DEMO_PATIENT_IDS] + [str(UNIVERSAL_PATIENT_ID)],
            "approval_id": approvals[1:], "ids": approvals[1:], "action_id": actions,
            "run_id": runs + [radiograph.json()["run_id"]], "object_id": [radiograph.json()["object_id"]]}


def _swap(name: str, value: Any, real: dict[str, list[str]]) -> Any:
    """Half of the generated UUIDs (chosen by their hash: repeatable) become real ids of that kind."""
    if name not in real or not isinstance(value, str):
        return value
    try:
        uuid.UUID(value)
    except ValueError:
        return value  # a deliberately malformed id stays malformed
    digest = int(hashlib.sha256(value.encode()).hexdigest(), 16)
    return real[name][digest // 2 % len(real[name])] if digest % 2 else value


def _with_real_ids(case: Any, real: dict[str, list[str]]) -> None:
    for name, value in dict(case.path_parameters or {}).items():
        case.path_parameters[name] = _swap(name, value, real)
    if isinstance(case.body, dict):
        for name, value in list(case.body.items()):
            if isinstance(value, list):
                case.body[name] = [_swap(name, v, real) for v in value]
            else:
                case.body[name] = _swap(name, value, real)


def test_logout_is_the_only_operation_left_out() -> None:
    """The exclusion must not silently drop anything else (a typo in the regex would)."""
    all_ops = {(op.method.upper(), op.path) for op in _operations(schemathesis.openapi.from_dict(create_app().openapi()))}
    fuzzed = {(op.method.upper(), op.path) for op in _operations(schema)}
    assert all_ops - fuzzed == {("POST", "/auth/logout"), ("POST", "/api/v1/auth/logout")}
    assert any(path.startswith("/api/v1/") for _, path in fuzzed) and ("POST", "/api/v1/dictations") in fuzzed


def _operations(loaded: Any) -> list[Any]:
    return [result.ok() for result in loaded.get_all_operations()]


@schema.parametrize()
def test_api_answers_every_generated_request_within_its_schema(case: Any, app, dentist_headers: dict[str, str],
                                                              real_ids: dict[str, list[str]]) -> None:
    _with_real_ids(case, real_ids)
    params = {"once": "1"} if case.path in EVENT_STREAM_PATHS else None
    case.call_and_validate(app=app, headers=dentist_headers, params=params, checks=CHECKS)
