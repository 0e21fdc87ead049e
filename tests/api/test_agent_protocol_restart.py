"""A background run started over the LangGraph protocol survives its server's death (issue 21).

Every process is real: ``dentalagent serve`` (the API with its run worker) is started, given a
background run through the ``langgraph-sdk`` client, killed with SIGKILL while that run is
caught mid-way (its proposal's insert waits behind a table lock this test holds, so where the
run stands does not depend on timing), and started again: ``join`` on the new server answers
the run paused at its approval, with its one request, and accepting it writes the chart once.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import psycopg
from langgraph_sdk import get_sync_client
from langgraph_sdk.client import SyncLangGraphClient
from sqlalchemy import func, select

from core_schema.models import ActionHistory, AgentApprovalRequest, AgentExecution
from core_schema.seed.demo import DEMO_PASSWORD, DEMO_PATIENT_IDS
from tests.recovery import FAST_LEASES, spawn, wait_for
from workflows.checkpoint import libpq_url

PATIENT = str(DEMO_PATIENT_IDS[0])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(platform) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``dentalagent serve`` on a free port (with its worker); killed with SIGKILL at the end if alive."""
    port = _free_port()
    proc = spawn(platform, "serve", "--host", "127.0.0.1", "--port", str(port), env=FAST_LEASES)
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert proc.poll() is None, proc.communicate()
        try:
            return httpx.get(f"{url}/langgraph/info", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(up, 120)
        yield url, proc
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()


def _client(url: str) -> SyncLangGraphClient:
    answer = httpx.post(f"{url}/auth/login", json={"email": "dentist@demo.clinic", "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.text
    return get_sync_client(url=f"{url}/langgraph", api_key=answer.json()["access_token"])


def _counts(engine, run_id: uuid.UUID) -> tuple[str | None, int, int]:
    """(status, approval requests, chart changes written) of the run."""
    with engine.db.system_session() as s:
        status = s.scalar(select(AgentExecution.status).where(AgentExecution.id == run_id))
        requests = s.scalar(select(func.count()).select_from(AgentApprovalRequest)
                            .where(AgentApprovalRequest.execution_id == run_id))
        written = s.scalar(select(func.count()).select_from(ActionHistory).where(ActionHistory.agent_execution_id == run_id))
    return status, int(requests or 0), int(written or 0)


def test_a_background_run_survives_a_server_restart(platform, engine) -> None:
    conninfo = libpq_url(engine.db)
    blocker = psycopg.connect(conninfo)
    try:
        # the run's proposal waits behind this lock: it is caught deep in its run, never at its end
        blocker.execute("LOCK TABLE agent_approval_requests IN EXCLUSIVE MODE")
        with served(platform) as (url, proc):
            client = _client(url)
            thread = client.threads.create(metadata={"patient_id": PATIENT})
            run = client.runs.create(thread["thread_id"], "voice-to-chart",
                                     input={"patient_id": PATIENT, "text": "twenty seven distal caries"})
            run_id = uuid.UUID(run["run_id"])
            with psycopg.connect(conninfo, autocommit=True) as watcher:
                def stuck() -> bool:
                    assert proc.poll() is None, proc.communicate()
                    row = watcher.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
                        " AND query ILIKE 'INSERT INTO agent_approval_requests%%'").fetchone()
                    return bool(row and row[0])

                wait_for(stuck, 120)
            os.kill(proc.pid, signal.SIGKILL)  # the server and its worker die mid-run
            proc.wait()
    finally:
        blocker.close()
    assert _counts(engine, run_id) == ("RUNNING", 0, 0)

    with served(platform) as (url, _):
        client = _client(url)
        values = client.runs.join(thread["thread_id"], str(run_id))  # the new server's worker finishes it
        assert isinstance(values, dict) and len(values["__interrupt__"]) == 1, values
        assert client.runs.get(thread["thread_id"], str(run_id))["status"] == "interrupted"
        assert _counts(engine, run_id) == ("WAITING_APPROVAL", 1, 0)  # proposed once, not once per attempt
        done = client.runs.wait(thread["thread_id"], "voice-to-chart",
                                command={"resume": [{"type": "accept", "args": None}]})
        assert isinstance(done, dict) and done["final_status"] == "COMPLETED"
    assert _counts(engine, run_id) == ("COMPLETED", 1, 1)
