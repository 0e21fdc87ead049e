"""The data layer: models of the spec tables, migrations, seed data, database and Redis access."""

from core_schema.models import Base, metadata

__all__ = ["Base", "metadata"]
