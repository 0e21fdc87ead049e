"""Actions and undo for both faces."""

from __future__ import annotations

import uuid

from core_schema.directory import Actor
from undo.actions import undo as undo_action
from undo.actions import undoable as find_undoable
from undo.schemas import ActionOut, UndoOut
from workflows.engine import Engine


def undoable(engine: Engine, actor: Actor) -> list[ActionOut]:
    """Actions still inside their undo window that the actor may undo, newest first."""

    return [ActionOut.model_validate(a) for a in find_undoable(engine, actor)]


def undo(engine: Engine, action_id: uuid.UUID, actor: Actor, reason: str | None = None) -> UndoOut:
    """Undo one action within its window: its author, or a supervisor.

    Raises ``UndoError`` (``not_found``, ``already_undone``, ``expired``, ``forbidden``,
    ``not_undoable``, ``conflict``).
    """

    return UndoOut.model_validate(undo_action(engine, action_id, actor, reason))
