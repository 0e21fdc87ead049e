"""The run queue: runs are executed by workers that take them from procrastinate's queue.

Why procrastinate: its jobs live in the platform's PostgreSQL, the source of truth, so a
queued run survives a Redis restart and can be reconciled with ``agent_executions`` in SQL;
workers register and heartbeat, so a dead worker's jobs are found. One task exists,
``advance_run``: bring a run as far as it can go (start it, continue it from its last
checkpoint, or resume it once its approvals are decided). It is idempotent, so a run queued
twice, or retried after its worker died, is never applied twice.

Callers that need the outcome (the CLI) ``submit`` and wait. When no worker is alive the
caller drains the queue itself as a short-lived worker, so the CLI works with nothing else
running, and a caller killed mid-run leaves a job another worker finishes.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

import procrastinate
from procrastinate import sql as procrastinate_sql
from procrastinate.exceptions import AlreadyEnqueued, ConnectorException, UniqueViolation
from procrastinate.job_context import JobContext
from psycopg_pool import ConnectionPool
from sqlalchemy import text

from core_schema.settings import get_settings
from core_schema.statuses import ExecutionStatus
from workflows import db_watch
from workflows.checkpoint import libpq_url
from workflows.engine import TRANSIENT, Engine, RunInterrupted, RunResult
from workflows.recovery import recover
from workflows.worker_presence import LIVE, PresenceApp

QUEUE = "runs"
TASK = "advance_run"

# procrastinate logs every job at INFO; keep stderr for what a person must see.
logging.getLogger("procrastinate").setLevel(logging.WARNING)
log = logging.getLogger(__name__)


def _advance(context: JobContext, execution_id: str) -> str:
    """The task body: advance one run in this worker's process, with the engine the worker's app
    was given (``QueueDispatcher``).

    A run interrupted by a failing PostgreSQL or Redis stays RUNNING without a lease; the job
    ends quietly and recovery queues the run again (up to its limit of recoveries).
    """
    engine = getattr(context.app, "engine", None)
    if engine is None:
        raise RuntimeError("this worker's app has no engine: build a QueueDispatcher over it first")
    interrupted: tuple[type[BaseException], ...] = (RunInterrupted, *TRANSIENT)  # named: mypy reads no `*` in an except
    try:
        return str(engine.advance(uuid.UUID(execution_id)).status)
    except interrupted as exc:
        log.warning("run %s interrupted (%s); recovery will resume it", execution_id, type(exc).__name__)
        return "INTERRUPTED"


@lru_cache(maxsize=4)
def worker_app(conninfo: str) -> PresenceApp:
    """The app the process's worker loop runs on (async connector; opened and closed by ``run_worker``)."""
    return new_worker_app(conninfo)


def new_worker_app(conninfo: str) -> PresenceApp:
    """An app for one worker loop: ``run_worker`` opens and closes its connector, so two loops that
    may overlap (the worker, a drain) each need their own."""
    app = PresenceApp(conninfo=conninfo,  # its workers hold a presence lock: see worker_presence
                      connector=procrastinate.PsycopgConnector(conninfo=conninfo, min_size=1, max_size=4))
    app.task(name=TASK, queue=QUEUE, pass_context=True)(_advance)
    return app


@lru_cache(maxsize=4)
def client_app(conninfo: str) -> procrastinate.App:
    """The app callers enqueue and retry jobs through (sync connector, open for the process)."""
    app = procrastinate.App(connector=procrastinate.SyncPsycopgConnector(conninfo=conninfo, min_size=1, max_size=2))
    app.task(name=TASK, queue=QUEUE, pass_context=True)(_advance)
    return app.open()


# Where a waited-for run stands: what its result needs.
_RUN = "SELECT status, error_details, workflow_id FROM agent_executions WHERE id = %s"


