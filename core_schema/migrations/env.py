"""Alembic environment: online migrations against the platform database only."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.dialects.postgresql import ARRAY

from core_schema.db import Database
from core_schema.models import Embedding, metadata

# Tables that live in our database but are not ours to migrate (LangGraph's checkpointer).
FOREIGN_TABLES = {"checkpoints", "checkpoint_blobs", "checkpoint_writes", "checkpoint_migrations"}
# The run queue's tables (procrastinate's schema, applied by migration 0004 as one block).
QUEUE_PREFIX = "procrastinate_"


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    if type_ == "table" and (name in FOREIGN_TABLES or (name or "").startswith(QUEUE_PREFIX)):
        return False
    if type_ in ("index", "foreign_key_constraint", "unique_constraint") and (name or "").startswith(QUEUE_PREFIX):
        return False
    db: Database = context.config.attributes["database"]
    if type_ == "index" and name == "idx_agent_memories_embedding" and not db.has_vector:
        return False  # the ivfflat index only exists where pgvector does
    return True


def compare_type(ctx: Any, inspected: Any, metadata_column: Any, inspected_type: Any, metadata_type: Any) -> bool | None:
    if isinstance(metadata_type, Embedding):
        db: Database = context.config.attributes["database"]
        expected = "vector" if db.has_vector else "array"
        actual = "array" if isinstance(inspected_type, ARRAY) else type(inspected_type).__name__.lower()
        return actual != expected
    return None  # default comparison


def run_migrations_online() -> None:
    db: Database = context.config.attributes["database"]
    with db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            include_object=include_object,
            compare_type=compare_type,
            compare_server_default=True,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `dentalagent db upgrade`")
run_migrations_online()
