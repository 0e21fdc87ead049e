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


class ChangeOut(Out):
    """One change a run applied to a patient's record, as the history and the run trace show it:
    who asked and approved, when, whether it was undone (by whom, when), and whether the caller
    may undo it now (``undo_state`` ``open``) or why not (``why_not``, in plain words)."""

    action_id: str | None
    run_id: str | None
    approval_request_id: str | None
    tool: str | None
    entity_type: str | None
    action_type: str
    summary: str
    applied_at: str
    requested_by: str | None
    approved_by: str | None
    approved_at: str | None
    undo_expires_at: str
    undone: bool
    undone_at: str | None
    undone_by: str | None
    undo_reason: str | None
    undo_summary: str | None
    undo_state: str  # open, undone, expired, forbidden, not_undoable
    can_undo: bool
    why_not: str | None


class RefusedUndoOut(Out):
    action_id: str
    code: str
    message: str


class RunUndoOut(Out):
    """A run's changes undone at once: those undone, and those refused with why."""

    run_id: str
    undone: list[UndoOut]
    refused: list[RefusedUndoOut]
