"""Run leases: the process executing a run holds a PostgreSQL session advisory lock on it.

The lock lives exactly as long as the executing process's database session: a worker killed
with SIGKILL loses its connection and so its lease at once, without waiting for a heartbeat
to go stale. Anyone can ask whether a run's lease is held (``is_held``) without taking it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from core_schema.db import Database

_KEY = "hashtextextended('run-lease:' || :run, 0)"


@contextmanager
def hold(db: Database, execution_id: uuid.UUID) -> Iterator[Connection]:
    """Hold the run's lease (waiting for a live holder to finish) for the duration of the block.

    Yields the owner connection that holds it, for reads the holder wants to make at once.
    """
    with db.engine.connect() as conn:
        conn.execute(text(f"SELECT pg_advisory_lock({_KEY})"), {"run": str(execution_id)})
        try:
            yield conn
            conn.commit()
        finally:
            conn.execute(text(f"SELECT pg_advisory_unlock({_KEY})"), {"run": str(execution_id)})
            conn.commit()


def is_held(session: Session, execution_id: uuid.UUID) -> bool:
    """Whether some live session holds the run's lease (a worker is executing it now)."""
    acquired = session.execute(text(f"SELECT pg_try_advisory_xact_lock({_KEY})"), {"run": str(execution_id)}).scalar()
    return not acquired  # the transaction-level lock, if we got it, ends with the caller's transaction

