"""Human-in-the-loop approvals: requests, decisions, timeouts and escalation.

PostgreSQL is the source of truth (``agent_approval_requests``); Redis only queues and
notifies. A decision is taken under a row lock, so of two concurrent decisions one wins and
the other is told the request was already decided. When the last open request of a run is
decided, the run is resumed (``Command(resume=...)``) by whoever decided it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core_schema.directory import Actor
from core_schema.models import (
    AgentApprovalRequest,
    AgentExecution,
    AgentIntervention,
    Permission,
    RolePermission,
    ToolExecution,
    User,
    UserRole,
)
from tools.registry import REGISTRY, Tool
from workflows import approval_queue
from workflows.engine import Engine, RunResult

PRIORITY_BY_TIER = {3: "HIGH", 2: "NORMAL", 1: "LOW"}


class ApprovalError(Exception):
    """A decision that cannot be taken, with the reason for the reviewer."""


@dataclass(frozen=True)
class Proposal:
    """A PENDING tool execution that needs a person's yes or no."""

    tool_execution_id: uuid.UUID
    tool: str
    summary: str
    reason: str


@dataclass
class Decision:
    approval_id: uuid.UUID
    status: str
    execution_id: uuid.UUID
    run: RunResult | None = None


def reviewer_for(session: Session, tenant_id: uuid.UUID, permission: str, preferred: uuid.UUID | None,
                 exclude: uuid.UUID | None = None) -> uuid.UUID | None:
    """``preferred`` if they hold ``permission`` in this tenant, else the first user who does."""
    holders = session.scalars(
        select(User.id).join(UserRole, UserRole.user_id == User.id)
        .join(RolePermission, RolePermission.role_id == UserRole.role_id)
        .join(Permission, Permission.id == RolePermission.permission_id)
        .where(UserRole.tenant_id == tenant_id, Permission.key == permission, User.status == "ACTIVE")
        .order_by(User.email)
    ).all()
    if preferred in holders and preferred != exclude:
        return preferred
    return next((u for u in holders if u != exclude), None)


def request(engine: Engine, state: dict[str, Any], step_id: uuid.UUID, proposals: list[Proposal]) -> list[uuid.UUID]:
    """Write one approval request per proposal, then queue and announce them (batch of one run)."""
    tenant_id, execution_id = uuid.UUID(state["tenant_id"]), uuid.UUID(state["execution_id"])
    requester = uuid.UUID(state["user_id"])
    now = datetime.now(timezone.utc)
    created: list[tuple[uuid.UUID, uuid.UUID | None]] = []
    with engine.db.tenant_session(tenant_id) as s:
        for p in proposals:
            tool = REGISTRY.get(p.tool)
            texec = s.get(ToolExecution, p.tool_execution_id)
            assert texec is not None
            assignee = reviewer_for(s, tenant_id, tool.approval_permission, requester)
            approval_id = uuid.uuid4()
            s.add(AgentApprovalRequest(
                id=approval_id, execution_id=execution_id, step_id=step_id, tool_execution_id=p.tool_execution_id,
                tenant_id=tenant_id, requested_action=p.summary,
                action_details={"tool": tool.name, "arguments": texec.input_params["arguments"],
                                "risk_tier": tool.risk_tier, "required_permission": tool.approval_permission},
                reason=p.reason, priority=PRIORITY_BY_TIER.get(tool.risk_tier, "NORMAL"),
                assigned_to_user_id=assignee, status="PENDING",
                timeout_at=now + timedelta(seconds=tool.approval_timeout_s),
            ))
            created.append((approval_id, assignee))
    for approval_id, assignee in created:
        if assignee is not None:
            approval_queue.enqueue(engine.redis, tenant_id, assignee, approval_id, execution_id)
    return [a for a, _ in created]


