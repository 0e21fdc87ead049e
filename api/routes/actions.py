"""Undoable actions and undo (``actions list``, ``undo``)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends

from api.auth.deps import current_principal
from api.auth.principal import Principal
from api.schemas import ActionOut, ErrorOut, UndoIn, UndoOut

router = APIRouter(tags=["actions"], responses={403: {"model": ErrorOut}, 404: {"model": ErrorOut},
                                                 409: {"model": ErrorOut}})


@router.get("/actions", response_model=list[ActionOut])
def actions(p: Principal = Depends(current_principal)) -> list[dict[str, Any]]:
    """Actions still inside their undo window that the caller may undo."""
    from workflows.runtime import get_engine
    from workflows.undo import undoable

    p.require("actions:read")
    return undoable(get_engine(), p.actor)


@router.post("/actions/{action_id}/undo", response_model=UndoOut)
def undo(action_id: uuid.UUID, body: UndoIn | None = None, p: Principal = Depends(current_principal)) -> dict[str, Any]:
    """Undo an action within its 5-minute window (its author, or a supervisor)."""
    from workflows.runtime import get_engine
    from workflows.undo import undo as undo_action

    p.require("actions:undo")
    return undo_action(get_engine(), action_id, p.actor, body.reason if body else None)