class QueueDispatcher:
    """Runs go through the queue; ``submit`` waits for the outcome (draining when alone)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.conninfo = libpq_url(engine.db)
        self.app = worker_app(self.conninfo)
        self.app.engine = engine  # what its task advances runs with (the engine is passed in, never looked up)
        self._drain_app = new_worker_app(self.conninfo)
        self._drain_app.engine = engine
        self.client = client_app(self.conninfo)
        self._draining = threading.Lock()
        self._background: threading.Thread | None = None
        self._background_lock = threading.Lock()
        self._drain_wanted = self._recover_wanted = False
        # owner connections (autocommit) of waiting callers: LISTEN for their run, ask where it stands
        self._conns = ConnectionPool(self.conninfo, min_size=1, max_size=16, open=True, name="run-waits",
                                     kwargs={"autocommit": True, "prepare_threshold": None})

    def close(self) -> None:
        self.idle(timeout_s=10)
        self._conns.close()

    def idle(self, timeout_s: float = 30) -> bool:
        """Wait until this process's drain thread has stopped (it stops once the queue is empty);
        whether it has."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._background_lock:
                thread = self._background
            if thread is None:
                return True
            thread.join(timeout=max(0.0, min(0.5, deadline - time.monotonic())))
        with self._background_lock:
            return self._background is None

    def enqueue(self, execution_id: uuid.UUID) -> None:
        """Queue the run once (a second request while one waits is the same job)."""
        try:
            self.client.configure_task(TASK, queue=QUEUE, queueing_lock=str(execution_id)).defer(
                execution_id=str(execution_id))
        except AlreadyEnqueued:
            pass
        except UniqueViolation as exc:  # a job for the run already waits: the same outcome
            if "queueing_lock" not in (exc.constraint_name or ""):
                raise

    def submit(self, execution_id: uuid.UUID) -> RunResult:
        self.enqueue(execution_id)
        return self.wait(execution_id)

    def wait(self, execution_id: uuid.UUID, timeout_s: float | None = None, worker_alive: bool = False) -> RunResult:
        """Until the run stops RUNNING: its result, or the still-RUNNING result at the deadline.

        Woken by the worker's notification when the run's record changes (``Database.runs_channel``,
        on a pooled connection that listens only while it waits, for this run's id alone), with a
        periodic re-check in case a notification was missed. Taking the LISTEN and asking where the
        run stands is one round trip; so is each re-check. ``worker_alive``: the caller just saw a
        live worker (no need to ask again before the first wait).
        """
        deadline = time.monotonic() + (timeout_s or get_settings().run_wait_s)
        run, channel = str(execution_id), self.engine.db.runs_channel
        with db_watch.watching(self.conninfo, execution_id), self._conns.connection() as conn:
            try:
                with conn.pipeline():
                    conn.execute(f"LISTEN {channel}")
                    cur = conn.execute(_RUN, [execution_id])
                row = cur.fetchone()
                check_workers, drained = not worker_alive, False
                while row is not None and row[0] == ExecutionStatus.RUNNING and time.monotonic() < deadline:
                    # no worker alive (it died, or stopped), or only this process's drain thread (it may be
                    # past its last look at the queue): a worker thread of this process works the queue
                    if check_workers and (self._background is not None or self.live_workers() == 0):
                        # the queue was drained once and the run is still RUNNING: it was interrupted, queue it again
                        self.drain_in_background(recover=drained)
                        drained, check_workers = True, False
                    else:
                        timeout = min(0.5, max(0.0, deadline - time.monotonic()))
                        # no notification for this run within the timeout: ask whether a worker is still alive
                        check_workers = not any(note.payload == run for note in conn.notifies(timeout=timeout))
                    row = conn.execute(_RUN, [execution_id]).fetchone()
            finally:
                if not conn.closed:
                    conn.execute(f"UNLISTEN {channel}")
        if row is None:
            raise KeyError(f"run {execution_id} not found")
        return self.engine.result(execution_id, known=(row[0], row[1], row[2]))

    def live_workers(self) -> int:
        """Workers whose process is alive: its presence lock is held (a killed one's is gone at once)."""
        with self._conns.connection() as conn:
            row = conn.execute(f"SELECT count(*) FROM procrastinate_workers w WHERE {LIVE}").fetchone()
            return int(row[0]) if row is not None else 0

    def drain_in_background(self, recover: bool = False) -> None:
        """No worker is alive: a short-lived worker thread of this process drains the queue (first
        queueing again what was interrupted, when ``recover``). The caller (an API handler, a CLI
        command) only waits: it never runs a graph itself. A request while the thread works makes
        it drain once more."""
        with self._background_lock:
            self._drain_wanted = True
            self._recover_wanted |= recover
            if self._background is None:
                self._background = threading.Thread(target=self._drain_while_wanted, name="run-drain", daemon=True)
                self._background.start()

    def _drain_while_wanted(self) -> None:
        while True:
            with self._background_lock:
                if not self._drain_wanted:
                    self._background = None  # under the lock: a later request starts a new thread
                    return
                recovering, self._drain_wanted, self._recover_wanted = self._recover_wanted, False, False
            try:
                if recovering:
                    recover(self.engine, self)
                self.drain()
            except Exception:  # a failing database or Redis: the next wait asks again
                log.warning("draining the run queue failed", exc_info=True)

    def drain_if_alone(self) -> None:
        """Drain the queue here when no worker is alive to do it."""
        if self.live_workers() == 0:
            self.drain()

    def drain(self) -> None:
        """Work the queue in this process until it is empty (a short-lived worker); one thread
        at a time drains (the app's connection pool is opened and closed around it)."""
        if not self._draining.acquire(blocking=False):
            time.sleep(0.02)  # another thread of this process is draining: let it
            return
        try:
            with db_watch.watching(self.conninfo):  # a face armed for it hears at once if PostgreSQL is lost
                # listen_notify off: a worker that stops at an empty queue never waits for a job
                # notification, and the listener costs a connection of its own per drain
                self._drain_app.run_worker(**worker_options(concurrency=1, wait=False, name="drain", listen_notify=False))
        finally:
            self._draining.release()

    def retry_stalled(self) -> int:
        """Jobs taken by a worker that died go back to the queue (see ``retry_stalled_runs``)."""
        return len(self.retry_stalled_runs())

    def retry_stalled_runs(self) -> list[uuid.UUID]:
        """Jobs taken by a worker whose process is gone go back to the queue; the runs they were for.

        Idempotent under any state of the queue: a run that already has a job waiting (queued
        again by someone else meanwhile) keeps that one and the dead worker's job is closed as
        failed, instead of a second waiting job violating the run's queueing lock.
        """
        with self.engine.db.system_session() as s:
            rows = s.execute(text(
                "SELECT j.id, j.args->>'execution_id' FROM procrastinate_jobs j "
                "LEFT JOIN procrastinate_workers w ON w.id = j.worker_id "
                f"WHERE j.status = 'doing' AND j.task_name = :task AND (w.id IS NULL OR NOT {LIVE})"
            ), {"task": TASK}).all()
        runs: list[uuid.UUID] = []
        for job_id, run in rows:
            try:
                self.client.job_manager.retry_job_by_id(job_id, retry_at=datetime.now(timezone.utc))
            except UniqueViolation as exc:
                if "queueing_lock" not in (exc.constraint_name or ""):
                    raise
                self._close_job(job_id)
            except ConnectorException:
                if self._job_status(job_id) == "doing":
                    raise
                continue  # another recovery got to it first
            if run:
                runs.append(uuid.UUID(run))
        return runs

    def _close_job(self, job_id: int) -> None:
        """A dead worker's job whose run already waits in the queue: recorded failed, not retried."""
        try:
            self.client.connector.get_sync_connector().execute_query(
                query=procrastinate_sql.queries["finish_job"], job_id=job_id, status="failed", delete_job=False)
        except ConnectorException:
            if self._job_status(job_id) == "doing":
                raise

    def _job_status(self, job_id: int) -> str | None:
        with self.engine.db.system_session() as s:
            return s.execute(text("SELECT status::text FROM procrastinate_jobs WHERE id = :id"), {"id": job_id}).scalar()

    def queued_runs(self) -> set[uuid.UUID]:
        """Runs with a job waiting to be taken (a taken job is judged by its run's lease)."""
        with self.engine.db.system_session() as s:
            rows = s.execute(text(
                "SELECT DISTINCT args->>'execution_id' FROM procrastinate_jobs "
                "WHERE task_name = :task AND status = 'todo'"
            ), {"task": TASK}).scalars().all()
        return {uuid.UUID(r) for r in rows if r}


def worker_options(**overrides: Any) -> dict[str, Any]:
    """procrastinate worker settings shared by the worker command and draining callers."""
    s = get_settings()
    options: dict[str, Any] = dict(
        queues=[QUEUE], install_signal_handlers=False, delete_jobs="successful",
        update_heartbeat_interval=s.worker_heartbeat_s, stalled_worker_timeout=s.worker_stalled_s,
    )
    options.update(overrides)
    return options

