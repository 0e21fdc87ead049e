"""Live dictation over a WebSocket (live_protocol.md): synthetic speech streamed like a browser's
MediaRecorder (WebM/Opus chunks) or raw PCM, previewed, ended by the VAD or a stop, and run
through the same ``dictate`` service as an upload; refusals end the socket with an error."""

from __future__ import annotations

import json
import math
import threading
import time
import uuid
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from starlette.websockets import WebSocketDisconnect

from core_schema.models import AgentExecution, VoiceRecording, VoiceSession, VoiceUtterance
from core_schema.seed.demo import (
    DEMO_PASSWORD,
    DEMO_PATIENT_IDS,
    DEMO_TENANT_ID,
    UNIVERSAL_PATIENT_ID,
    VOICE_AGENT_CLIENT_ID,
    VOICE_AGENT_SECRET,
)
from core_schema.settings import get_settings
from evals.audio_synth import SAMPLE_RATE, _float_to_pcm16, encode, piper_available, synthesize

# an audio suite: the speech model dominates it, the mode adds nothing (tests/conftest.py)
pytestmark = [pytest.mark.skipif(not piper_available(), reason="piper-tts voice not installed"),
              pytest.mark.ci_embedded_only]

SENTENCE = "Tooth sixteen occlusal caries and mark seventeen as missing"
CHUNK_S = 0.25  # MediaRecorder's timeslice in the web app
URL = "/api/v1/dictations/stream"
PATIENT = DEMO_PATIENT_IDS[2]


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    return synthesize(SENTENCE, "piper-joe")


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), np.float32)


def token(http: TestClient, email: str = "dentist@demo.clinic") -> str:
    response = http.post("/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    http.cookies.clear()
    return response.json()["access_token"]


def client_token(http: TestClient) -> str:
    response = http.post("/auth/token", data={"grant_type": "client_credentials", "client_id": VOICE_AGENT_CLIENT_ID,
                                              "client_secret": VOICE_AGENT_SECRET})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def webm_chunks(samples: np.ndarray) -> list[bytes]:
    """A live WebM/Opus stream (no duration, like MediaRecorder) cut into ~CHUNK_S byte slices."""
    data = encode(samples, "webm", live=True)
    n = max(1, round(samples.size / SAMPLE_RATE / CHUNK_S))
    size = math.ceil(len(data) / n)
    return [data[i:i + size] for i in range(0, len(data), size)]


def pcm_chunks(samples: np.ndarray, rate: int) -> list[bytes]:
    from voice.asr.audio import resample

    pcm = _float_to_pcm16(resample(samples, SAMPLE_RATE, rate))
    size = int(rate * CHUNK_S) * 2
    return [pcm[i:i + size] for i in range(0, len(pcm), size)]


def converse(ws: Any, chunks: list[bytes], pace_s: float = 0.0, then: dict[str, str] | None = None,
             hold_at: int | None = None) -> list[tuple[float, dict[str, Any]]]:
    """Send the chunks (``pace_s`` apart, as a microphone would), then ``then``, while receiving:
    every message until the server closes, with its arrival time relative to the first chunk.

    ``hold_at``: send no chunk from this index on until a partial transcript arrived (a slow
    machine must not turn "a preview while speaking" into a race with the end of speech).
    """
    start = time.monotonic()
    previewed = threading.Event()

    def send() -> None:
        try:
            for i, chunk in enumerate(chunks):
                if i == hold_at:
                    previewed.wait(timeout=60)
                ws.send_bytes(chunk)
                if pace_s:
                    time.sleep(pace_s)
            if then is not None:
                ws.send_text(json.dumps(then))
        except Exception:  # the server closed first (speech end, refusal): the rest is not needed
            pass

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    received = []
    try:
        while True:
            try:
                message = ws.receive_json()
            except WebSocketDisconnect as closed:
                assert closed.code == 1000, closed
                return received
            received.append((time.monotonic() - start, message))
            if message["type"] == "partial":
                previewed.set()
            if message["type"] in ("result", "error"):
                with pytest.raises(WebSocketDisconnect) as closed:
                    ws.receive_json()
                assert closed.value.code == 1000 if message["type"] == "result" else closed.value.code in (1008, 1011)
                return received
    finally:
        sender.join()


def voice_rows(engine) -> tuple[int, ...]:
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in
                     (VoiceSession, VoiceUtterance, VoiceRecording, AgentExecution))


def recording_format(engine, session_id: str) -> str:
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        return s.scalars(select(VoiceRecording.format).where(VoiceRecording.session_id == uuid.UUID(session_id))).one()


def test_webm_stream_previews_then_runs_the_dictation(http, engine, speech) -> None:
    url = f"{URL}?patient_id={PATIENT}&format=webm&access_token={token(http)}"
    with http.websocket_connect(url) as ws:
        assert ws.receive_json() == {"type": "ready"}
        speech_chunks = int(speech.size / SAMPLE_RATE / CHUNK_S)  # the silence starts after these
        timed = converse(ws, webm_chunks(np.concatenate([speech, silence(1.5)])), pace_s=CHUNK_S, hold_at=speech_chunks)
    types = [m["type"] for _, m in timed]
    print("\nlive webm:", [(round(t, 2), m["type"], m.get("text") or m.get("reason") or "") for t, m in timed])
    ends = {m["type"]: t for t, m in timed}
    print(f"speech_end -> result: {ends['result'] - ends['speech_end']:.2f} s")
    partials = [m["text"] for _, m in timed if m["type"] == "partial"]
    assert partials and all(p.strip() for p in partials), types
    assert types == ["partial"] * len(partials) + ["speech_end", "final", "result"], types
    assert timed[len(partials)][1]["reason"] == "vad"  # the VAD heard the silence, no stop was sent
    final, result = timed[-2][1], timed[-1][1]["result"]
    assert final["text"] == result["transcript"] and result["transcript"]
    assert result["status"] == "WAITING_APPROVAL" and result["approval_ids"] and result["run_id"]
    assert {p["tooth"] for p in result["proposals"]} & {"16", "17"}
    assert recording_format(engine, result["session_id"]) == "webm"  # the run heard the stored stream


