"""The review queue: list, approve, reject, edit, decide a batch (``approvals ... --json``)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, StreamingResponse

from api.auth.deps import current_principal
from api.auth.principal import Principal
from api.routes.errors import error_response
from api.schemas import ApprovalOut, BatchIn, CommentIn, DecisionOut, EditIn, ErrorOut
from approvals import service
from runtime.process import get_engine
from voice import review

router = APIRouter(tags=["approvals"], responses={403: {"model": ErrorOut}, 404: {"model": ErrorOut},
                                                   409: {"model": ErrorOut}})


@router.get("/approvals", response_model=list[ApprovalOut])
def pending(p: Principal = Depends(current_principal)) -> list[ApprovalOut]:
    """The caller's open requests, in queue order."""
    p.require("approvals:read")
    engine = get_engine()
    return review.with_context(engine, p.tenant_id, service.pending(engine, p.actor))


_AUDIO: dict[int | str, dict[str, Any]] = {200: {"content": {"audio/*": {"schema": {"type": "string", "format": "binary"}}},
                                                 "description": "The recording, in the format it was dictated in"}}


@router.get("/approvals/{approval_id}/recording", response_class=StreamingResponse, responses=_AUDIO)
def recording(approval_id: uuid.UUID, p: Principal = Depends(current_principal)) -> StreamingResponse:
    """The recording of the utterance a dictated request came from (404: another clinic's, or none kept)."""
    p.require("approvals:read")
    chunks, media_type = review.recording(get_engine(), p.tenant_id, approval_id)
    return StreamingResponse(chunks, media_type=media_type, headers={"Cache-Control": "private, max-age=3600"})


def _decide(p: Principal, ids: list[uuid.UUID], verdict: service.Verdict, comment: str | None,
            edits: dict[str, Any] | None) -> list[DecisionOut] | JSONResponse:
    """Decide all or nothing; 409 naming the change when an approved change then failed to apply."""
    p.require("approvals:decide")
    report = service.decide(get_engine(), ids, p.actor, verdict, comment=comment, edits=edits)
    if report.failure:
        return error_response(409, "apply_failed", report.failure,
                              decisions=[d.model_dump(mode="json") for d in report.decisions])
    return report.decisions


def _one(outcome: list[DecisionOut] | JSONResponse) -> DecisionOut | JSONResponse:
    return outcome if isinstance(outcome, JSONResponse) else outcome[0]


@router.post("/approvals/{approval_id}/approve", response_model=DecisionOut)
def approve(approval_id: uuid.UUID, body: CommentIn | None = None, p: Principal = Depends(current_principal)) -> Any:
    """Approve one request (its run resumes when it was the last one open)."""
    return _one(_decide(p, [approval_id], "approve", body.comment if body else None, None))


@router.post("/approvals/{approval_id}/reject", response_model=DecisionOut)
def reject(approval_id: uuid.UUID, body: CommentIn | None = None, p: Principal = Depends(current_principal)) -> Any:
    """Reject one request; nothing is written."""
    return _one(_decide(p, [approval_id], "reject", body.comment if body else None, None))


@router.post("/approvals/{approval_id}/edit", response_model=DecisionOut)
def edit(approval_id: uuid.UUID, body: EditIn, p: Principal = Depends(current_principal)) -> Any:
    """Correct the proposed action, then approve it (kept as a training example)."""
    return _one(_decide(p, [approval_id], "edit", body.comment, body.set))


@router.post("/approvals/decide", response_model=list[DecisionOut])
def decide(body: BatchIn, p: Principal = Depends(current_principal)) -> Any:
    """Approve or reject a batch, all or nothing."""
    return _decide(p, body.ids, body.verdict, body.comment, None)
