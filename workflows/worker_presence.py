"""Worker presence: a worker is alive exactly as long as its database session is.

procrastinate tells a dead worker by its heartbeat going stale (``worker_stalled_s``, 30 s by
default), so a command that drained the queue in-line and was killed counted as a live worker
for that long: nobody else took its job, and ``runs recover`` queued the run a second time.
Here every worker (``dentalagent worker``, the one beside ``serve``, a command draining alone)
holds a PostgreSQL session advisory lock keyed by its procrastinate worker id, on a connection
of its own, from before it takes its first job until it stops. A process killed with SIGKILL
loses its connection and so the lock at once; ``LIVE`` asks ``pg_locks`` whether a worker row's
lock is held. A worker whose presence connection drops (PostgreSQL restarted) takes the lock
again on a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import procrastinate
import psycopg
from procrastinate.worker import Worker

log = logging.getLogger(__name__)

# The two-key advisory lock space of worker presence: (NAMESPACE, worker id). Run leases use
# one-key (bigint) locks, which never collide with two-key ones.
NAMESPACE = 0x44415750  # "DAWP"
_KEY_MOD = 2147483647

# SQL condition: the worker row ``w`` belongs to a process whose presence lock is held now.
LIVE = (
    "EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    f"AND l.classid::bigint = {NAMESPACE} AND l.objid::bigint = w.id % {_KEY_MOD} AND l.objsubid = 2)"
)


class _Presence:
    """The presence lock of one worker on a dedicated connection, re-taken if the connection drops."""

    def __init__(self, conninfo: str, worker_id: int, check_s: float) -> None:
        self.conninfo, self.worker_id, self.check_s = conninfo, worker_id, check_s
        self.conn: psycopg.AsyncConnection[Any] | None = None

    async def take(self) -> None:
        conn = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True, connect_timeout=5,
                                                     application_name=f"dentalagent-worker-{self.worker_id}")
        try:
            await conn.execute("SELECT pg_advisory_lock(%s, %s)", [NAMESPACE, self.worker_id % _KEY_MOD])
        except BaseException:
            await conn.close()
            raise
        self.conn = conn

    async def keep(self) -> None:
        """Check the connection every ``check_s``; when it is gone, lock again on a new one."""
        while True:
            await asyncio.sleep(self.check_s)
            try:
                assert self.conn is not None
                await self.conn.execute("SELECT 1")
                continue
            except Exception as exc:
                log.debug("worker %s lost its presence connection (%s); taking it again", self.worker_id, exc)
            await self.release()
            try:
                await self.take()
            except Exception as exc:  # PostgreSQL still down: the next check tries again
                log.debug("worker %s could not take its presence lock again: %s", self.worker_id, exc)

    async def release(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()  # closing the session releases the lock


class PresenceWorker(Worker):
    """procrastinate's worker, holding its presence lock while its loop runs."""

    def __init__(self, *, conninfo: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._conninfo = conninfo

    async def _run_loop(self) -> None:
        assert self.worker_id is not None  # registered by ``run`` before the loop starts
        presence = _Presence(self._conninfo, self.worker_id, min(self.update_heartbeat_interval, 1.0))
        keeper: asyncio.Task[None] | None = None
        try:
            await presence.take()  # before the first job is fetched
            keeper = asyncio.create_task(presence.keep(), name="presence")
            await super()._run_loop()
        except BaseException:
            if keeper is None:  # never looped: leave no registered worker behind
                with contextlib.suppress(Exception):
                    await self.app.job_manager.unregister_worker(self.worker_id)
            raise
        finally:
            if keeper is not None:
                keeper.cancel()
                with contextlib.suppress(BaseException):
                    await keeper
            await presence.release()


class PresenceApp(procrastinate.App):
    """An app whose workers hold a presence lock (see the module's docstring)."""

    def __init__(self, *, conninfo: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._presence_conninfo = conninfo
        self.engine: Any = None  # the engine its task advances runs with (set by ``QueueDispatcher``)

    def _worker(self, **kwargs: Any) -> Worker:
        return PresenceWorker(app=self, conninfo=self._presence_conninfo, **{**self.worker_defaults, **kwargs})
