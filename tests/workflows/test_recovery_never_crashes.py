"""Recovery that never crashes (issue 17): a killed command is told from a live worker at once,
``runs recover`` is idempotent under any state of the queue, and PostgreSQL lost under a waiting
command is one clear line within seconds, after which the run is resumed.

Every process here is real: ``dentalagent`` commands killed with SIGKILL, and for the lost
database a private PostgreSQL cluster (pgserver's binaries, never the shared server) killed
with SIGKILL and started again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest
from sqlalchemy import func, select, text

from core_schema.models import ActionHistory, AgentApprovalRequest, AgentExecution, ToolExecution
from core_schema.seed.demo import DEMO_PATIENT_IDS
from runtime.process import get_queue
from tests.recovery import lease_held, spawn, wait_for
from tests.workflows.conftest import DENTIST, chart_call, propose_chart
from workflows.recovery import recover


@pytest.fixture(scope="module")
def patient(new_patient) -> uuid.UUID:
    return new_patient("Hostile", "Recovery")


def _status(engine, run_id: uuid.UUID) -> str:
    with engine.db.system_session() as s:
        return s.scalar(select(AgentExecution.status).where(AgentExecution.id == run_id))


def _jobs(engine, run_id: uuid.UUID) -> list[str]:
    with engine.db.system_session() as s:
        return list(s.execute(text("SELECT status::text FROM procrastinate_jobs WHERE args->>'execution_id' = :r "
                                   "ORDER BY id"), {"r": str(run_id)}).scalars())


def _applied(engine, run_id: uuid.UUID) -> tuple[int, int]:
    """(SUCCEEDED tool executions, action_history rows) of one run: a change applied once is (1, 1)."""
    with engine.db.system_session() as s:
        texecs = s.scalar(select(func.count()).select_from(ToolExecution).join(
            AgentApprovalRequest, AgentApprovalRequest.tool_execution_id == ToolExecution.id).where(
            AgentApprovalRequest.execution_id == run_id, ToolExecution.status == "SUCCEEDED"))
        history = s.scalar(select(func.count()).select_from(ActionHistory).where(ActionHistory.agent_execution_id == run_id))
    return texecs, history


def _approve_killed_mid_run(platform, engine, patient: uuid.UUID, tooth: str) -> uuid.UUID:
    """``approvals approve`` (default settings: a 30 s stalled-worker timeout) killed with SIGKILL
    while it drains its run's job alone: the job is taken (``doing``) and the command waits for
    the run's lease, which this test holds until the command is dead. Returns the run's id."""
    run = propose_chart(engine, chart_call(tooth, "missing", patient=patient), patient=patient)
    assert run.status == "WAITING_APPROVAL"
    assert get_queue().idle()  # this process's drain thread has stopped: the command alone takes the job
    with lease_held(engine.db, run.execution_id):
        proc = spawn(platform, "approvals", "approve", run.state["approval_ids"][0], "--as", DENTIST, "--json")
        try:
            wait_for(lambda: "doing" in _jobs(engine, run.execution_id) or proc.poll() is not None, 60)
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.3)  # its advance now waits for the lease
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    assert _status(engine, run.execution_id) == "RUNNING" and _jobs(engine, run.execution_id) == ["doing"]
    return run.execution_id


# A stale heartbeat would take an hour with this: what recover finds dead, it found by the lease probe.
NO_HEARTBEAT_HELP = {"DENTALAGENT_WORKER_STALLED_S": "3600"}


def _recover(platform) -> dict[str, object]:
    result = platform.cli("runs", "recover", "--json", env=NO_HEARTBEAT_HELP)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "UniqueViolation" not in result.stdout + result.stderr
    return json.loads(result.stdout)


def test_recover_after_a_killed_approve_drains_at_once_and_twice_is_harmless(platform, engine, patient) -> None:
    run_id = _approve_killed_mid_run(platform, engine, patient, "18")
    first = _recover(platform)
    # the dead command was no live worker: its job went back to the queue and recover drained it here
    # (other suites' killed processes may have left stalled jobs of their own: recover counts the whole queue)
    assert first["stalled_jobs"] >= 1 and str(run_id) in first["requeued"], first  # type: ignore[operator]
    assert _status(engine, run_id) == "COMPLETED", first
    second = _recover(platform)
    assert str(run_id) not in second["requeued"] + second["resumed"]  # type: ignore[operator]
    assert _applied(engine, run_id) == (1, 1)
    assert "todo" not in _jobs(engine, run_id) and "doing" not in _jobs(engine, run_id)


def test_recover_with_a_job_already_queued_for_the_run_is_idempotent(platform, engine, patient) -> None:
    """The dead command's job (``doing``) and a second one someone queued meanwhile (``todo``)
    share the run's queueing lock: putting the first back must not collide with the second."""
    run_id = _approve_killed_mid_run(platform, engine, patient, "28")
    get_queue().enqueue(run_id)
    get_queue().enqueue(run_id)  # a second request while one waits is the same job
    assert _jobs(engine, run_id) == ["doing", "todo"]
    with engine.db.system_session() as s:  # as if the dead command's heartbeat were long stale
        s.execute(text("UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour' WHERE id IN "
                       "(SELECT worker_id FROM procrastinate_jobs WHERE args->>'execution_id' = :r)"), {"r": str(run_id)})
    report = recover(engine, get_queue())  # in-process first: no exception, the queued job counts
    assert str(run_id) in report.requeued and report.stalled_jobs == 1
    assert _jobs(engine, run_id) == ["failed", "todo"]  # the dead one closed, the waiting one kept
    again = recover(engine, get_queue())
    assert str(run_id) not in again.requeued and _jobs(engine, run_id) == ["failed", "todo"]
    _recover(platform)  # the command drains it
    assert _status(engine, run_id) == "COMPLETED"
    _recover(platform)
    assert _applied(engine, run_id) == (1, 1)


