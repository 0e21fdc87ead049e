"""The review queue: list, approve, reject, edit, decide a batch (``approvals ... --json``)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from api.auth.deps import current_principal
from api.auth.principal import Principal
from api.routes.errors import error_response
from api.schemas import ApprovalOut, BatchIn, CommentIn, DecisionOut, EditIn, ErrorOut

router = APIRouter(tags=["approvals"], responses={403: {"model": ErrorOut}, 404: {"model": ErrorOut},
                                                   409: {"model": ErrorOut}})


@router.get("/approvals", response_model=list[ApprovalOut])
def pending(p: Principal = Depends(current_principal)) -> list[dict[str, Any]]:
    """The caller's open requests, in queue order."""
    from workflows.approvals import pending_for
    from workflows.runtime import get_engine

    p.require("approvals:read")
    return pending_for(get_engine(), p.actor)


def _decide(p: Principal, ids: list[uuid.UUID], verdict: str, comment: str | None,
            edits: dict[str, Any] | None) -> list[dict[str, Any]] | JSONResponse:
    """Decide all or nothing; 409 naming the change when an approved change then failed to apply."""
    from workflows.approvals import decide_batch, failure_summary
    from workflows.runtime import get_engine

    p.require("approvals:decide")
    decisions = decide_batch(get_engine(), ids, p.actor, verdict, comment=comment, edits=edits)
    results = [d.as_dict() for d in decisions]
    failure = failure_summary(decisions, verdict)
    if failure:
        return error_response(409, "apply_failed", failure, decisions=results)
    return results


def _one(outcome: list[dict[str, Any]] | JSONResponse) -> dict[str, Any] | JSONResponse:
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
