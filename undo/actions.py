"""Undo: restore an action's previous state within its window, audited like any change.

``action_history.user_id`` of an approved change is its approver (the executor writes it so:
the approver authorised the write); the requester is the run's user. Both may undo it if they
hold the permission deciding it needed; the undo's audit row names undoer, requester and
approver apart.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core_schema.directory import Actor
from core_schema.models import ActionHistory, AgentApprovalRequest, AgentExecution, AuditEvent
from core_schema.rows import rowcount
from tools.context import ToolError
from tools.registry import REGISTRY
from undo.errors import UndoError
from undo.handlers import UNDO_HANDLERS
from workflows.engine import Engine


def undo(engine: Engine, action_id: uuid.UUID, actor: Actor, reason: str | None = None) -> dict[str, Any]:
    """Undo one action of the actor's clinic within 5 minutes: its author, or a supervisor.

    For an approved change the author is its approver or its requester, and they must also
    hold the permission that deciding it needed (``required_permission`` of its approval
    request): undoing a tier-3 change is a tier-3 decision. Supervisors (``actions.undo.any``)
    may undo any action.
    """
    now = datetime.now(timezone.utc)
    with engine.db.tenant_session(actor.tenant_id) as s:
        row = s.scalar(select(ActionHistory).where(ActionHistory.id == action_id).with_for_update())
        if row is None:
            raise UndoError("not_found", f"action {action_id} not found in this clinic")
        if row.is_undone:
            raise UndoError("already_undone", f"action {action_id} was already undone at {row.undone_at:%Y-%m-%d %H:%M:%S} UTC")
        if row.undo_expires_at <= now:
            raise UndoError("expired", f"the undo window of action {action_id} closed at {row.undo_expires_at:%Y-%m-%d %H:%M:%S} UTC")
        authors = _authors(s, row)
        refused = _refusal(row, authors, actor)
        if refused:
            raise UndoError("forbidden", refused)
        handler = UNDO_HANDLERS.get(row.entity_type)
        if handler is None:
            raise UndoError("not_undoable", f"actions on {row.entity_type} cannot be undone")
        row.is_undone, row.undone_at, row.undone_by_user_id, row.undo_reason = True, now, actor.user_id, reason
        try:
            summary = handler(s, row)  # sees undone_by_user_id: the undo is authored by the actor
        except (UndoError, ToolError) as exc:  # e.g. a later change touched the same tooth
            raise UndoError("conflict", f"action {action_id} cannot be undone: {exc}") from None
        s.add(AuditEvent(
            tenant_id=actor.tenant_id, actor_type="USER", actor_id=actor.user_id, event_type="CLINICAL_UNDO",
            resource_type=row.entity_type, resource_id=row.entity_id,
            metadata_={"action_history_id": str(row.id), "summary": summary, "undone_by_user_id": str(actor.user_id),
                       "requested_by_user_id": _s(authors.requested_by), "approved_by_user_id": _s(authors.approved_by),
                       "approval_request_id": _s(row.approval_request_id)},
        ))
        return {"action_id": str(row.id), "entity_type": row.entity_type, "entity_id": str(row.entity_id),
                "undone": True, "summary": summary}


@dataclass(frozen=True)
class _Authors:
    """Who asked for and who approved an action, and what deciding it needed."""

    requested_by: uuid.UUID | None
    approved_by: uuid.UUID | None
    permission: str | None
    risk_tier: int | None


def _authors(s: Session, row: ActionHistory) -> _Authors:
    if row.approval_request_id is None:
        return _Authors(row.user_id, None, None, None)
    req = s.get(AgentApprovalRequest, row.approval_request_id)
    if req is None:
        return _Authors(row.user_id, None, None, None)
    details = req.action_details or {}
    tool = REGISTRY.get(details["tool"]) if details.get("tool") in REGISTRY else None
    permission = details.get("required_permission") or (tool.approval_permission if tool else None)
    requester = s.scalar(select(AgentExecution.user_id).where(AgentExecution.id == req.execution_id))
    return _Authors(requester, req.reviewer_id, permission, details.get("risk_tier"))


def refusal_for(s: Session, row: ActionHistory, actor: Actor) -> str | None:
    """Why ``actor`` may not undo ``row`` (authorship and tier, not the window); None when they may."""
    return _refusal(row, _authors(s, row), actor)


def _refusal(row: ActionHistory, authors: _Authors, actor: Actor) -> str | None:
    """Why ``actor`` may not undo ``row``; None when they may."""
    if actor.can("actions.undo.any"):
        return None
    if actor.user_id not in {row.user_id, authors.requested_by, authors.approved_by}:
        return f"only the user who made action {row.id} or a supervisor may undo it"
    if authors.permission and not actor.can(authors.permission):
        tier = f"tier-{authors.risk_tier} " if authors.risk_tier else ""
        return (f"{actor.email} may not undo action {row.id}: undoing a {tier}change needs "
                f"{authors.permission}, as deciding it did (or a supervisor)")
    return None


def undoable(engine: Engine, actor: Actor) -> list[dict[str, Any]]:
    """The actions still inside their undo window that the actor may undo (all of the clinic's for a supervisor)."""
    now = datetime.now(timezone.utc)
    with engine.db.tenant_session(actor.tenant_id) as s:
        query = select(ActionHistory).where(ActionHistory.is_undone.is_(False), ActionHistory.undo_expires_at > now)
        rows = [r for r in s.scalars(query.order_by(ActionHistory.created_at.desc())).all()
                if actor.can("actions.undo.any") or _refusal(r, _authors(s, r), actor) is None]
        return [{"id": str(r.id), "entity_type": r.entity_type, "entity_id": str(r.entity_id),
                 "action_type": r.action_type, "summary": r.change_summary,
                 "undo_expires_at": r.undo_expires_at.isoformat(), "execution_id": str(r.agent_execution_id) if r.agent_execution_id else None}
                for r in rows]


def _s(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def cleanup_expired(engine: Engine, now: datetime | None = None) -> int:
    """Delete action rows whose undo window has closed (the audit log keeps the record)."""
    now = now or datetime.now(timezone.utc)
    with engine.db.system_session() as s:
        return rowcount(s.execute(delete(ActionHistory).where(ActionHistory.undo_expires_at <= now)))