def test_a_killed_command_is_not_a_live_worker(platform, engine, patient) -> None:
    """Its database session is gone, so is its presence: no 30 s of heartbeat to wait out."""
    _approve_killed_mid_run(platform, engine, patient, "38")
    assert get_queue().idle()  # this process's own drain thread (it proposed the run) has stopped
    assert get_queue().live_workers() == 0
    _recover(platform)


# -- PostgreSQL lost ---------------------------------------------------------------------------


class PrivatePostgres:
    """A PostgreSQL cluster of this test alone (pgserver's binaries, a temporary folder), to kill."""

    def __init__(self) -> None:
        import pgserver

        self.folder = Path(tempfile.mkdtemp(prefix="da-pglost-"))
        self.server = pgserver.get_server(self.folder / "pg", cleanup_mode="delete")
        self.server.psql("CREATE DATABASE dentalagent;")
        self.url = str(self.server.get_uri("dentalagent"))

    def kill(self) -> None:
        """SIGKILL the postmaster and every backend (a crashed machine, not a shutdown)."""
        postmaster = psutil.Process(int((self.folder / "pg" / "postmaster.pid").read_text().split()[0]))
        procs = [postmaster, *postmaster.children(recursive=True)]
        for proc in procs:
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(procs, timeout=10)

    def restart(self) -> None:
        from pgserver.postgres_server import PostgresServer

        with PostgresServer._lock:
            self.server.ensure_postgres_running()
        assert str(self.server.get_uri("dentalagent")) == self.url

    def close(self) -> None:
        try:
            self.server.cleanup()
        finally:
            import shutil

            shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def private_postgres(platform) -> Iterator[tuple[PrivatePostgres, dict[str, str]]]:
    """The cluster, migrated and seeded, and the environment of commands that use it."""
    pg = PrivatePostgres()
    env = {"DATABASE_URL": pg.url, "DENTALAGENT_REDIS_PREFIX": f"pglost:{uuid.uuid4().hex[:8]}:"}
    try:
        seeded = subprocess.run([sys.executable, "-c", "from evals.sandbox import migrate_and_seed; migrate_and_seed()"],
                                capture_output=True, text=True, env={**os.environ, **platform.env, **env}, timeout=120)
        assert seeded.returncode == 0, seeded.stderr[-2000:]
        yield pg, env
    finally:
        pg.close()


def test_postgresql_killed_mid_dictation_is_one_line_and_the_run_resumes(platform, private_postgres) -> None:
    pg, env = private_postgres
    blocker = psycopg.connect(pg.url)
    try:
        # the run's writes of approval requests wait behind this lock: the dictation is caught
        # deep in its run (transcript and interpretation checkpointed, the proposal not yet queued)
        blocker.execute("LOCK TABLE agent_approval_requests IN EXCLUSIVE MODE")
        proc = spawn(platform, "dictate", "--text", "Mark seventeen as missing", "--patient", str(DEMO_PATIENT_IDS[2]),
                     "--as", DENTIST, env=env)
        with psycopg.connect(pg.url, autocommit=True) as watcher:
            def stuck() -> bool:
                # the run's own row is committed and its proposal's insert waits: a background sweep of
                # the same table may wait on the lock first, before the run has started (a loaded CI machine)
                assert proc.poll() is None, proc.communicate()
                return bool(watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                    " AND query ILIKE 'INSERT INTO agent_approval_requests%%'"
                    " AND EXISTS (SELECT 1 FROM agent_executions)"
                ).fetchone()[0])  # type: ignore[index]

            wait_for(stuck, 60)
        killed = time.monotonic()
        pg.kill()
        try:
            out, err = proc.communicate(timeout=60)  # a bound, not a timing: it used to take ~95 s
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        took = time.monotonic() - killed
    finally:
        blocker.close()
    lines = err.strip().splitlines()
    assert proc.returncode not in (0, None), (proc.returncode, round(took, 1), err[-3000:])
    assert len(lines) == 1 and "PostgreSQL" in lines[0] and "Traceback" not in err, err[-3000:]

    pg.restart()
    with psycopg.connect(pg.url) as conn:
        run_id, status = conn.execute("SELECT id, status FROM agent_executions").fetchone()  # type: ignore[misc]
    assert status == "RUNNING" and str(run_id) in lines[0]
    recovered = platform.cli("runs", "recover", "--json", env=env)
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    with psycopg.connect(pg.url) as conn:
        status = conn.execute("SELECT status FROM agent_executions WHERE id = %s", [run_id]).fetchone()[0]  # type: ignore[index]
        requests = conn.execute("SELECT count(*) FROM agent_approval_requests WHERE execution_id = %s",
                                [run_id]).fetchone()[0]  # type: ignore[index]
    assert (status, requests) == ("WAITING_APPROVAL", 1), recovered.stdout