def decide(engine: Engine, approval_id: uuid.UUID, actor: Actor, verdict: str, *, comment: str | None = None,
           edits: dict[str, Any] | None = None) -> Decision:
    """Approve, reject or edit one request; resumes its run when it was the last one open."""
    if verdict not in ("approve", "reject", "edit"):
        raise ApprovalError(f"unknown decision {verdict!r}: use approve, reject or edit")
    now = datetime.now(timezone.utc)
    with engine.db.tenant_session(actor.tenant_id) as s:
        execution_id = s.scalar(select(AgentApprovalRequest.execution_id).where(AgentApprovalRequest.id == approval_id))
        if execution_id is None:
            raise ApprovalError(f"approval {approval_id} not found in this clinic")
        # Decisions of one run take turns, so exactly one of them sees the last request decided.
        s.execute(select(AgentExecution.id).where(AgentExecution.id == execution_id).with_for_update())
        req = s.scalar(select(AgentApprovalRequest).where(AgentApprovalRequest.id == approval_id).with_for_update())
        assert req is not None
        if req.status != "PENDING":
            raise ApprovalError(f"approval {approval_id} was already decided: {req.status}"
                                + (f" at {req.reviewed_at:%Y-%m-%d %H:%M:%S}" if req.reviewed_at else ""))
        if req.timeout_at and req.timeout_at < now:
            raise ApprovalError(f"approval {approval_id} expired at {req.timeout_at:%Y-%m-%d %H:%M:%S} UTC")
        tool = REGISTRY.get(req.action_details["tool"])
        if not actor.can(tool.approval_permission):
            raise ApprovalError(
                f"{actor.email} may not decide tier-{tool.risk_tier} changes ({tool.approval_permission} needed)")
        status = "REJECTED" if verdict == "reject" else "APPROVED"
        if verdict == "edit":
            _apply_edit(s, req, tool, actor, edits or {}, comment)
        s.execute(update(AgentApprovalRequest).where(AgentApprovalRequest.id == approval_id).values(
            status=status, reviewer_id=actor.user_id, reviewed_at=now, review_comment=comment))
        execution_id, assignee = req.execution_id, req.assigned_to_user_id
        still_open = s.scalar(select(AgentApprovalRequest.id).where(
            AgentApprovalRequest.execution_id == execution_id, AgentApprovalRequest.status == "PENDING").limit(1))
    if assignee is not None:
        approval_queue.dequeue(engine.redis, actor.tenant_id, assignee, approval_id)
    run = None
    if still_open is None:
        run = engine.resume(execution_id, actor.tenant_id, {"decided_by": str(actor.user_id)})
    return Decision(approval_id, status, execution_id, run)


def _apply_edit(s: Session, req: AgentApprovalRequest, tool: Tool, actor: Actor, edits: dict[str, Any],
                comment: str | None) -> None:
    """Correct the proposed arguments (validated by the tool's model) and keep it for training."""
    if not edits:
        raise ApprovalError("an edit needs at least one --set key=value")
    texec = s.get(ToolExecution, req.tool_execution_id)
    assert texec is not None
    original = dict(texec.input_params["arguments"])
    corrected = {**original, **edits}
    try:
        tool.input_model.model_validate(corrected)
    except Exception as exc:
        raise ApprovalError(f"the edited action is not valid for {tool.name}: {str(exc).splitlines()[0]}") from None
    texec.input_params = {**texec.input_params, "arguments": corrected}
    req.action_details = {**req.action_details, "arguments": corrected, "edited": True}
    s.add(AgentIntervention(
        execution_id=req.execution_id, step_id=req.step_id, tenant_id=req.tenant_id, user_id=actor.user_id,
        intervention_type="CORRECT", original_action={"tool": tool.name, "arguments": original},
        corrected_action={"tool": tool.name, "arguments": corrected}, reason=comment, use_for_training=True,
    ))


