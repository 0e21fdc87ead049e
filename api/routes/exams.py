"""Exam sessions over HTTP (``exam start|show|finish`` and the controls a pedal or a button sends).

Utterances go in through ``POST /api/v1/dictations`` (or the live socket) with the exam's
``session_id``.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from api.auth.deps import current_principal
from api.auth.principal import Principal
from api.schemas import ErrorOut
from runtime.process import get_engine
from voice.exam import service

router = APIRouter(tags=["exams"], responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}})


class ExamIn(BaseModel):
    patient_id: uuid.UUID
    mode: Literal["perio", "charting"] = "charting"


class ControlIn(BaseModel):
    """A voice control given without speech: ``{"action": "pause"}``, ``{"action": "goto", "tooth": "36"}``."""

    model_config = ConfigDict(extra="forbid")
    action: Literal["accept", "cancel_last", "undo_last", "goto", "read_back", "pause", "resume"]
    tooth: str | None = None
    side: Literal["buccal", "lingual"] | None = None
    skip: str | None = None
    direction: Literal["next", "back"] | None = None


@router.post("/exams")
async def start_exam(body: ExamIn, p: Principal = Depends(current_principal)) -> dict[str, Any]:
    """Open an exam: ``{"session_id", "mode", "cursor"}``."""
    p.require("voice:dictate")
    return await run_in_threadpool(service.start, get_engine(), p.actor, body.patient_id, body.mode)


@router.get("/exams/{session_id}")
async def show_exam(session_id: uuid.UUID, p: Principal = Depends(current_principal)) -> dict[str, Any]:
    """Cursor, pause state, the pending perio grid and the session's open approval requests."""
    p.require("voice:dictate")
    return await run_in_threadpool(service.view, get_engine(), p.actor, session_id)


@router.post("/exams/{session_id}/control")
async def control_exam(session_id: uuid.UUID, body: ControlIn, p: Principal = Depends(current_principal)) -> dict[str, Any]:
    """Carry out a control (the pedal's pause/resume, buttons) with the caller's rights."""
    p.require("voice:dictate")
    action = body.model_dump(exclude_none=True)
    return await run_in_threadpool(service.control, get_engine(), p.actor, session_id, action)


@router.post("/exams/{session_id}/finish")
async def finish_exam(session_id: uuid.UUID, p: Principal = Depends(current_principal)) -> dict[str, Any]:
    """Close the exam; a perio grid becomes one approval request."""
    p.require("voice:dictate")
    return await run_in_threadpool(service.finish, get_engine(), p.actor, session_id)
