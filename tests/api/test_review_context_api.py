"""The context of a dictated request at the moment of decision (GET /api/v1/approvals'
``context``): the utterance's transcript with the words the request rests on, and its
recording streamed after the clinic's check (GET /api/v1/approvals/{id}/recording)."""

from __future__ import annotations

import io
import math
import struct
import uuid
import wave

from fastapi.testclient import TestClient

from core_schema.seed.demo import DEMO_PASSWORD, DEMO_TENANT_ID
from tools.clinical.chart import write_snapshot
from voice import sessions as voice_store
from voice.review import highlights
from voice.service import run_dictation


def _login(http: TestClient, email: str = "dentist@demo.clinic") -> dict[str, str]:
    response = http.post("/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    http.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _tone() -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 8))) for i in range(8000)))
    return buf.getvalue()


def _words(context: dict) -> list[str]:
    return [context["transcript"][start:end] for start, end in context["highlights"]]


def test_a_dictated_request_carries_its_words_and_plays_its_recording_only_in_its_clinic(
        http: TestClient, engine, actor, new_patient) -> None:
    said = "thirty six occlusal and distal caries, 14 missing"
    out = run_dictation(engine, actor(), new_patient("Context", "Words"), text=said)
    caries, missing = out["approval_ids"]
    audio = _tone()
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        voice_store.store_recording(s, tenant_id=DEMO_TENANT_ID, session_id=uuid.UUID(out["session_id"]),
                                    utterance_id=uuid.UUID(out["utterance_id"]), audio=audio, fmt="wav",
                                    duration_s=0.5, sample_rate=16000)
    dentist = _login(http)
    listed = {a["id"]: a for a in http.get("/api/v1/approvals", headers=dentist).json()}
    assert listed[caries]["context"]["transcript"] == said
    assert _words(listed[caries]["context"]) == ["thirty six", "occlusal", "distal", "caries"]
    assert _words(listed[missing]["context"]) == ["14", "missing"]
    assert listed[caries]["context"]["recording_url"] == f"/api/v1/approvals/{caries}/recording"

    played = http.get(f"/api/v1/approvals/{caries}/recording", headers=dentist)
    assert played.status_code == 200 and played.headers["content-type"] == "audio/wav" and played.content == audio

    other = _login(http, "dentist@universal.clinic")
    refused = http.get(f"/api/v1/approvals/{caries}/recording", headers=other)
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    assert caries not in {a["id"] for a in http.get("/api/v1/approvals", headers=other).json()}
    assert http.get(f"/api/v1/approvals/{uuid.uuid4()}/recording", headers=dentist).status_code == 404


def test_a_typed_dictation_has_a_transcript_but_no_recording(http: TestClient, engine, actor, new_patient) -> None:
    out = run_dictation(engine, actor(), new_patient("Context", "Typed"), text="caries on 46 distal")
    [request] = out["approval_ids"]
    dentist = _login(http)
    context = {a["id"]: a for a in http.get("/api/v1/approvals", headers=dentist).json()}[request]["context"]
    assert _words(context) == ["caries", "46", "distal"] and context["recording_url"] is None
    assert http.get(f"/api/v1/approvals/{request}/recording", headers=dentist).status_code == 404


def test_only_the_words_of_the_request_are_highlighted() -> None:
    said = "crown planned on tooth twenty-one, buccal caries on one six"
    words = lambda args: [said[a:b] for a, b in highlights(said, args)]  # noqa: E731
    assert words({"changes": [{"tooth": "16", "surfaces": ["B"], "label": "caries"}]}) == ["buccal", "caries", "one six"]
    assert words({"tooth": "21", "procedure": "crown"}) == ["crown", "twenty-one"]
    two = "caries on 36 distal and 37 mesial"
    assert [two[a:b] for a, b in highlights(two, {"changes": [{"tooth": "37", "surfaces": ["M"], "label": "caries"}]})] == \
        ["caries", "37", "mesial"]
    assert highlights("distal caries", {"changes": [{"tooth": "37", "surfaces": ["D"], "label": "caries"}]}) == [[0, 6], [7, 13]]
    assert highlights("sounds good", {"changes": [{"tooth": "37", "label": "caries"}]}) == []


def test_a_change_at_odds_with_the_chart_is_listed_with_its_conflict(http: TestClient, engine, actor, new_patient) -> None:
    patient = new_patient("Context", "Conflicts")
    out = run_dictation(engine, actor(), patient, text="thirty six distal caries, 14 occlusal caries, 15 mesial caries")
    gone, charted, fresh = out["approval_ids"]
    [again] = run_dictation(engine, actor(), patient, text="37 missing")["approval_ids"]
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:  # the chart changes while they wait (another decision)
        write_snapshot(s, tenant_id=DEMO_TENANT_ID, patient_id=patient, source="test", user_id=None, chart={"teeth": {
            "36": {"status": "missing"}, "37": {"status": "missing"},
            "14": {"conditions": [{"label": "caries", "surfaces": ["O", "D"]}]}}})
    listed = {a["id"]: a for a in http.get("/api/v1/approvals", headers=_login(http)).json()}
    assert listed[gone]["conflicts"] == [{"tooth": "36", "kind": "tooth_gone", "message": "Tooth 36 is charted missing"}]
    assert listed[charted]["conflicts"] == [{"tooth": "14", "kind": "already_charted",
                                             "message": "Tooth 14 already has caries (O) charted"}]
    assert listed[fresh]["conflicts"] == []
    assert listed[again]["conflicts"] == [{"tooth": "37", "kind": "already_charted", "message": "Tooth 37 is already charted missing"}]
