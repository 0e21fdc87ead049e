"""The review queue: list, approve, reject, edit, decide a batch, respond (ask the dictating
clinician) and their answer, snooze (``approvals ... --json``)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, StreamingResponse

from api.auth.deps import current_principal
from api.auth.principal import Principal
from api.routes.errors import error_response
from api.schemas import ApprovalOut, BatchIn, CommentIn, DecisionOut, EditIn, ErrorOut, MessageIn, SnoozeIn
from approvals import service
from approvals.schemas import QuestionOut, SnoozeOut, ThreadMessageOut
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


@router.get("/approvals/snoozed", response_model=list[ApprovalOut])
def snoozed(p: Principal = Depends(current_principal)) -> list[ApprovalOut]:
    """The caller's requests they snoozed, soonest back first (each with ``snoozed_until``)."""
    p.require("approvals:read")
    engine = get_engine()
    return review.with_context(engine, p.tenant_id, service.snoozed(engine, p.actor))


@router.get("/approvals/questions", response_model=list[QuestionOut])
def questions(patient_id: uuid.UUID | None = None, p: Principal = Depends(current_principal)) -> list[QuestionOut]:
    """What reviewers asked the caller about the pending requests of their dictations (one patient's, if given)."""
    p.require("approvals:read")
    return service.questions(get_engine(), p.actor, patient_id)


@router.post("/approvals/{approval_id}/respond", response_model=ThreadMessageOut)
def respond(approval_id: uuid.UUID, body: MessageIn, p: Principal = Depends(current_principal)) -> ThreadMessageOut:
    """Send a question or correction to the clinician who dictated the request; it stays pending."""
    p.require("approvals:decide")
    return service.respond(get_engine(), approval_id, p.actor, body.message)


@router.post("/approvals/{approval_id}/answer", response_model=ThreadMessageOut)
def answer(approval_id: uuid.UUID, body: MessageIn, p: Principal = Depends(current_principal)) -> ThreadMessageOut:
    """The dictating clinician's answer to the questions on their request."""
    p.require("approvals:decide")
    return service.answer(get_engine(), approval_id, p.actor, body.message)


@router.post("/approvals/{approval_id}/snooze", response_model=SnoozeOut)
def snooze(approval_id: uuid.UUID, body: SnoozeIn, p: Principal = Depends(current_principal)) -> SnoozeOut:
    """Hide the request from the caller's own inbox until ``until``; it stays pending for everyone else."""
    p.require("approvals:decide")
    return service.snooze(get_engine(), approval_id, p.actor, body.until)


@router.delete("/approvals/{approval_id}/snooze", response_model=SnoozeOut)
def wake(approval_id: uuid.UUID, p: Principal = Depends(current_principal)) -> SnoozeOut:
    """Bring a snoozed request back to the caller's inbox now."""
    p.require("approvals:decide")
    return service.wake(get_engine(), approval_id, p.actor)


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
