"""The LangGraph agent protocol, driven only through the real ``langgraph-sdk`` clients over HTTP
(issue 21): a uvicorn server on a loopback port, each client's ``api_key`` (sent as ``x-api-key``)
a clinic user's access token, as ``get_client(url=..., api_key=...)`` is used against any server.

What the clients see is checked against the platform's own views (its run trace and the
``action_history`` rows a change writes): one truth for the web inbox, the CLI and the protocol.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from langgraph_sdk import get_client, get_sync_client
from langgraph_sdk.client import SyncLangGraphClient
from sqlalchemy import text

from core_schema.db import get_database
from core_schema.seed.demo import DEMO_PASSWORD, DEMO_PATIENT_IDS
from core_schema.settings import get_settings
from runtime.process import SPECS
from tests.api.loopback import loopback_server
from tests.recovery import wait_for
from workflows.checkpoint import libpq_url

# Spoken FDI teeth: a finding already charted is not proposed again, so a helper moves to the next.
TEETH = ("thirteen", "twenty three", "thirty three", "forty three", "twelve", "twenty one", "thirty two", "forty one",
         "sixteen", "twenty six", "thirty seven", "forty six", "eighteen", "twenty eight", "thirty eight", "forty eight")
PATIENT = str(DEMO_PATIENT_IDS[2])
ACCEPT = {"type": "accept", "args": None}


@pytest.fixture(scope="module")
def server(app) -> Iterator[str]:
    """The app on a real loopback HTTP server."""
    with loopback_server(app) as url:
        yield url


def _token(server: str, email: str) -> str:
    answer = httpx.post(f"{server}/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


@pytest.fixture(scope="module")
def token(server) -> str:
    return _token(server, "dentist@demo.clinic")


@pytest.fixture(scope="module")
def dentist(server, token) -> SyncLangGraphClient:
    return get_sync_client(url=f"{server}/langgraph", api_key=token)


@pytest.fixture(scope="module")
def other(server) -> SyncLangGraphClient:
    """A dentist of another clinic."""
    return get_sync_client(url=f"{server}/langgraph", api_key=_token(server, "dentist@universal.clinic"))


def _status(call: Any) -> int:
    with pytest.raises(httpx.HTTPStatusError) as refused:
        call()
    return refused.value.response.status_code


def _actions(run_id: str) -> int:
    """How many chart changes the run wrote (``action_history``), read as the owner."""
    with get_database().system_session() as s:
        return int(s.execute(text("SELECT count(*) FROM action_history WHERE agent_execution_id = :r"),
                             {"r": run_id}).scalar_one())


def _trace(server: str, token: str, run_id: str) -> dict[str, Any]:
    """The run as the web app and the CLI read it (``/api/v1/runs/{id}``)."""
    answer = httpx.get(f"{server}/api/v1/runs/{run_id}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def interrupted(client: SyncLangGraphClient, finding: str, patient: str = PATIENT,
                second: str | None = None) -> tuple[str, dict[str, Any]]:
    """A new thread whose voice-to-chart run waits on a proposal (the first tooth where ``finding`` is new);
    (thread id, the run's values with ``__interrupt__``). ``second``: a second finding on the next tooth."""
    for n, tooth in enumerate(TEETH[:-1]):
        thread = client.threads.create(metadata={"patient_id": patient, "purpose": "protocol-test"})
        said = f"{tooth} {finding}" + (f" and {TEETH[n + 1]} {second}" if second else "")
        values = client.runs.wait(thread["thread_id"], "voice-to-chart", input={"patient_id": patient, "text": said})
        assert isinstance(values, dict)
        if len(values.get("__interrupt__", [])) == (2 if second else 1):
            return thread["thread_id"], values
    raise AssertionError(f"no tooth left without {finding!r}")


def test_assistants_are_the_workflows(dentist) -> None:
    found = dentist.assistants.search(limit=50)
    assert {a["graph_id"] for a in found} == {s.name for s in SPECS}
    assert all(a["assistant_id"] == a["graph_id"] for a in found)
    voice = dentist.assistants.get("voice-to-chart")
    assert voice["metadata"]["startable"] is True
    assert "await_approval" in {n["id"] for n in dentist.assistants.get_graph("voice-to-chart")["nodes"]}
    schemas = dentist.assistants.get_schemas("voice-to-chart")
    assert schemas["input_schema"]["required"] == ["patient_id", "text"]
    assert {"execution_id", "approval_ids", "final_status"} <= set(schemas["state_schema"]["properties"])
    for graph in (s.name for s in SPECS):  # every graph describes its state
        assert "execution_id" in dentist.assistants.get_schemas(graph)["state_schema"]["properties"]
    assert _status(lambda: dentist.assistants.get("no-such-graph")) == 404


def test_accept_applies_the_change_exactly_once_and_the_inbox_sees_it(server, token, dentist) -> None:
    thread_id, values = interrupted(dentist, "buccal caries")
    run_id = values["execution_id"]
    state = dentist.threads.get_state(thread_id)
    [interrupt] = state["interrupts"]
    [request] = interrupt["value"]  # Agent Inbox's HumanInterrupt, in a one-item list
    assert request["action_request"]["action"] == "update_dental_chart"
    assert request["action_request"]["args"]["changes"][0]["label"] == "caries"
    assert request["config"] == {"allow_accept": True, "allow_edit": True, "allow_respond": True, "allow_ignore": True}
    for shown in ("**Patient:**", "tooth ", "caries", "**Dictated:**", "buccal caries"):
        assert shown in request["description"]
    assert state["next"] == ["await_approval"]
    assert thread_id in {t["thread_id"] for t in dentist.threads.search(status="interrupted", metadata={"purpose": "protocol-test"}, limit=100)}
    # the same request is the web inbox's (one truth)
    assert [a["id"] for a in _trace(server, token, run_id)["approvals"]] == [interrupt["id"]]
    assert _actions(run_id) == 0

    done = dentist.runs.wait(thread_id, "voice-to-chart", command={"resume": [ACCEPT]})
    assert done["final_status"] == "COMPLETED" and len(done["applied_ids"]) == 1 and "__interrupt__" not in done
    assert _actions(run_id) == 1
    assert _trace(server, token, run_id)["approvals"][0]["status"] == "APPROVED"
    assert dentist.threads.get(thread_id)["status"] == "idle"
    assert dentist.runs.get(thread_id, run_id)["status"] == "success"
    assert _status(lambda: dentist.runs.wait(thread_id, "voice-to-chart", command={"resume": []})) == 422
    # exactly once: nothing is left to resume, and the chart was written once
    assert _status(lambda: dentist.runs.wait(thread_id, "voice-to-chart", command={"resume": [ACCEPT]})) == 409
    assert _actions(run_id) == 1


def test_edit_applies_the_edited_change(server, token, dentist) -> None:
    thread_id, values = interrupted(dentist, "lingual caries")
    run_id = values["execution_id"]
    [request] = values["__interrupt__"][0]["value"]
    edited = {**request["action_request"]["args"]}
    edited["changes"] = [{**edited["changes"][0], "surfaces": ["M"]}]
    dentist.runs.create(thread_id, "voice-to-chart",
                        command={"resume": [{"type": "edit", "args": {"action": "update_dental_chart", "args": edited}}]})
    final = dentist.runs.join(thread_id, run_id)
    assert final["final_status"] == "COMPLETED" and _actions(run_id) == 1
    [decided] = _trace(server, token, run_id)["approvals"]
    assert decided["status"] == "APPROVED" and decided["arguments"]["changes"][0]["surfaces"] == ["M"]
    # an edit the tool would refuse is refused, with nothing decided
    thread_id, values = interrupted(dentist, "lingual caries")
    [request] = values["__interrupt__"][0]["value"]
    wrong = {**request["action_request"]["args"], "changes": [{**request["action_request"]["args"]["changes"][0], "tooth": "99"}]}
    assert _status(lambda: dentist.runs.wait(thread_id, "voice-to-chart", command={
        "resume": [{"type": "edit", "args": {"action": "update_dental_chart", "args": wrong}}]})) == 422
    assert dentist.threads.get(thread_id)["status"] == "interrupted"


def test_ignore_rejects_and_a_response_reaches_the_clinician(server, token, dentist) -> None:
    thread_id, values = interrupted(dentist, "palatal caries")
    final = dentist.runs.wait(thread_id, "voice-to-chart", command={"resume": [{"type": "ignore", "args": None}]})
    assert final["final_status"] == "CANCELLED" and _actions(values["execution_id"]) == 0
    assert _trace(server, token, values["execution_id"])["approvals"][0]["status"] == "REJECTED"

    thread_id, values = interrupted(dentist, "palatal caries")
    question = "Which surface exactly? Please check the radiograph."
    answered = dentist.runs.wait(thread_id, "voice-to-chart", command={"resume": [{"type": "response", "args": question}]})
    # respond, not a decision: the request stays pending, the run keeps waiting, the interrupt stays open
    [waiting] = _trace(server, token, values["execution_id"])["approvals"]
    assert waiting["status"] == "PENDING" and waiting["messages"][0]["text"] == question
    assert answered["__interrupt__"][0]["id"] == waiting["id"] and dentist.threads.get(thread_id)["status"] == "interrupted"
    assert _actions(values["execution_id"]) == 0
    # the clinician who dictated it sees the question (their chart page's dictation panel reads this)
    asked = httpx.get(f"{server}/api/v1/approvals/questions", headers={"Authorization": f"Bearer {token}"},
                      params={"patient_id": PATIENT}).json()
    assert [(q["approval_id"], q["messages"][0]["text"], q["awaiting_answer"]) for q in asked
            if q["approval_id"] == waiting["id"]] == [(waiting["id"], question, True)]
    assert _status(lambda: dentist.runs.wait(thread_id, "voice-to-chart", command={
        "resume": [{"type": "response", "args": "   "}]})) == 422


def test_stream_updates_until_the_interrupt(dentist) -> None:
    for tooth in TEETH:
        thread = dentist.threads.create(metadata={"patient_id": PATIENT})
        parts = list(dentist.runs.stream(thread["thread_id"], "voice-to-chart", stream_mode="updates",
                                         input={"patient_id": PATIENT, "text": f"{tooth} cervical caries"}))
        if any("__interrupt__" in p.data for p in parts if p.event == "updates"):
            break
    assert parts[0].event == "metadata"
    nodes = [next(iter(p.data)) for p in parts if p.event == "updates"]
    assert nodes[:2] == ["interpret", "resolve"] and nodes[-1] == "__interrupt__" and "request_approval" in nodes
    assert all(p.event in ("metadata", "updates") for p in parts)
    run_id = parts[0].data["run_id"]
    # a client that reconnects after the second step is replayed only what followed it
    replayed = list(dentist.runs.join_stream(thread["thread_id"], run_id, stream_mode="updates", last_event_id="2"))
    assert [next(iter(p.data)) for p in replayed if p.event == "updates"] == nodes[2:]
    # a resume streamed goes on from the pause: the steps after the approval, then the end
    resumed = list(dentist.runs.stream(thread["thread_id"], "voice-to-chart", stream_mode=["updates", "values"],
                                       command={"resume": [ACCEPT]}))
    assert [next(iter(p.data)) for p in resumed if p.event == "updates"] == ["await_approval", "apply", "summarize"]
    assert resumed[-1].event == "values" and resumed[-1].data["final_status"] == "COMPLETED"


def test_cancel_rejects_what_the_run_waits_for(dentist) -> None:
    thread_id, values = interrupted(dentist, "mesial caries")
    run_id = values["execution_id"]
    assert dentist.runs.get(thread_id, run_id)["status"] == "interrupted"
    dentist.runs.cancel(thread_id, run_id)
    run = dentist.runs.get(thread_id, run_id)
    assert run["metadata"]["platform_status"] == "CANCELLED" and _actions(run_id) == 0
    assert dentist.threads.get(thread_id)["status"] == "idle"
    assert _status(lambda: dentist.runs.cancel(thread_id, run_id)) == 409


def test_mark_as_resolved_rejects_what_the_thread_waits_for(server, token, dentist) -> None:
    """Agent Inbox's "mark as resolved": update_state(values=None, as_node="__end__")."""
    thread_id, values = interrupted(dentist, "mesial caries")
    assert _status(lambda: dentist.threads.update_state(thread_id, {"final_status": "COMPLETED"})) == 422
    dentist.threads.update_state(thread_id, None, as_node="__end__")
    assert dentist.threads.get(thread_id)["status"] == "idle" and _actions(values["execution_id"]) == 0
    assert _trace(server, token, values["execution_id"])["approvals"][0]["status"] == "REJECTED"


def test_another_clinic_sees_none_of_it(dentist, other) -> None:
    thread_id, values = interrupted(dentist, "distal caries")
    run_id = values["execution_id"]
    assert _status(lambda: other.threads.get(thread_id)) == 404
    assert _status(lambda: other.threads.get_state(thread_id)) == 404
    assert _status(lambda: other.runs.get(thread_id, run_id)) == 404
    assert _status(lambda: other.runs.list(thread_id)) == 404
    assert _status(lambda: other.runs.wait(thread_id, "voice-to-chart", command={"resume": [ACCEPT]})) == 404
    assert _status(lambda: other.runs.cancel(thread_id, run_id)) == 404
    assert _status(lambda: other.runs.create(thread_id, "voice-to-chart", input={"patient_id": PATIENT, "text": "eleven caries"})) == 404
    assert thread_id not in {t["thread_id"] for t in other.threads.search(limit=1000)}
    # their own thread cannot name this clinic's patient
    theirs = other.threads.create()
    assert _status(lambda: other.runs.create(theirs["thread_id"], "voice-to-chart",
                                             input={"patient_id": PATIENT, "text": "eleven caries"})) == 404
    assert dentist.threads.get(thread_id)["status"] == "interrupted"  # untouched


def test_store_is_the_clinics_memory(dentist, other) -> None:
    namespace = ("tenant", "semantic")
    dentist.store.put_item(namespace, "protocol-note", {"content": "The clinic charts furcations in grades."})
    item = dentist.store.get_item(namespace, "protocol-note")
    assert item["value"]["content"] == "The clinic charts furcations in grades." and item["namespace"] == list(namespace)
    found = dentist.store.search_items(("tenant",), query="furcations grades", limit=20)["items"]
    assert "The clinic charts furcations in grades." in {i["value"]["content"] for i in found}
    assert list(namespace) in dentist.store.list_namespaces(prefix=["tenant"])["namespaces"]
    assert _status(lambda: other.store.get_item(namespace, "protocol-note")) == 404
    assert "The clinic charts furcations in grades." not in {
        i["value"]["content"] for i in other.store.search_items(("tenant",), query="furcations grades")["items"]}
    assert _status(lambda: dentist.store.put_item(namespace, "bad", {"content": "x", "secret": 1})) == 422
    assert _status(lambda: dentist.store.put_item(namespace, "bad", {"content": "x", "importance": "high"})) == 422
    assert _status(lambda: dentist.store.search_items(("tenant",), filter={"importance": {"$gt": "x"}})) == 422
    dentist.store.delete_item(namespace, "protocol-note")
    assert _status(lambda: dentist.store.get_item(namespace, "protocol-note")) == 404


def test_credentials(server, token) -> None:
    info = httpx.get(f"{server}/langgraph/info")  # Agent Inbox's "Add inbox" reads host.project_id, none here
    assert info.status_code == 200 and info.json()["host"]["project_id"] is None
    anonymous = get_sync_client(url=f"{server}/langgraph", api_key=None)
    assert _status(lambda: anonymous.threads.search()) == 401
    forged = get_sync_client(url=f"{server}/langgraph", api_key="not-a-token")
    assert _status(lambda: forged.assistants.search()) == 401
    bearer = get_sync_client(url=f"{server}/langgraph", api_key=None, headers={"Authorization": f"Bearer {token}"})
    assert bearer.assistants.search()


def test_cors_only_for_the_configured_origins_of_the_protocol(server, monkeypatch) -> None:
    """Agent Inbox served from another origin may call /langgraph once its origin is configured;
    nothing else (another origin, the /api/v1 routes) is opened, and no cookie is allowed across."""
    preflight = {"Origin": "http://inbox.test", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "x-api-key,content-type"}
    assert "access-control-allow-origin" not in httpx.options(f"{server}/langgraph/threads/search", headers=preflight).headers
    monkeypatch.setenv("DENTALAGENT_AGENT_PROTOCOL_ORIGINS", "http://inbox.test")
    get_settings.cache_clear()
    try:
        allowed = httpx.options(f"{server}/langgraph/threads/search", headers=preflight)
        assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == "http://inbox.test"
        assert "x-api-key" in allowed.headers["access-control-allow-headers"].lower()
        assert "access-control-allow-credentials" not in allowed.headers
        info = httpx.get(f"{server}/langgraph/info", headers={"Origin": "http://inbox.test"})
        assert info.headers["access-control-allow-origin"] == "http://inbox.test"
        other = httpx.options(f"{server}/langgraph/threads/search", headers={**preflight, "Origin": "http://evil.test"})
        assert "access-control-allow-origin" not in other.headers
        api = httpx.get(f"{server}/healthz", headers={"Origin": "http://inbox.test"})
        assert "access-control-allow-origin" not in api.headers
    finally:
        monkeypatch.delenv("DENTALAGENT_AGENT_PROTOCOL_ORIGINS")
        get_settings.cache_clear()


def test_async_client_resumes_several_interrupts_by_id(server, token, dentist) -> None:
    thread_id, values = interrupted(dentist, "buccal caries", patient=str(DEMO_PATIENT_IDS[1]), second="lingual caries")
    first, second = (i["id"] for i in values["__interrupt__"])
    run_id = values["execution_id"]

    async def resume() -> Any:
        client = get_client(url=f"{server}/langgraph", api_key=token)
        state = await client.threads.get_state(thread_id)
        assert [i["id"] for i in state["interrupts"]] == [first, second]
        return await client.runs.wait(thread_id, "voice-to-chart",
                                      command={"resume": {second: {"type": "ignore", "args": None}, first: [ACCEPT]}})

    final = asyncio.run(resume())
    assert final["final_status"] == "COMPLETED" and len(final["applied_ids"]) == 1 and len(final["rejected_ids"]) == 1
    assert {a["id"]: a["status"] for a in _trace(server, token, run_id)["approvals"]} == {first: "APPROVED", second: "REJECTED"}
    assert _actions(run_id) == 1


def _next_tooth_text(finding: str, values: dict[str, Any]) -> str:
    """A dictation for another tooth than the run in ``values`` proposed (its interrupt's)."""
    [request] = values["__interrupt__"][0]["value"]
    charted = request["action_request"]["args"]["changes"][0]["tooth"]
    spoken = {"13": "thirteen", "23": "twenty three", "33": "thirty three", "43": "forty three", "12": "twelve"}
    return f"{next(t for n, t in spoken.items() if n != str(charted))} {finding}"


@pytest.mark.parametrize("strategy", ["interrupt", "rollback"])
def test_interrupt_and_rollback_withdraw_the_run_in_flight(server, token, dentist, strategy) -> None:
    """A new run with multitask_strategy interrupt / rollback stops the thread's run in flight at its
    approval pause: its request rejected through the approvals service (with the reason), nothing
    applied, then the new run starts. Rollback also takes the stopped run out of the protocol's
    views, as LangGraph deletes it, while the platform keeps it for the audit trail."""
    thread_id, values = interrupted(dentist, "occlusal caries")
    old = values["execution_id"]
    new = dentist.runs.create(thread_id, "voice-to-chart", multitask_strategy=strategy,
                              input={"patient_id": PATIENT, "text": _next_tooth_text("occlusal caries", values)})
    assert new["run_id"] != old and new["multitask_strategy"] == strategy
    dentist.runs.join(thread_id, new["run_id"])
    assert _actions(old) == 0
    trace = _trace(server, token, old)  # the platform's own view keeps the stopped run and its decision
    assert trace["status"] == "CANCELLED"
    [request] = trace["approvals"]
    assert request["status"] == "REJECTED" and f"run {new['run_id']} replaced this run" in request["comment"]
    listed = {r["run_id"] for r in dentist.runs.list(thread_id)}
    assert new["run_id"] in listed
    interrupts = dentist.threads.get(thread_id)["interrupts"]
    assert old not in interrupts  # the withdrawn request is no interrupt any more
    if strategy == "interrupt":
        stopped = dentist.runs.get(thread_id, old)
        assert stopped["status"] == "interrupted" and stopped["metadata"]["interrupted_by"] == new["run_id"]
        assert old in listed
    else:
        assert old not in listed and _status(lambda: dentist.runs.get(thread_id, old)) == 404
        assert old not in {h["metadata"]["run_id"] for h in dentist.threads.get_history(thread_id)}
        assert _status(lambda: dentist.threads.delete(thread_id)) == 409  # its records are still the chart's history


def test_multitask_strategy_is_checked(dentist) -> None:
    thread = dentist.threads.create(metadata={"patient_id": PATIENT})
    assert _status(lambda: dentist.runs.create(thread["thread_id"], "voice-to-chart", multitask_strategy="later",
                                               input={"patient_id": PATIENT, "text": "eleven caries"})) == 422


def _sse_events(response: httpx.Response) -> list[tuple[str, Any]]:
    """(event, data) of a server-sent event stream."""
    out, event = [], None
    for line in response.iter_lines():
        if line.startswith("event: "):
            event = line[len("event: "):]
        elif line.startswith("data: ") and event is not None:
            out.append((event, json.loads(line[len("data: "):])))
    return out


def test_the_requests_agent_inbox_sends(server, token, dentist) -> None:
    """The requests Agent Inbox (langchain-ai/agent-inbox f38301b, in Chromium) sent to list the
    interrupts and accept one, captured by scripts/agent_inbox_check.py and replayed here as sent:
    its list filters threads on ``metadata.graph_id``, reads the interrupt from the thread's
    ``interrupts`` map (``Object.values(interrupts)[i][0].value``), accepts with the ActionRequest
    as args over ``runs/stream`` in ``events`` mode (showing the node of each ``on_chain_start``)
    and then reads the thread again."""
    thread_id, values = interrupted(dentist, "distal caries", patient=str(DEMO_PATIENT_IDS[1]))
    headers = {"x-api-key": token, "content-type": "application/json"}
    listed = httpx.post(f"{server}/langgraph/threads/search", headers=headers, json={
        "metadata": {"graph_id": "voice-to-chart"}, "limit": 10, "offset": 0, "status": "interrupted"})
    assert listed.status_code == 200, listed.text
    [thread] = [t for t in listed.json() if t["thread_id"] == thread_id]
    assert thread["status"] == "interrupted" and thread["metadata"]["graph_id"] == "voice-to-chart"
    [per_run] = thread["interrupts"].values()
    [request] = per_run[0]["value"]
    assert request["action_request"]["action"] == "update_dental_chart" and request["config"]["allow_accept"]
    other_graph = httpx.post(f"{server}/langgraph/threads/search", headers=headers, json={
        "metadata": {"graph_id": "imaging-review"}, "limit": 100, "offset": 0, "status": "interrupted"})
    assert thread_id not in {t["thread_id"] for t in other_graph.json()}

    accept = {"command": {"resume": [{"type": "accept", "args": {"action": request["action_request"]["action"],
                                                                   "args": request["action_request"]["args"]}}]},
              "stream_mode": "events", "assistant_id": "voice-to-chart"}
    with httpx.stream("POST", f"{server}/langgraph/threads/{thread_id}/runs/stream", headers=headers, json=accept,
                      timeout=120) as streamed:
        assert streamed.status_code == 200
        events = _sse_events(streamed)
    assert events[0][0] == "metadata" and {e for e, _ in events} == {"metadata", "events"}
    started = [d["metadata"]["langgraph_node"] for e, d in events if d.get("event") == "on_chain_start"]
    assert started == ["await_approval", "apply", "summarize"]
    again = httpx.get(f"{server}/langgraph/threads/{thread_id}", headers=headers)
    assert again.status_code == 200 and again.json()["status"] == "idle" and again.json()["interrupts"] == {}
    assert _actions(values["execution_id"]) == 1


@pytest.mark.parametrize("how", ["interrupt", "cancel"])
def test_a_run_executing_a_step_is_stopped_at_its_pause(server, token, dentist, how) -> None:
    """A run in the middle of a step is not cut: a new run with multitask_strategy interrupt, or a
    cancel, waits until it reaches its approval pause, then withdraws that. The first run is held
    mid-step (its proposal's insert waits behind a table lock this test holds) until the request
    that stops it is seen waiting for it."""
    patient = str(DEMO_PATIENT_IDS[0])
    tooth = {"interrupt": "thirty six", "cancel": "thirty five"}[how]
    thread = dentist.threads.create(metadata={"patient_id": patient})
    conninfo = libpq_url(get_database())
    results: dict[str, Any] = {}
    with psycopg.connect(conninfo) as blocker, psycopg.connect(conninfo, autocommit=True) as watcher:
        blocker.execute("LOCK TABLE agent_approval_requests IN EXCLUSIVE MODE")
        first = dentist.runs.create(thread["thread_id"], "voice-to-chart",
                                    input={"patient_id": patient, "text": f"{tooth} distal caries"})

        def waiting(query: str) -> bool:
            row = watcher.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                  "AND pid <> pg_backend_pid() AND query ILIKE %s", [query]).fetchone()
            return bool(row and row[0])

        wait_for(lambda: waiting("INSERT INTO agent_approval_requests%"))  # the first run is mid-step

        def stop() -> None:
            if how == "cancel":
                dentist.runs.cancel(thread["thread_id"], first["run_id"])
            else:
                results["second"] = dentist.runs.create(
                    thread["thread_id"], "voice-to-chart", multitask_strategy="interrupt",
                    input={"patient_id": patient, "text": "forty seven distal caries"})

        stopper = threading.Thread(target=stop)
        stopper.start()
        # the stopping request waits on the first run's notification (the run queue's wait)
        wait_for(lambda: waiting("SELECT status, error_details, workflow_id FROM agent_executions%"))
        assert dentist.runs.get(thread["thread_id"], first["run_id"])["status"] == "running"
        blocker.rollback()  # the lock goes: the first run reaches its approval pause
        stopper.join(120)
    stopped = dentist.runs.get(thread["thread_id"], first["run_id"])
    assert stopped["metadata"]["platform_status"] == "CANCELLED" and _actions(first["run_id"]) == 0
    [request] = _trace(server, token, first["run_id"])["approvals"]
    assert request["status"] == "REJECTED"
    if how == "interrupt":
        new = results["second"]
        assert stopped["status"] == "interrupted" and stopped["metadata"]["interrupted_by"] == new["run_id"]
        dentist.runs.join(thread["thread_id"], new["run_id"])
