"""Platform administration for the CLI (``doctor``, ``db ...``)."""

from __future__ import annotations

from typing import Any

from core_schema import migrate
from core_schema.db import get_database
from core_schema.errors import DomainError
from core_schema.seed.demo import seed
from runtime.status import platform_status


def status() -> dict[str, Any]:
    """Mode, server versions, pgvector, schema revision (connects, starting embedded servers)."""
    return platform_status()


def current_revision() -> str | None:
    """The schema revision of the database, None when it has no schema."""
    return migrate.current(get_database())


def upgrade(revision: str = "head") -> str | None:
    """Apply migrations up to ``revision``; returns the revision reached."""
    db = get_database()
    migrate.upgrade(db, revision)
    return migrate.current(db)


def downgrade(revision: str) -> str | None:
    """Revert migrations down to ``revision``; returns the revision reached (None: base)."""
    db = get_database()
    migrate.downgrade(db, revision)
    return migrate.current(db)


def seed_demo() -> None:
    """Write the demo clinic (idempotent)."""
    db = get_database()
    if migrate.current(db) is None:
        raise DomainError("no_schema", "the database has no schema yet: run `dentalagent db upgrade` first", 409)
    with db.system_session() as session:
        seed(session)
