"""Undoable actions and undo (``actions list``, ``undo``)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends

from api.auth.deps import current_principal
from api.auth.principal import Principal
from api.schemas import ActionOut, ErrorOut, UndoIn, UndoOut
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
