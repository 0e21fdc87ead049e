"""Undoable actions and undo (``actions list``, ``undo``); the changes a patient's record and a
run went through, and undoing a run's changes at once."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends

from api.auth.deps import current_principal
from api.auth.principal import Principal
from api.schemas import ActionOut, ChangeOut, ErrorOut, RunUndoOut, UndoIn, UndoOut
from runtime.process import get_engine
from undo import service

router = APIRouter(tags=["actions"], responses={403: {"model": ErrorOut}, 404: {"model": ErrorOut},
                                                 409: {"model": ErrorOut}})


@router.get("/actions", response_model=list[ActionOut])
def actions(p: Principal = Depends(current_principal)) -> list[ActionOut]:
    """Actions still inside their undo window that the caller may undo."""
    p.require("actions:read")
    return service.undoable(get_engine(), p.actor)


@router.post("/actions/{action_id}/undo", response_model=UndoOut)
def undo(action_id: uuid.UUID, body: UndoIn | None = None, p: Principal = Depends(current_principal)) -> UndoOut:
    """Undo an action within its 5-minute window (its author, or a supervisor)."""
    p.require("actions:undo")
    return service.undo(get_engine(), action_id, p.actor, body.reason if body else None)


@router.get("/patients/{patient_id}/history", response_model=list[ChangeOut])
def patient_history(patient_id: uuid.UUID, p: Principal = Depends(current_principal)) -> list[ChangeOut]:
    """The changes runs applied to the patient, newest first: who asked, who approved, when, from
    which run, whether undone, and whether the caller may undo it now (or why not)."""
    p.require("chart:read")
    return service.patient_history(get_engine(), p.actor, patient_id)


@router.get("/runs/{run_id}/changes", response_model=list[ChangeOut])
def run_changes(run_id: uuid.UUID, p: Principal = Depends(current_principal)) -> list[ChangeOut]:
    """The changes the run applied, newest first, with their undo state for the caller."""
    p.require("runs:read")
    return service.run_changes(get_engine(), p.actor, run_id)


@router.post("/runs/{run_id}/undo", response_model=RunUndoOut)
def undo_run(run_id: uuid.UUID, body: UndoIn | None = None, p: Principal = Depends(current_principal)) -> RunUndoOut:
    """Undo every change of the run the caller may still undo (each inside its window); 409 when
    every window has closed, 403 when the caller may undo none of them."""
    p.require("actions:undo")
    return service.undo_run(get_engine(), p.actor, run_id, body.reason if body else None)
