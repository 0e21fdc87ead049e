"""The data layer: models of the spec tables, migrations, seed data, database and Redis access."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core_schema.models import Base, metadata

__all__ = ["Base", "metadata"]


def __getattr__(name: str) -> Any:
    """``Base`` and ``metadata`` on first use: importing ``core_schema.errors`` (the CLI at start-up)
    does not load every model and SQLAlchemy."""
    if name in __all__:
        from core_schema import models

        return getattr(models, name)
    raise AttributeError(f"module 'core_schema' has no attribute {name!r}")
