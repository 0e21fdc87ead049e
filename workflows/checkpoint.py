"""Durable LangGraph checkpoints in the platform database (embedded mode included)."""

from __future__ import annotations

from langgraph.checkpoint.postgres import PostgresSaver
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool
from sqlalchemy.engine import make_url

from core_schema.db import Database


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
    saver = PostgresSaver(pool)  # type: ignore[arg-type]  # PostgresSaver takes a pool of dict-row connections; the pool's generic is not inferred
    saver.setup()
    return saver, pool
