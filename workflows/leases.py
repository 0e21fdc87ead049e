"""Run leases: the process executing a run holds a PostgreSQL session advisory lock on it.

The lock lives exactly as long as the executing process's database session: a worker killed
with SIGKILL loses its connection and so its lease at once, without waiting for a heartbeat
to go stale. Anyone can ask whether a run's lease is held (``is_held``) without taking it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool
from sqlalchemy import text
from sqlalchemy.orm import Session

from core_schema.db import Database
from workflows.checkpoint import libpq_url

_KEY = "hashtextextended('run-lease:' || :run, 0)"
LOCK = "SELECT pg_advisory_lock(hashtextextended(%s, 0))"
UNLOCK = "SELECT pg_advisory_unlock(hashtextextended(%s, 0))"


def lease_key(execution_id: uuid.UUID) -> str:
    return f"run-lease:{execution_id}"


@dataclass
class Lease:
    """A held lease: the owner connection that holds it (psycopg, autocommit), what was read
    right after taking it, and whether it was already given back (``release_in``)."""

    conn: psycopg.Connection[Any]
    execution_id: uuid.UUID
    row: Any = None
    released: bool = False

    def release_in(self, cur: psycopg.Cursor[Any]) -> None:
        """Queue the unlock on ``cur`` (in the caller's pipeline, after its commit): the lease
        ends in the same round trip as the run's last write."""
        cur.execute(UNLOCK, [lease_key(self.execution_id)])
        self.released = True


def connect(db: Database) -> psycopg.Connection[Any]:
    """An owner connection for a lease (autocommit: the lock is session-level)."""
    return psycopg.connect(libpq_url(db), autocommit=True)


def lease_pool(db: Database, max_size: int = 16) -> ConnectionPool:
    """Owner connections for the leases of one process (no ping per checkout: a broken one
    fails its first statement, a transient failure the run survives)."""
    return ConnectionPool(libpq_url(db), min_size=1, max_size=max_size, open=True, name="leases",
                          kwargs={"autocommit": True, "prepare_threshold": None})


@contextmanager
def hold(db: Database, execution_id: uuid.UUID, read: str | None = None,
         params: dict[str, Any] | None = None, pool: ConnectionPool | None = None) -> Iterator[Lease]:
    """Hold the run's lease (waiting for a live holder to finish) for the duration of the block.

    ``read`` (psycopg SQL) runs right after the lock is granted, in the same network round trip
    (pipeline), so it sees what the previous holder committed. ``pool``: the process's lease
    connections (else a connection of its own).
    """
    with (pool.connection() if pool is not None else connect(db)) as conn:
        lease = Lease(conn, execution_id)
        try:
            with conn.cursor() as lock_cur, conn.cursor() as read_cur:
                with conn.pipeline():
                    lock_cur.execute(LOCK, [lease_key(execution_id)])
                    if read is not None:
                        read_cur.execute(read, params or {})
                if read is not None:
                    lease.row = read_cur.fetchone()
            yield lease
        except BaseException:
            conn.close()  # the server drops the lock with the session; a pool discards a closed connection
            raise
        if not lease.released:
            try:
                conn.execute(UNLOCK, [lease_key(execution_id)])
            except BaseException:
                conn.close()
                raise


def is_held(session: Session, execution_id: uuid.UUID) -> bool:
    """Whether some live session holds the run's lease (a worker is executing it now)."""
    acquired = session.execute(text(f"SELECT pg_try_advisory_xact_lock({_KEY})"), {"run": str(execution_id)}).scalar()
    return not acquired  # the transaction-level lock, if we got it, ends with the caller's transaction