def decisions_of(engine: Engine, tenant_id: uuid.UUID, tool_execution_ids: list[str]) -> dict[str, tuple[str, uuid.UUID]]:
    """For each proposed call, the latest decided request: (APPROVED|REJECTED, request id)."""
    out: dict[str, tuple[str, uuid.UUID]] = {}
    with engine.db.tenant_session(tenant_id) as s:
        rows = s.execute(
            select(AgentApprovalRequest.tool_execution_id, AgentApprovalRequest.status, AgentApprovalRequest.id)
            .where(AgentApprovalRequest.tool_execution_id.in_([uuid.UUID(t) for t in tool_execution_ids]),
                   AgentApprovalRequest.status.in_(("APPROVED", "REJECTED")))
            .order_by(AgentApprovalRequest.reviewed_at)
        ).all()
    for texec_id, status, approval_id in rows:
        out[str(texec_id)] = (status, approval_id)
    return out


def sweep_timeouts(engine: Engine, now: datetime | None = None) -> list[uuid.UUID]:
    """Mark overdue PENDING requests TIMEOUT, tell their reviewer, escalate to a supervisor.

    The escalated copy is a new PENDING request on the same proposed call, so deciding it
    resumes the run as usual. Runs as the owner (all tenants); returns the timed-out ids.
    """
    now = now or datetime.now(timezone.utc)
    events: list[tuple[AgentApprovalRequest, uuid.UUID, uuid.UUID | None]] = []
    with engine.db.system_session() as s:
        overdue = s.scalars(
            select(AgentApprovalRequest).where(AgentApprovalRequest.status == "PENDING", AgentApprovalRequest.timeout_at < now)
            .with_for_update(skip_locked=True)
        ).all()
        for req in overdue:
            req.status = "TIMEOUT"
            tool = REGISTRY.get(req.action_details["tool"])
            supervisor = reviewer_for(s, req.tenant_id, "approvals.supervise", None, exclude=req.assigned_to_user_id)
            escalated = AgentApprovalRequest(
                id=uuid.uuid4(), execution_id=req.execution_id, step_id=req.step_id, tool_execution_id=req.tool_execution_id,
                tenant_id=req.tenant_id, requested_action=req.requested_action,
                action_details={**req.action_details, "escalated_from": str(req.id)},
                reason=f"escalated: no decision on {req.id} before {req.timeout_at:%Y-%m-%d %H:%M} UTC",
                priority="URGENT", assigned_to_user_id=supervisor, status="PENDING",
                timeout_at=now + timedelta(seconds=tool.approval_timeout_s),
            )
            s.add(escalated)
            events.append((req, escalated.id, supervisor))
    for req, escalated_id, supervisor in events:
        if req.assigned_to_user_id is not None:
            approval_queue.dequeue(engine.redis, req.tenant_id, req.assigned_to_user_id, req.id)
            approval_queue.notify(engine.redis, req.tenant_id, req.assigned_to_user_id, "APPROVAL_TIMEOUT", req.id, req.execution_id)
        if supervisor is not None:
            approval_queue.enqueue(engine.redis, req.tenant_id, supervisor, escalated_id, req.execution_id)
    return [req.id for req, _, _ in events]


def pending_for(engine: Engine, actor: Actor) -> list[dict[str, Any]]:
    """The actor's open requests (their queue order), as the CLI and API list them."""
    with engine.db.tenant_session(actor.tenant_id) as s:
        rows = s.scalars(select(AgentApprovalRequest).where(
            AgentApprovalRequest.status == "PENDING", AgentApprovalRequest.assigned_to_user_id == actor.user_id
        ).order_by(AgentApprovalRequest.created_at)).all()
        return [serialize(r) for r in rows]


def serialize(r: AgentApprovalRequest) -> dict[str, Any]:
    return {
        "id": str(r.id), "execution_id": str(r.execution_id), "requested_action": r.requested_action,
        "priority": r.priority, "status": r.status, "reason": r.reason,
        "tool": r.action_details.get("tool"), "arguments": r.action_details.get("arguments"),
        "risk_tier": r.action_details.get("risk_tier"),
        "assigned_to_user_id": str(r.assigned_to_user_id) if r.assigned_to_user_id else None,
        "timeout_at": r.timeout_at.isoformat() if r.timeout_at else None,
        "tool_execution_id": str(r.tool_execution_id) if r.tool_execution_id else None,
    }
