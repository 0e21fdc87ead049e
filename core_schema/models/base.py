"""Declarative base shared by every model: one MetaData, PostgreSQL types, stable names."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import Boolean, Date, Integer, MetaData, Numeric, Text
from sqlalchemy.dialects.postgresql import ARRAY, REAL, TIMESTAMP, UUID
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator, TypeEngine

EMBEDDING_DIMENSIONS = 1536

# PostgreSQL's own default names, so that autogenerate and hand-written DDL agree.
NAMING_CONVENTION = {
    "pk": "%(table_name)s_pkey",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "uq": "%(table_name)s_%(column_0_name)s_key",
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "ck": "%(table_name)s_%(constraint_name)s_check",
}


class Embedding(TypeDecorator[list[float]]):
    """A 1536-d embedding: pgvector ``vector`` where the extension exists, ``real[]`` elsewhere.

    The engine factory records on the dialect whether pgvector is installable
    (``dentalagent_has_vector``); the migration makes the same decision, so the column type
    in the database and the one used for binding always agree.
    """

    impl = ARRAY(REAL)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if getattr(dialect, "dentalagent_has_vector", False):
            return dialect.type_descriptor(Vector(EMBEDDING_DIMENSIONS))
        return dialect.type_descriptor(ARRAY(REAL))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is not None and len(value) != EMBEDDING_DIMENSIONS:
            raise ValueError(f"embedding must have {EMBEDDING_DIMENSIONS} dimensions, got {len(value)}")
        # A list either way: with pgvector, the dialect impl (Vector) then renders it itself.
        return None if value is None else [float(v) for v in value]

    def process_result_value(self, value: Any, dialect: Dialect) -> list[float] | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = Vector(EMBEDDING_DIMENSIONS).result_processor(dialect, None)(value)
        return [float(v) for v in value]


class Base(DeclarativeBase):
    """Base of all 108 spec tables."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        uuid.UUID: UUID(as_uuid=True),
        str: Text(),
        datetime: TIMESTAMP(timezone=True),
        date: Date(),
        int: Integer(),
        bool: Boolean(),
        Decimal: Numeric(),
    }


__all__ = ["Base", "Embedding", "EMBEDDING_DIMENSIONS"]
