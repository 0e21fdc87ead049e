"""Actions and undo for both faces."""

from __future__ import annotations

import uuid

from core_schema.directory import Actor
from undo import history
from undo.actions import undo as undo_action
from undo.actions import undoable as find_undoable
from undo.schemas import ActionOut, ChangeOut, RunUndoOut, UndoOut
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


def patient_history(engine: Engine, actor: Actor, patient_id: uuid.UUID) -> list[ChangeOut]:
    """The changes runs applied to the patient, newest first (``NotFound`` for another clinic's)."""
    return [ChangeOut.model_validate(c) for c in history.patient_history(engine, actor, patient_id)]


def run_changes(engine: Engine, actor: Actor, run_id: uuid.UUID) -> list[ChangeOut]:
    """The changes the run applied, newest first (``NotFound`` for another clinic's run)."""
    return [ChangeOut.model_validate(c) for c in history.run_history(engine, actor, run_id)]


def undo_run(engine: Engine, actor: Actor, run_id: uuid.UUID, reason: str | None = None) -> RunUndoOut:
    """Undo every change of the run the actor may still undo; ``UndoError`` when none could be."""
    return RunUndoOut.model_validate(history.undo_run(engine, actor, run_id, reason))
