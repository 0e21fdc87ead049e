"""``/api/v1/memory``: what the agents remember of a patient, over HTTP (issue 11, "CLI and API routes").

After a dictation is approved and applied its visit summary is found; another clinic sees none of
it (404 for its patient); erasure needs the supervisor permission, which no API client holds; after
it nothing of the patient remains.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core_schema.seed.demo import DEMO_TENANT_ID
from tests.api.bearer import user_bearer, voice_agent_bearer
from tests.memory.helpers import count_rows

HIT_KEYS = {"id", "memory_type", "scope", "content", "score"}


@pytest.fixture(scope="module")
def http(platform) -> TestClient:
    return TestClient(create_app())


def sign_in(http: TestClient, email: str = "dentist@demo.clinic") -> dict[str, str]:
    return user_bearer(http, email)


def voice_agent(http: TestClient) -> dict[str, str]:
    return voice_agent_bearer(http)


@pytest.fixture(scope="module")
def applied(http, new_patient) -> dict[str, Any]:
    """A fresh patient whose dictation the dentist approved (so its run completed and was summarised)."""
    return _apply(http, new_patient)


def _apply(http: TestClient, new_patient) -> dict[str, Any]:
    patient = new_patient("Memory", "Probe")
    dentist = sign_in(http)
    out = http.post("/api/v1/dictations", headers=dentist,
                    json={"patient_id": str(patient), "text": "Tooth sixteen occlusal caries"})
    assert out.status_code == 200 and out.json()["approval_ids"], out.text
    decided = http.post("/api/v1/approvals/decide", headers=dentist,
                        json={"ids": out.json()["approval_ids"], "verdict": "approve"})
    assert decided.status_code == 200, decided.text
    return {"patient": patient, "run_id": out.json()["run_id"], "dentist": dentist}


def _search(http: TestClient, headers: dict[str, str], patient: uuid.UUID, q: str = "caries on 16"):
    return http.get("/api/v1/memory/search", headers=headers, params={"q": q, "patient_id": str(patient)})


def _rows_of(patient: uuid.UUID, platform) -> int:
    return count_rows(platform.db, "tenant_id = :t AND (scope_id = :p OR source_id = :p)", t=DEMO_TENANT_ID, p=patient)


def test_search_finds_the_applied_dictations_summary(http, applied) -> None:
    response = _search(http, applied["dentist"], applied["patient"])
    assert response.status_code == 200, response.text
    hits = response.json()
    assert len(hits) == 1 and set(hits[0]) == HIT_KEYS
    assert hits[0]["memory_type"] == "SUMMARY" and hits[0]["scope"] == "PATIENT" and hits[0]["score"] > 0
    assert "tooth 16 caries (O)" in hits[0]["content"] and applied["run_id"][:8] in hits[0]["content"]
    assert "Memory" not in hits[0]["content"] and "Probe" not in hits[0]["content"]  # ids, never names

    listed = http.get("/api/v1/memory", headers=applied["dentist"],
                      params={"patient_id": str(applied["patient"]), "kind": "episodic"})
    assert listed.status_code == 200, listed.text
    assert [m["id"] for m in listed.json()] == [hits[0]["id"]]
    assert listed.json()[0]["scope_id"] == str(applied["patient"]) and listed.json()[0]["access_count"] >= 1
    none = http.get("/api/v1/memory", headers=applied["dentist"],
                    params={"patient_id": str(applied["patient"]), "kind": "procedural"})
    assert none.status_code == 200 and none.json() == []


def test_another_clinic_never_sees_the_patient(http, applied) -> None:
    other = sign_in(http, "dentist@universal.clinic")
    for response in (_search(http, other, applied["patient"]),
                     http.get("/api/v1/memory", headers=other, params={"patient_id": str(applied["patient"])}),
                     http.delete(f"/api/v1/patients/{applied['patient']}/memories", headers=other)):
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "not_found"
    clinic_wide = http.get("/api/v1/memory/search", headers=other, params={"q": "tooth 16 caries"})
    assert clinic_wide.status_code == 200 and applied["run_id"][:8] not in clinic_wide.text
    assert len(_search(http, applied["dentist"], applied["patient"]).json()) == 1  # untouched


def test_credentials_and_permissions(http, applied, platform) -> None:
    patient = applied["patient"]
    for method, url in (("GET", f"/api/v1/memory/search?q=caries&patient_id={patient}"), ("GET", "/api/v1/memory"),
                        ("DELETE", f"/api/v1/patients/{patient}/memories")):
        response = TestClient(http.app).request(method, url)
        assert response.status_code == 401 and response.json()["code"] == "unauthenticated", response.text
    agent = voice_agent(http)
    assert len(_search(http, agent, patient).json()) == 1  # patients:read: the agent may recall
    for headers in (agent, sign_in(http, "assistant@demo.clinic")):
        refused = http.delete(f"/api/v1/patients/{patient}/memories", headers=headers)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden", refused.text
    assert _rows_of(patient, platform) == 1


def test_bad_filters_are_refused_not_crashed(http, applied) -> None:
    dentist = applied["dentist"]
    assert http.get("/api/v1/memory/search", headers=dentist).json() == []  # nothing asked, nothing found
    unknown = http.get("/api/v1/memory", headers=dentist, params={"clinician": "nobody@demo.clinic"})
    assert unknown.status_code == 404 and "nobody@demo.clinic" in unknown.json()["error"]
    for params in ({"q": "x", "mode": "psychic"}, {"q": "x", "kind": "gossip"}, {"q": "x\x00y"}, {"q": "x", "limit": 0}):
        response = http.get("/api/v1/memory/search", headers=dentist, params=params)
        assert response.status_code == 422, (params, response.text)
    stranger = uuid.uuid4()
    assert http.delete(f"/api/v1/patients/{stranger}/memories", headers=dentist).status_code == 404


def test_forget_erases_the_patients_memories(http, new_patient, platform) -> None:
    """A patient of its own: the other tests read the summary of ``applied``'s, which this would erase."""
    applied = _apply(http, new_patient)
    patient = applied["patient"]
    assert _rows_of(patient, platform) == 1
    gone = http.delete(f"/api/v1/patients/{patient}/memories", headers=applied["dentist"])
    assert gone.status_code == 200, gone.text
    assert gone.json() == {"patient_id": str(patient), "memories_deleted": 1, "objects_deleted": 0}
    assert _rows_of(patient, platform) == 0  # rows, and the embeddings they hold
    assert _search(http, applied["dentist"], patient).json() == []
    assert http.delete(f"/api/v1/patients/{patient}/memories", headers=applied["dentist"]).json()["memories_deleted"] == 0
