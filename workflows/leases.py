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

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from core_schema.db import Database
from core_schema.rows import present

_KEY = "hashtextextended('run-lease:' || :run, 0)"


@dataclass
class Lease:
    """A held lease: the owner connection that holds it, and what was read right after taking it."""

    conn: Connection
    row: Any = None


@contextmanager
def hold(db: Database, execution_id: uuid.UUID, read: str | None = None,
         params: dict[str, Any] | None = None) -> Iterator[Lease]:
    """Hold the run's lease (waiting for a live holder to finish) for the duration of the block.

    ``read`` (psycopg SQL) runs right after the lock is granted, in the same network round trip
    (pipeline), so it sees what the previous holder committed.
    """
    with db.engine.connect() as conn:
        conn.commit()  # psycopg drives this connection directly below
        pg = present(conn.connection.driver_connection, "the psycopg connection")
        row = None
        with pg.cursor() as lock_cur, pg.cursor() as read_cur:
            with pg.pipeline():
                lock_cur.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [f"run-lease:{execution_id}"])
                if read is not None:
                    read_cur.execute(read, params or {})
                pg.commit()
            if read is not None:
                row = read_cur.fetchone()
        try:
            yield Lease(conn, row)
            conn.commit()
        finally:
            conn.execute(text(f"SELECT pg_advisory_unlock({_KEY})"), {"run": str(execution_id)})
            conn.commit()


def is_held(session: Session, execution_id: uuid.UUID) -> bool:
    """Whether some live session holds the run's lease (a worker is executing it now)."""
    acquired = session.execute(text(f"SELECT pg_try_advisory_xact_lock({_KEY})"), {"run": str(execution_id)}).scalar()
    return not acquired  # the transaction-level lock, if we got it, ends with the caller's transaction

