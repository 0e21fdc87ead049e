"""Undoable actions and undo results (``actions list``, ``undo``)."""

from __future__ import annotations

from typing import Any

from core_schema.responses import Out


class ActionOut(Out):
    id: str
    entity_type: str
    entity_id: str
    action_type: str | None
    summary: Any = None
    undo_expires_at: str
    execution_id: str | None


class UndoOut(Out):
    action_id: str
    entity_type: str
    entity_id: str
    undone: bool
    summary: Any = None
