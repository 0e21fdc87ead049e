"""``GET /api/v1/events``: a user's notification channel as server-sent events. A dictation
reaches its reviewer's stream as NEW_APPROVAL; deciding it sends DECIDED and, once the change
is in the chart, APPLIED with the action ids an undo needs; a closed stream unsubscribes."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from approvals.queue import channel
from core_schema.redis_store import get_redis
from core_schema.seed.demo import (
    DEMO_PASSWORD,
    DEMO_PATIENT_IDS,
    DEMO_TENANT_ID,
    VOICE_AGENT_CLIENT_ID,
    VOICE_AGENT_SECRET,
    sid,
)
from tests.api.loopback import loopback_server

DENTIST_ID = sid("user", "dentist@demo.clinic")
ASSISTANT_ID = sid("user", "assistant@demo.clinic")


def login(http: TestClient | httpx.Client, email: str = "dentist@demo.clinic") -> dict[str, str]:
    response = http.post("/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    http.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def parse(body: str) -> list[tuple[str, dict[str, Any]]]:
    """(event, data) of every event in an SSE body (comments and retry lines skipped)."""
    events = []
    for block in body.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":") and ": " in line)
        if "event" in fields:
            events.append((fields["event"], json.loads(fields["data"])))
    return events


def subscribers(user_id: Any) -> int:
    name = channel(DEMO_TENANT_ID, user_id)
    return int(dict(get_redis().pubsub_numsub(name)).get(name, 0))


def wait_for(condition: Any, what: str, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def dictate(http: Any, headers: dict[str, str], text: str, patient: Any = DEMO_PATIENT_IDS[1]) -> dict[str, Any]:
    response = http.post("/api/v1/dictations", headers=headers, json={"patient_id": str(patient), "text": text})
    assert response.status_code == 200, response.text
    return response.json()


def test_once_stream_gets_the_new_approval_of_a_dictation(http) -> None:
    dentist = login(http)
    answer: dict[str, httpx.Response] = {}
    reader = threading.Thread(target=lambda: answer.update(r=http.get("/api/v1/events?once=1", headers=dentist)))
    reader.start()
    wait_for(lambda: subscribers(DENTIST_ID) == 1, "the stream to subscribe")
    result = dictate(http, dentist, "twenty six occlusal caries")
    reader.join(timeout=30)
    response = answer["r"]
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    events = parse(response.text)
    assert events[0] == ("hello", {"user_id": str(DENTIST_ID), "tenant_id": str(DEMO_TENANT_ID)})
    name, data = events[1]
    assert name == data["event"] == data["type"] == "NEW_APPROVAL" and len(events) == 2
    assert data["approval_id"] in result["approval_ids"] and data["execution_id"] == result["run_id"]
    wait_for(lambda: subscribers(DENTIST_ID) == 0, "the subscription to close")


def test_events_need_a_user(http) -> None:
    assert http.get("/api/v1/events?once=1").status_code == 401
    agent = http.post("/auth/token", data={"grant_type": "client_credentials", "client_id": VOICE_AGENT_CLIENT_ID,
                                           "client_secret": VOICE_AGENT_SECRET}).json()["access_token"]
    refused = http.get("/api/v1/events?once=1", headers={"Authorization": f"Bearer {agent}"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


def test_the_dictating_user_hears_when_a_reviewer_applies(http) -> None:
    assistant, dentist = login(http, "assistant@demo.clinic"), login(http)
    result = dictate(http, assistant, "fifteen occlusal caries")
    answer: dict[str, httpx.Response] = {}
    reader = threading.Thread(target=lambda: answer.update(r=http.get("/api/v1/events?once=1", headers=assistant)))
    reader.start()
    wait_for(lambda: subscribers(ASSISTANT_ID) == 1, "the stream to subscribe")
    decided = http.post("/api/v1/approvals/decide", headers=dentist, json={"ids": result["approval_ids"], "verdict": "approve"})
    assert decided.status_code == 200 and decided.json()[0]["run_status"] == "COMPLETED"
    reader.join(timeout=30)
    (_, hello), (name, applied) = parse(answer["r"].text)
    assert hello["user_id"] == str(ASSISTANT_ID) and name == "APPLIED"
    assert applied["run_id"] == result["run_id"] and applied["patient_id"] == str(DEMO_PATIENT_IDS[1])
    assert applied["approval_ids"] == sorted(result["approval_ids"])
    actions = {a["id"] for a in http.get("/api/v1/actions", headers=dentist).json() if a["execution_id"] == result["run_id"]}
    assert actions and set(applied["action_ids"]) == actions  # what the undo toast needs


@pytest.fixture(scope="module")
def server(app) -> Iterator[str]:
    """The app on a real loopback HTTP server (a streamed response, a client that hangs up)."""
    with loopback_server(app) as url:
        yield url


def test_live_stream_sees_the_whole_review_and_unsubscribes_on_hang_up(server) -> None:
    with httpx.Client(base_url=server, timeout=30) as client:
        dentist = login(client)
        seen: list[tuple[str, dict[str, Any]]] = []
        with client.stream("GET", "/api/v1/events", headers=dentist) as response:
            assert response.status_code == 200
            lines = response.iter_lines()
            block: list[str] = []
            result: dict[str, Any] = {}
            for line in lines:
                if line:
                    block.append(line)
                    continue
                seen += parse("\n".join(block) + "\n\n")
                block = []
                if seen and seen[-1][0] == "hello" and not result:
                    result = dictate(client, dentist, "thirty five occlusal caries", DEMO_PATIENT_IDS[0])
                    decided = client.post("/api/v1/approvals/decide", headers=dentist,
                                          json={"ids": result["approval_ids"], "verdict": "approve"})
                    assert decided.status_code == 200, decided.text
                if seen[-1][0] == "APPLIED" and seen[-1][1]["run_id"] == result["run_id"]:
                    break
            assert subscribers(DENTIST_ID) == 1
        # the client hung up: the server notices and drops the subscription
        wait_for(lambda: subscribers(DENTIST_ID) == 0, "the subscription to close after the hang-up")
    names = [n for n, d in seen if n == "hello" or d.get("execution_id") == result["run_id"]]
    assert names == ["hello", "NEW_APPROVAL", "DECIDED", "APPLIED"]
    decided_event = next(d for n, d in seen if n == "DECIDED")
    assert decided_event["status"] == "APPROVED" and decided_event["decided_by"] == str(DENTIST_ID)