def test_pcm16_stream_at_another_rate_with_a_client_token(http, engine, speech) -> None:
    url = f"{URL}?patient_id={PATIENT}&format=pcm16&sample_rate=24000&access_token={client_token(http)}"
    with http.websocket_connect(url) as ws:
        assert ws.receive_json() == {"type": "ready"}
        timed = converse(ws, pcm_chunks(np.concatenate([speech, silence(1.5)]), 24_000))
    types = [m["type"] for _, m in timed]
    assert types[-3:] == ["speech_end", "final", "result"] and set(types[:-3]) <= {"partial"}, types
    result = timed[-1][1]["result"]
    assert result["approval_ids"] and result["asr"]["duration_s"] > 3
    assert recording_format(engine, result["session_id"]) == "wav"


def test_stop_ends_the_utterance_before_the_silence(http, speech) -> None:
    url = f"{URL}?patient_id={PATIENT}&access_token={token(http)}"
    with http.websocket_connect(url) as ws:
        assert ws.receive_json() == {"type": "ready"}
        timed = converse(ws, webm_chunks(speech), then={"type": "stop"})
    messages = [m for _, m in timed]
    end = next(m for m in messages if m["type"] == "speech_end")
    assert end["reason"] == "stop" and messages[-1]["type"] == "result" and messages[-1]["result"]["run_id"]


def test_cancel_and_disconnect_write_nothing(http, engine, speech) -> None:
    before = voice_rows(engine)
    url = f"{URL}?patient_id={PATIENT}&access_token={token(http)}"
    with http.websocket_connect(url) as ws:
        assert ws.receive_json() == {"type": "ready"}
        assert converse(ws, webm_chunks(speech)[:8], then={"type": "cancel"}) == []  # closed with 1000, no result
    with http.websocket_connect(url) as ws:
        assert ws.receive_json() == {"type": "ready"}
        for chunk in webm_chunks(speech)[:8]:
            ws.send_bytes(chunk)
    # the server sees the disconnect; a later dictation still works and only it is written
    with http.websocket_connect(url) as ws:
        assert ws.receive_json() == {"type": "ready"}
        assert converse(ws, [], then={"type": "stop"})[-1][1] == {
            "type": "error", "error": "Nothing was recorded: check that the microphone is connected.", "code": "empty"}
    assert voice_rows(engine) == before


def test_unknown_voice_session_is_refused_before_anything_is_written(http, engine, speech) -> None:
    before = voice_rows(engine)
    url = f"{URL}?patient_id={PATIENT}&session_id={uuid.uuid4()}&access_token={token(http)}"
    with http.websocket_connect(url) as ws:
        assert ws.receive_json() == {"type": "ready"}
        error = converse(ws, webm_chunks(speech), then={"type": "stop"})[-1][1]
    assert error["type"] == "error" and error["code"] == "not_found" and "voice session" in error["error"]
    assert voice_rows(engine) == before


def expect_refusal(http: TestClient, url: str, code: str, close: int = 1008, **kw: Any) -> dict[str, Any]:
    with http.websocket_connect(url, **kw) as ws:
        error = ws.receive_json()
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert error["type"] == "error" and error["code"] == code and error["error"], error
    assert closed.value.code == close
    return error


def test_refusals_close_the_socket_with_an_error(http, monkeypatch) -> None:
    patient = PATIENT
    expect_refusal(http, f"{URL}?patient_id={patient}", "unauthenticated")
    expect_refusal(http, f"{URL}?patient_id={patient}&access_token=forged", "invalid_token")
    expect_refusal(http, f"{URL}?patient_id={UNIVERSAL_PATIENT_ID}&access_token={token(http)}", "not_found")
    expect_refusal(http, f"{URL}?patient_id={uuid.uuid4()}&access_token={token(http)}", "not_found")
    expect_refusal(http, f"{URL}?patient_id=nope&access_token={token(http)}", "invalid_request", 1011)
    expect_refusal(http, f"{URL}?patient_id={patient}&format=mp3&access_token={token(http)}", "invalid_request", 1011)

    monkeypatch.setattr(get_settings(), "max_audio_bytes", 40_000)
    with http.websocket_connect(f"{URL}?patient_id={patient}&format=pcm16&access_token={token(http)}") as ws:
        assert ws.receive_json() == {"type": "ready"}
        error = converse(ws, [b"\x00\x01" * 16_000] * 2)[-1][1]  # 64 KB
    assert error["type"] == "error" and error["code"] == "too_large"


def test_session_cookie_needs_this_sites_origin(http) -> None:
    login = http.post("/auth/login", json={"email": "dentist@demo.clinic", "password": DEMO_PASSWORD})
    assert login.status_code == 200 and http.cookies.get("dentalagent_session")
    url = f"{URL}?patient_id={PATIENT}"
    expect_refusal(http, url, "forbidden_origin", headers={"origin": "https://evil.example"})
    for headers in ({"origin": "http://testserver"}, {}):  # the app's own page; a client that sends no Origin
        with http.websocket_connect(url, headers=headers) as ws:
            assert ws.receive_json() == {"type": "ready"}
            ws.send_text(json.dumps({"type": "cancel"}))
