"""A hands-free exam over one live socket: the microphone stays open, the VAD cuts each utterance,
each is dictated into the exam and answered; the pedal's pause drops what is said until resume;
"finish" proposes the perio grid as one approval request and closes the socket."""

from __future__ import annotations

import json
import threading
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from evals.audio_synth import SAMPLE_RATE, piper_available, synthesize
from tests.api.test_live_dictation import CHUNK_S, URL, pcm_chunks, silence, token

OTHER_CLINIC = "dentist@universal.clinic"  # seeded in a second clinic


def _auth(http) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(http)}"}


@pytest.mark.skipif(not piper_available(), reason="piper-tts voice not installed")
def test_a_perio_exam_streams_on_one_socket_and_ends_as_one_approval(http, engine, new_patient) -> None:
    patient = str(new_patient("Live", "Exam"))
    headers = _auth(http)
    exam = http.post("/api/v1/exams", json={"patient_id": patient, "mode": "perio"}, headers=headers).json()
    utterances = [np.concatenate([silence(2.0), synthesize(text, "piper-joe"), silence(1.5)])
                  for text in ("three two four", "two three three", "four four four")]
    answered = [threading.Event() for _ in utterances]
    url = f"{URL}?patient_id={patient}&session_id={exam['session_id']}&format=pcm16&access_token={headers['Authorization'][7:]}"

    def send(ws: Any) -> None:
        try:
            for i, samples in enumerate(utterances):
                if i == 2:  # the pedal: what is said now is not heard
                    ws.send_text(json.dumps({"type": "pause"}))
                for chunk in pcm_chunks(samples, SAMPLE_RATE):
                    ws.send_bytes(chunk)
                    threading.Event().wait(CHUNK_S / 2)
                if i < 2:
                    answered[i].wait(timeout=120)
            ws.send_text(json.dumps({"type": "resume"}))
            ws.send_text(json.dumps({"type": "finish"}))
        except Exception:  # the server closed first: its messages say why
            pass

    received: list[dict[str, Any]] = []
    with http.websocket_connect(url) as ws:
        ready = ws.receive_json()
        assert ready["type"] == "ready" and ready["exam"]["cursor"]["tooth"] == "18"
        sender = threading.Thread(target=send, args=(ws,), daemon=True)
        sender.start()
        try:
            while True:
                message = ws.receive_json()
                received.append(message)
                if message["type"] == "result":
                    answered[sum(1 for m in received if m["type"] == "result") - 1].set()
                if message["type"] in ("finished", "error") and not message.get("exam_continues"):
                    break
        finally:
            for event in answered:
                event.set()
            sender.join(timeout=30)
        with pytest.raises(WebSocketDisconnect):
            ws.receive_json()

    types = [m["type"] for m in received if m["type"] != "partial"]
    assert types == ["speech_end", "final", "result", "speech_end", "final", "result", "control", "control", "finished"], types
    results = [m["result"] for m in received if m["type"] == "result"]
    assert results[0]["exam"]["grid"]["18"]["depths_mm"] == {"MB": 3, "B": 2, "DB": 4}, results[0]["transcript"]
    assert results[1]["exam"]["grid"]["17"]["depths_mm"] == {"MB": 2, "B": 3, "DB": 3}, results[1]["transcript"]
    assert all(r["approval_ids"] == [] for r in results)
    finished = received[-1]["result"]
    assert len(finished["approval_ids"]) == 1 and finished["proposals"][0]["teeth"] == ["18", "17"]  # 16 was said while paused
    view = http.get(f"/api/v1/exams/{exam['session_id']}", headers=headers).json()
    assert view["status"] == "finished" and "16" not in view["grid"]


def test_exam_routes_refuse_another_clinics_session_and_a_bad_control(http, app, engine, new_patient) -> None:
    headers = _auth(http)
    exam = http.post("/api/v1/exams", json={"patient_id": str(new_patient()), "mode": "charting"}, headers=headers).json()
    url = f"/api/v1/exams/{exam['session_id']}"
    assert http.post(f"{url}/control", json={"action": "launch"}, headers=headers).status_code == 422
    moved = http.post(f"{url}/control", json={"action": "goto", "tooth": "36"}, headers=headers)
    assert moved.status_code == 200 and moved.json()["exam"]["cursor"]["tooth"] == "36"
    other = {"Authorization": f"Bearer {token(TestClient(app), OTHER_CLINIC)}"}
    for method, path in (("get", url), ("post", f"{url}/finish"), ("post", f"{url}/control")):
        response = getattr(http, method)(path, headers=other, **({"json": {"action": "accept"}} if path.endswith("control") else {}))
        assert response.status_code == 404 and response.json()["code"] == "not_found", (path, response.text)
    assert http.get(url, headers=headers).json()["status"] == "open"  # nothing the other clinic sent changed it
