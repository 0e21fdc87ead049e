"""Durable LangGraph checkpoints in the platform database (embedded mode included)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from langgraph.checkpoint.postgres import PostgresSaver
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool
from sqlalchemy.engine import make_url

from core_schema.db import Database

# Set around one invocation: the id of the last checkpoint the saver wrote for it. LangGraph
# writes checkpoints from its background executor, which runs with a copy of the caller's context.
_written: ContextVar[dict[str, str] | None] = ContextVar("dentalagent_checkpoint_written", default=None)


class Saver(PostgresSaver):
    """LangGraph's ``PostgresSaver`` that tells the runtime which checkpoint an invocation ended
    on, so recording the run needs no second read of it."""

    def put(self, config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
        out = super().put(config, checkpoint, metadata, new_versions)
        written = _written.get()
        if written is not None:
            written["checkpoint_id"] = out["configurable"]["checkpoint_id"]
        return out


@contextmanager
def tracking_writes() -> Iterator[dict[str, str]]:
    """Within the block, the returned dict gets ``checkpoint_id`` of each checkpoint written."""
    written: dict[str, str] = {}
    token = _written.set(written)
    try:
        yield written
    finally:
        _written.reset(token)


def libpq_url(db: Database) -> str:
    """The database URL without SQLAlchemy's driver suffix, for psycopg."""
    return make_url(db.url).set(drivername="postgresql").render_as_string(hide_password=False)


def make_checkpointer(db: Database) -> tuple[PostgresSaver, ConnectionPool]:
    """A Postgres saver over a small pool; its tables are created on first use (idempotent).

    It connects as the owner (``db.url``), never as the tenant role: checkpoints of every clinic
    share these tables, so the tenant role has no privilege on them (migration 0003 revokes
    the default grants, so tables created here later stay out of its reach).
    """
    pool = ConnectionPool(
        libpq_url(db), min_size=1, max_size=4, open=True,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
    )
    saver = Saver(pool)  # type: ignore[arg-type]  # PostgresSaver takes a pool of dict-row connections; the pool's generic is not inferred
    saver.setup()
    return saver, pool
