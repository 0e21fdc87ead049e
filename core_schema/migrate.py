"""Alembic, driven from code: ``dentalagent db upgrade|downgrade`` and the tests use this."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from core_schema.db import Database

if TYPE_CHECKING:  # alembic is imported by what migrates, not by every command that may
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(db: Database) -> Config:
    """An Alembic config bound to ``db`` (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    cfg.attributes["database"] = db
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(db), revision)


def downgrade(db: Database, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(alembic_config(db), revision)


def current(db: Database) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
