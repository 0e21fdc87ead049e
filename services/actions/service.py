"""Actions and undo for both faces."""

from __future__ import annotations

import uuid

from core_schema.directory import Actor
from services.actions.schemas import ActionOut, UndoOut
from services.base import engine


def undoable(actor: Actor) -> list[ActionOut]:
    """Actions still inside their undo window that the actor may undo, newest first."""
    from workflows.undo import undoable as find_undoable

    return [ActionOut.model_validate(a) for a in find_undoable(engine(), actor)]


def undo(action_id: uuid.UUID, actor: Actor, reason: str | None = None) -> UndoOut:
    """Undo one action within its window: its author, or a supervisor.

    Raises ``UndoError`` (``not_found``, ``already_undone``, ``expired``, ``forbidden``,
    ``not_undoable``, ``conflict``).
    """
    from workflows.undo import undo as undo_action

    return UndoOut.model_validate(undo_action(engine(), action_id, actor, reason))
