"""Rows the code holds the id of: typed narrowing of ``session.get`` and other ``X | None``.

``session.get`` answers ``None`` for a missing row. Where the id comes from the code itself (a
run's own state, a foreign key, a row it just wrote), a missing row is a broken invariant, not a
request to refuse: it raises ``MissingRow`` (a ``RuntimeError``, so faces answer it as they
answer any crash, never as a 404), where it would otherwise fail on an attribute of ``None``.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Result
from sqlalchemy.orm import Session

T = TypeVar("T")


class MissingRow(RuntimeError):
    """A row (or value) the code was sure of is not there."""


def present(value: T | None, what: str) -> T:
    """``value``, which cannot be ``None`` here; ``what`` names it in the error if it is."""
    if value is None:
        raise MissingRow(f"{what} is missing")
    return value


def get_row(session: Session, model: type[T], key: Any) -> T:
    """``session.get(model, key)`` for a row that must exist (see the module docstring)."""
    row = session.get(model, key)
    if row is None:
        raise MissingRow(f"{model.__name__} {key} is missing")
    return row


def rowcount(result: Result[Any]) -> int:
    """The rows an INSERT/UPDATE/DELETE touched. ``Session.execute`` is typed as returning a
    ``Result``; for a DML statement it is a ``CursorResult``, which has ``rowcount``."""
    return cast("CursorResult[Any]", result).rowcount
