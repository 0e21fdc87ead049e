"""The one undo error: why an undo is refused, with a stable code."""

from __future__ import annotations

from core_schema.errors import DomainError


class UndoError(DomainError):
    """Why an undo is refused, with a stable code: ``not_found``, ``already_undone``, ``expired``,
    ``forbidden`` (not yours), ``not_undoable`` or ``conflict`` (a later change is in the way)."""


def conflict(message: str) -> UndoError:
    """A handler's refusal: the data changed since the action in a way an undo would overwrite."""
    return UndoError("conflict", message)
