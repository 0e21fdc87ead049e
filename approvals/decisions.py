"""Human-in-the-loop approvals: requests, decisions, timeouts and escalation.

PostgreSQL is the source of truth (``agent_approval_requests``); Redis only queues and
notifies. A decision is taken under a row lock, so of two concurrent decisions one wins and
the other is told the request was already decided; a batch is decided all or nothing. When
the last open request of a run is decided, the run is resumed (``Command(resume=...)``) by
whoever decided it; if an approved change then fails, the run ends FAILED with the reason
and its reviewer is told (``APPLY_FAILED``). A request's reviewer hears when it is decided
(``DECIDED``); approvers and the dictating user hear when the changes are in (``APPLIED``).

Nothing waiting vanishes: a request expires only when its clinic set a timeout
(``approval_deadline``, the one rule); an overdue request goes to another user who may decide
it, and when there is none it stays where it was, marked overdue. A request nobody was assigned
(no one could decide it when it was asked) is listed to every user who may decide it, and to
whoever dictated it, so every run waiting for a decision is in some inbox.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import redis
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from approvals import queue as approval_queue
from approvals.conflicts import add_conflicts
from core_schema.directory import Actor
from core_schema.errors import DomainError
from core_schema.models import (
    ActionHistory,
    AgentApprovalRequest,
    AgentExecution,
    AgentIntervention,
    Permission,
    RolePermission,
    TenantSetting,
    ToolExecution,
    User,
    UserRole,
)
from core_schema.statuses import ApprovalPriority, ApprovalStatus, ExecutionStatus, RecordStatus, ToolExecutionStatus
from tools.executor import Call
from tools.registry import REGISTRY, Tool
from workflows import runstore
from workflows.engine import Engine, RunResult

PRIORITY_BY_TIER = {3: ApprovalPriority.HIGH, 2: ApprovalPriority.NORMAL, 1: ApprovalPriority.LOW}
log = logging.getLogger(__name__)


class ApprovalError(DomainError):
    """A decision that cannot be taken, with the reason for the reviewer and a stable code
    (``not_found``, ``forbidden``, ``already_decided``, ``invalid_input``)."""


@dataclass(frozen=True)
class Proposal:
    """A PENDING tool execution that needs a person's yes or no."""

    tool_execution_id: uuid.UUID
    tool: str
    summary: str
    reason: str


@dataclass
class Decision:
    """One decided request; ``run`` when the decision resumed its run, ``failure`` when that run failed."""

    approval_id: uuid.UUID
    status: str
    execution_id: uuid.UUID
    run: RunResult | None = None
    failure: str | None = None
    result: str | None = None  # what the approved change did ("no change: ... already charted" included)

    def as_dict(self) -> dict[str, str | None]:
        """The decision as the CLI and the API report it."""
        return {"id": str(self.approval_id), "status": self.status, "run_id": str(self.execution_id),
                "run_status": self.run.status if self.run else ExecutionStatus.WAITING_APPROVAL, "result": self.result}


def failure_summary(decisions: list[Decision], verdict: str) -> str | None:
    """One line naming every run a decided batch failed (a change refused after approval), or None."""
    failures = list(dict.fromkeys(f"run {d.execution_id} FAILED: {d.failure}" for d in decisions if d.failure))
    return f"{verdict} recorded, but " + "; ".join(failures) if failures else None


# The patient and visit a proposal is about are fixed: an edit corrects the finding, never whose record.
FIXED_KEYS = ("patient_id", "encounter_id")


def _holders(session: Session, tenant_id: uuid.UUID, permission: str) -> list[uuid.UUID]:
    """Active users of ``tenant_id`` who hold ``permission``, by email."""
    return list(session.scalars(
        select(User.id).join(UserRole, UserRole.user_id == User.id)
        .join(RolePermission, RolePermission.role_id == UserRole.role_id)
        .join(Permission, Permission.id == RolePermission.permission_id)
        .where(UserRole.tenant_id == tenant_id, Permission.key == permission, User.status == RecordStatus.ACTIVE)
        .order_by(User.email)
    ).unique().all())


def reviewer_for(session: Session, tenant_id: uuid.UUID, permission: str, preferred: uuid.UUID | None,
                 exclude: uuid.UUID | None = None) -> uuid.UUID | None:
    """``preferred`` if they hold ``permission`` in this tenant, else the first user who does."""
    holders = _holders(session, tenant_id, permission)
    if preferred in holders and preferred != exclude:
        return preferred
    return next((u for u in holders if u != exclude), None)


def escalation_reviewer(session: Session, tenant_id: uuid.UUID, permission: str,
                        exclude: uuid.UUID | None) -> uuid.UUID | None:
    """Who gets a timed-out request: someone who may decide it (a supervisor first), never ``exclude``.

    None when nobody else holds ``permission``: a supervisor who may not decide the tier would
    only be handed a request they must refuse.
    """
    candidates = [u for u in _holders(session, tenant_id, permission) if u != exclude]
    supervisors = set(_holders(session, tenant_id, "approvals.supervise"))
    return next((u for u in candidates if u in supervisors), candidates[0] if candidates else None)


# The clinic setting (``tenant_settings.clinical_workflow_options``) that makes pending requests
# time out after that many minutes; unset, a chart change waits until someone decides it.
TIMEOUT_SETTING = "approval_timeout_minutes"


def approval_deadline(session: Session, tenant_id: uuid.UUID, tool: Tool, now: datetime) -> datetime | None:
    """When a request for ``tool`` made ``now`` times out: the clinic's ``approval_timeout_minutes``,
    else the tool's own ``approval_timeout_s``; None (never) when neither is set."""
    options = session.scalar(select(TenantSetting.clinical_workflow_options).where(TenantSetting.tenant_id == tenant_id))
    minutes = (options or {}).get(TIMEOUT_SETTING)
    if isinstance(minutes, (int, float)) and not isinstance(minutes, bool) and minutes > 0:
        return now + timedelta(minutes=minutes)
    return now + timedelta(seconds=tool.approval_timeout_s) if tool.approval_timeout_s else None


def request(engine: Engine, state: Mapping[str, Any], step_id: uuid.UUID,
            proposals: list[Proposal]) -> tuple[list[uuid.UUID], int]:
    """Write one approval request per proposal, then queue and announce them (batch of one run).

    Returns the request ids and how many of them still wait for a person.
    """
    tenant_id, execution_id = uuid.UUID(state["tenant_id"]), uuid.UUID(state["execution_id"])
    requester = uuid.UUID(state["user_id"])
    now = datetime.now(timezone.utc)
    created: list[tuple[uuid.UUID, uuid.UUID | None]] = []
    with engine.db.tenant_session(tenant_id) as s:
        # A run resumed after its worker died may ask again: the requests it already has (open,
        # or decided meanwhile) are reused, never duplicated.
        existing = {r.tool_execution_id: r for r in s.scalars(select(AgentApprovalRequest).where(
            AgentApprovalRequest.execution_id == execution_id, AgentApprovalRequest.status != ApprovalStatus.TIMEOUT)
            .order_by(AgentApprovalRequest.created_at))}
        for p in proposals:
            if p.tool_execution_id in existing:
                req = existing[p.tool_execution_id]
                created.append((req.id, req.assigned_to_user_id))
                continue
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
                reason=p.reason, priority=PRIORITY_BY_TIER.get(tool.risk_tier, ApprovalPriority.NORMAL),
                assigned_to_user_id=assignee, status=ApprovalStatus.PENDING,
                timeout_at=approval_deadline(s, tenant_id, tool, now),
                # The transaction's time (now()) plus one microsecond per proposal: a run's requests
                # share a transaction, and with the same created_at, "ORDER BY created_at" (the run's
                # trace, the inbox) listed them in whatever order the table's pages held them.
                created_at=func.now() + timedelta(microseconds=len(created)),
            ))
            created.append((approval_id, assignee))
    still_open = {r.id for r in existing.values() if r.status == ApprovalStatus.PENDING}
    for approval_id, assignee in created:
        if approval_id in {r.id for r in existing.values()} and approval_id not in still_open:
            continue  # decided already: nothing to queue
        if assignee is not None:
            approval_queue.dequeue(engine.redis, tenant_id, assignee, approval_id)  # never queued twice
            approval_queue.enqueue(engine.redis, tenant_id, assignee, approval_id, execution_id)
    reused_decided = {r.id for r in existing.values()} - still_open
    return [a for a, _ in created], sum(1 for a, _ in created if a not in reused_decided)


def decide(engine: Engine, approval_id: uuid.UUID, actor: Actor, verdict: str, *, comment: str | None = None,
           edits: dict[str, Any] | None = None) -> Decision:
    """Approve, reject or edit one request; resumes its run when it was the last one open."""
    return decide_batch(engine, [approval_id], actor, verdict, comment=comment, edits=edits)[0]


def decide_batch(engine: Engine, approval_ids: list[uuid.UUID], actor: Actor, verdict: str, *,
                 comment: str | None = None, edits: dict[str, Any] | None = None) -> list[Decision]:
    """Decide every request of the batch or none of them.

    All requests are checked (in this clinic, PENDING, the actor's permission; an overdue one
    may still be decided)
    under their row locks before any is changed, so one bad id leaves the others untouched.
    Each run whose last open request was decided is then resumed once.
    """
    if verdict not in ("approve", "reject", "edit", "withdraw"):
        raise ApprovalError("invalid_input", f"unknown decision {verdict!r}: use approve, reject or edit")
    ids = list(dict.fromkeys(approval_ids))
    if not ids:
        raise ApprovalError("invalid_input", "no approval id given")
    if verdict == "edit" and len(ids) != 1:
        raise ApprovalError("invalid_input", "an edit corrects one request at a time")
    now = datetime.now(timezone.utc)
    status = ApprovalStatus.REJECTED if verdict in ("reject", "withdraw") else ApprovalStatus.APPROVED
    with engine.db.tenant_session(actor.tenant_id) as s:
        runs: dict[uuid.UUID, uuid.UUID] = {
            a: e for a, e in s.execute(select(AgentApprovalRequest.id, AgentApprovalRequest.execution_id)
                                       .where(AgentApprovalRequest.id.in_(ids)))}
        missing = [a for a in ids if a not in runs]
        if missing:
            raise ApprovalError("not_found", _batch(f"approval {missing[0]} not found in this clinic", len(ids)))
        # Decisions of one run take turns (locks in id order), so exactly one sees its last request decided.
        s.execute(select(AgentExecution.id).where(AgentExecution.id.in_(set(runs.values())))
                  .order_by(AgentExecution.id).with_for_update())
        reqs = {r.id: r for r in s.scalars(select(AgentApprovalRequest).where(AgentApprovalRequest.id.in_(ids))
                                           .order_by(AgentApprovalRequest.id).with_for_update())}
        # "withdraw": whoever asked for a change may take it back ("scratch that"), whatever its tier.
        requesters: dict[uuid.UUID, uuid.UUID | None] = {
            e: u for e, u in s.execute(select(AgentExecution.id, AgentExecution.user_id)
                                       .where(AgentExecution.id.in_(set(runs.values()))))} if verdict == "withdraw" else {}
        tools: dict[uuid.UUID, Tool] = {}
        for a in ids:
            try:
                tools[a] = _check_decidable(reqs[a], actor, own=requesters.get(runs[a]) == actor.user_id)
                if verdict == "approve" and reqs[a].action_details.get("missing"):  # e.g. a finding with no tooth
                    raise ApprovalError("invalid_input", f"approval {a} cannot be approved until {', '.join(reqs[a].action_details['missing'])} "
                                        "is set: correct it with edit --set")
            except ApprovalError as exc:
                raise ApprovalError(exc.code, _batch(exc.message, len(ids)), exc.status) from None
        if verdict == "edit":
            _apply_edit(engine, s, reqs[ids[0]], tools[ids[0]], actor, edits or {}, comment)
        s.execute(update(AgentApprovalRequest).where(AgentApprovalRequest.id.in_(ids)).values(
            status=status, reviewer_id=actor.user_id, reviewed_at=now, review_comment=comment))
        open_runs = set(s.scalars(select(AgentApprovalRequest.execution_id).where(
            AgentApprovalRequest.execution_id.in_(set(runs.values())), AgentApprovalRequest.status == ApprovalStatus.PENDING)))
        # A run whose last open request this was moves to RUNNING with the decisions, in their
        # transaction (``Engine.resume`` would claim it in one of its own): exactly once, under the
        # run's row lock. A decider that dies before submitting it leaves a RUNNING run without a
        # lease, which recovery queues again.
        claimed = {e for e in dict.fromkeys(runs[a] for a in ids)
                   if e not in open_runs and runstore.claim_for_resume(s, e)}
        assignees = [(a, reqs[a].assigned_to_user_id) for a in ids]
    for a, assignee in assignees:
        if assignee is not None:  # its reviewer's inbox (another tab, another device) drops it
            approval_queue.dequeue(engine.redis, actor.tenant_id, assignee, a)
            approval_queue.notify(engine.redis, actor.tenant_id, assignee, "DECIDED", a, runs[a],
                                  {"status": status, "decided_by": str(actor.user_id)})
    decisions = [Decision(a, status, runs[a]) for a in ids]
    for execution_id in dict.fromkeys(runs[a] for a in ids):
        if execution_id in open_runs:
            continue
        run = engine.dispatcher.submit(execution_id) if execution_id in claimed else None  # None: another process resumed it
        failure = failure_of(engine, actor.tenant_id, run) if run is not None and run.status == ExecutionStatus.FAILED else None
        for d in decisions:
            if d.execution_id == execution_id:
                d.run, d.failure = run, failure
    _report_results(engine, actor.tenant_id, decisions)
    return decisions


def _report_results(engine: Engine, tenant_id: uuid.UUID, decisions: list[Decision]) -> None:
    """Each applied change's own summary, so a change that altered nothing (already charted) is said,
    not reported as a plain success."""
    applied = [d.approval_id for d in decisions if d.status == ApprovalStatus.APPROVED and d.run is not None]
    if not applied:
        return
    with engine.db.tenant_session(tenant_id) as s:
        rows = s.execute(select(AgentApprovalRequest.id, ToolExecution.status, ToolExecution.output_result)
                         .join(ToolExecution, ToolExecution.id == AgentApprovalRequest.tool_execution_id)
                         .where(AgentApprovalRequest.id.in_(applied))).all()
    for approval_id, status, output in rows:
        summary = output.get("summary") if isinstance(output, dict) else None
        for d in decisions:
            if d.approval_id == approval_id and status == ToolExecutionStatus.SUCCEEDED and summary:
                d.result = str(summary)


def _batch(message: str, size: int) -> str:
    return message + ("; nothing in this batch was decided" if size > 1 else "")


def _check_decidable(req: AgentApprovalRequest, actor: Actor, *, own: bool = False) -> Tool:
    """The request's tool, if ``actor`` may decide ``req`` (overdue or not; ``own``: withdrawing their own request); else why not."""
    if req.status != ApprovalStatus.PENDING:
        raise ApprovalError("already_decided", f"approval {req.id} was already decided: {req.status}"
                            + (f" at {req.reviewed_at:%Y-%m-%d %H:%M:%S}" if req.reviewed_at else ""))
    tool = REGISTRY.get(req.action_details["tool"])
    if not own and not actor.can(tool.approval_permission):
        raise ApprovalError(
            "forbidden", f"{actor.email} may not decide tier-{tool.risk_tier} changes ({tool.approval_permission} needed)")
    return tool


def _apply_edit(engine: Engine, s: Session, req: AgentApprovalRequest, tool: Tool, actor: Actor,
                edits: dict[str, Any], comment: str | None) -> None:
    """Correct the proposed arguments and keep it for training; refused unless the tool would accept it.

    Only keys of the tool's input model may change, never the patient or visit. The
    corrected call is dry-run (``Executor.validate``), so a correction the tool would refuse
    is refused here, with the tool's reason, and nothing is changed.
    """
    if not edits:
        raise ApprovalError("invalid_input", "an edit needs at least one --set key=value")
    texec = s.get(ToolExecution, req.tool_execution_id)
    assert texec is not None
    original = dict(texec.input_params["arguments"])
    fields = tool.input_model.model_fields
    unknown = sorted(k for k in edits if k not in fields)
    if unknown:
        editable = ", ".join(k for k in fields if k not in FIXED_KEYS)
        raise ApprovalError("invalid_input", f"{tool.name} has no {', '.join(unknown)} to edit (editable: {editable})")
    fixed = sorted(k for k in edits if k in FIXED_KEYS and str(edits[k]) != str(original.get(k)))
    if fixed:
        raise ApprovalError("invalid_input", f"{', '.join(fixed)} cannot be edited: a correction stays on the proposal's "
                            "patient and visit (reject it and propose again)")
    corrected = {**original, **edits}
    # Not linked to the run: the run and request rows are locked by this transaction.
    refused = engine.executor.validate(Call(
        tool=tool.name, args=corrected, tenant_id=req.tenant_id, user_id=actor.user_id,
        idempotency_key=f"validate:{req.id}"))
    if refused:
        raise ApprovalError("invalid_input", f"the edited action is refused by {tool.name}: {refused}")
    missing = [k for k in req.action_details.get("missing") or [] if corrected.get(k) in (None, "", [])]
    if missing:
        raise ApprovalError("invalid_input", f"the edited action still has no {', '.join(missing)}: set it with --set")
    texec.input_params = {**texec.input_params, "arguments": corrected}
    req.action_details = {**req.action_details, "arguments": corrected, "edited": True, "missing": []}
    s.add(AgentIntervention(
        execution_id=req.execution_id, step_id=req.step_id, tenant_id=req.tenant_id, user_id=actor.user_id,
        intervention_type="CORRECT", original_action={"tool": tool.name, "arguments": original},
        corrected_action={"tool": tool.name, "arguments": corrected}, reason=comment, use_for_training=True,
    ))


def record_apply_failure(engine: Engine, tenant_id: uuid.UUID, execution_id: uuid.UUID,
                         failed_ids: list[str]) -> str:
    """Why approved changes failed: written on the run, announced to each reviewer (``APPLY_FAILED``)."""
    with engine.db.tenant_session(tenant_id) as s:
        message, reviewers = _failure_summary(s, failed_ids)
        s.execute(update(AgentExecution).where(AgentExecution.id == execution_id).values(error_details=message))
    for texec_id, approval_id, reviewer, error in reviewers:
        if reviewer is not None:
            approval_queue.notify(engine.redis, tenant_id, reviewer, "APPLY_FAILED", approval_id, execution_id,
                                  {"tool_execution_id": texec_id, "reason": error})
    return message


def announce_applied(engine: Engine, tenant_id: uuid.UUID, execution_id: uuid.UUID,
                     tool_execution_ids: list[str]) -> None:
    """Tell whoever approved the applied changes, and whoever dictated them, that they are in the
    chart (``APPLIED``: ids only), so a web app can show its undo toast. Best effort: a lost
    notice must not fail a run whose changes are already applied."""
    if not tool_execution_ids:
        return
    with engine.db.tenant_session(tenant_id) as s:
        requests = s.execute(select(AgentApprovalRequest.id, AgentApprovalRequest.reviewer_id).where(
            AgentApprovalRequest.tool_execution_id.in_([uuid.UUID(t) for t in tool_execution_ids]),
            AgentApprovalRequest.status == ApprovalStatus.APPROVED).order_by(AgentApprovalRequest.id)).all()
        run = s.get(AgentExecution, execution_id)
        approval_ids = [a for a, _ in requests]
        actions = s.scalars(select(ActionHistory.id).where(
            ActionHistory.agent_execution_id == execution_id, ActionHistory.approval_request_id.in_(approval_ids))
            .order_by(ActionHistory.created_at, ActionHistory.id)).all() if approval_ids else []
        dictated_by, patient_id = (run.user_id, run.patient_id) if run is not None else (None, None)
    if not approval_ids:
        return
    notice = {"run_id": str(execution_id), "patient_id": str(patient_id) if patient_id else None,
              "approval_ids": [str(a) for a in approval_ids], "action_ids": [str(a) for a in actions],
              "tool_execution_ids": list(tool_execution_ids)}
    for user in dict.fromkeys([*(r for _, r in requests), dictated_by]):
        if user is None:
            continue
        try:
            approval_queue.notify(engine.redis, tenant_id, user, "APPLIED", approval_ids[0], execution_id, notice)
        except redis.RedisError as exc:
            log.warning("APPLIED notice for run %s not sent: %s", execution_id, type(exc).__name__)


def failure_of(engine: Engine, tenant_id: uuid.UUID, run: RunResult) -> str:
    """The reason a resumed run failed: the graph's error, or which approved change failed and why.

    Also (re)writes it on the run when the run row has none, since the engine sets the run's
    ``error_details`` only from exceptions.
    """
    if run.error:
        return run.error
    failed = [str(t) for t in run.state.get("failed_ids") or []]
    with engine.db.tenant_session(tenant_id) as s:
        message, _ = _failure_summary(s, failed)
        execution = s.get(AgentExecution, run.execution_id)
        if execution is not None and not execution.error_details:
            execution.error_details = message
    return message


def _failure_summary(s: Session, failed_ids: list[str]) -> tuple[str, list[tuple[str, uuid.UUID | None, uuid.UUID | None, str]]]:
    """One line naming each failed change, and (change, approval, reviewer, reason) per change."""
    ids = [uuid.UUID(t) for t in failed_ids]
    if not ids:
        return "the run failed", []
    rows = s.execute(
        select(ToolExecution.id, ToolExecution.status, ToolExecution.error_message, AgentApprovalRequest.id,
               AgentApprovalRequest.reviewer_id, AgentApprovalRequest.requested_action)
        .outerjoin(AgentApprovalRequest, (AgentApprovalRequest.tool_execution_id == ToolExecution.id)
                   & (AgentApprovalRequest.status == ApprovalStatus.APPROVED))
        .where(ToolExecution.id.in_(ids))
    ).all()
    order = {t: i for i, t in enumerate(ids)}
    rows = sorted(rows, key=lambda r: order[r[0]])
    parts = [f"change {texec_id} ({action or 'tool call'}) {status}: {error or 'no reason recorded'}"
             for texec_id, status, error, _, _, action in rows]
    return "; ".join(parts), [(str(t), a, rv, e or st) for t, st, e, a, rv, _ in rows]


def decisions_of(engine: Engine, tenant_id: uuid.UUID, tool_execution_ids: list[str]) -> dict[str, tuple[str, uuid.UUID]]:
    """For each proposed call, the latest decided request: (APPROVED|REJECTED, request id)."""
    out: dict[str, tuple[str, uuid.UUID]] = {}
    with engine.db.tenant_session(tenant_id) as s:
        rows = s.execute(
            select(AgentApprovalRequest.tool_execution_id, AgentApprovalRequest.status, AgentApprovalRequest.id)
            .where(AgentApprovalRequest.tool_execution_id.in_([uuid.UUID(t) for t in tool_execution_ids]),
                   AgentApprovalRequest.status.in_((ApprovalStatus.APPROVED, ApprovalStatus.REJECTED)))
            .order_by(AgentApprovalRequest.reviewed_at)
        ).all()
    for texec_id, status, approval_id in rows:
        out[str(texec_id)] = (status, approval_id)
    return out


def sweep_timeouts(engine: Engine, now: datetime | None = None) -> list[uuid.UUID]:
    """Handle overdue PENDING requests (only a clinic with a timeout has any); returns their ids.

    When another user may decide the request (a supervisor first) it is marked TIMEOUT and an
    escalated copy (a new PENDING request on the same proposed call, so deciding it resumes the
    run as usual) goes to their inbox. When nobody else may, it is not escalated to someone who
    would have to refuse it: it stays PENDING with its reviewer, marked overdue (URGENT, no
    further deadline). Either way its reviewer is told (``APPROVAL_TIMEOUT``). Runs as the owner
    (all tenants).
    """
    now = now or datetime.now(timezone.utc)
    events: list[tuple[AgentApprovalRequest, uuid.UUID | None, uuid.UUID | None, str]] = []
    with engine.db.system_session() as s:
        overdue = s.scalars(
            select(AgentApprovalRequest).where(AgentApprovalRequest.status == ApprovalStatus.PENDING, AgentApprovalRequest.timeout_at < now)
            .with_for_update(skip_locked=True)
        ).all()
        for req in overdue:
            tool = REGISTRY.get(req.action_details["tool"])
            permission = req.action_details.get("required_permission") or tool.approval_permission
            reviewer = escalation_reviewer(s, req.tenant_id, permission, exclude=req.assigned_to_user_id)
            assert req.timeout_at is not None
            if reviewer is None:  # nobody else may decide it: it stays where it is, overdue
                req.action_details = {**req.action_details, "overdue_since": req.timeout_at.isoformat()}
                req.priority, req.timeout_at = ApprovalPriority.URGENT, None
                events.append((req, None, None, permission))
                continue
            req.status = ApprovalStatus.TIMEOUT
            escalated = AgentApprovalRequest(
                id=uuid.uuid4(), execution_id=req.execution_id, step_id=req.step_id, tool_execution_id=req.tool_execution_id,
                tenant_id=req.tenant_id, requested_action=req.requested_action,
                action_details={**req.action_details, "escalated_from": str(req.id), "overdue_since": req.timeout_at.isoformat()},
                reason=f"escalated: no decision before {req.timeout_at:%Y-%m-%d %H:%M} UTC",
                priority=ApprovalPriority.URGENT, assigned_to_user_id=reviewer, status=ApprovalStatus.PENDING,
                timeout_at=approval_deadline(s, req.tenant_id, tool, now),
            )
            s.add(escalated)
            events.append((req, escalated.id, reviewer, permission))
    for req, escalated_id, reviewer, permission in events:
        if req.assigned_to_user_id is not None:
            if escalated_id is None:
                note: dict[str, Any] = {"overdue": True, "escalated_approval_id": None, "escalated_to": None,
                                        "reason": f"overdue: no other user holds {permission}, so it stays in your inbox"}
            else:
                approval_queue.dequeue(engine.redis, req.tenant_id, req.assigned_to_user_id, req.id)
                note = {"overdue": True, "escalated_approval_id": str(escalated_id), "escalated_to": str(reviewer)}
            approval_queue.notify(engine.redis, req.tenant_id, req.assigned_to_user_id, "APPROVAL_TIMEOUT", req.id,
                                  req.execution_id, note)
        if reviewer is not None:
            approval_queue.enqueue(engine.redis, req.tenant_id, reviewer, escalated_id, req.execution_id)
    return [req.id for req, _, _, _ in events]


def pending_for(engine: Engine, actor: Actor) -> list[dict[str, Any]]:
    """The actor's open requests, oldest first, as the CLI and API list them: those assigned to
    them, and those assigned to nobody that they may decide or that they dictated (so a request
    no one could be given still waits in an inbox)."""
    with engine.db.tenant_session(actor.tenant_id) as s:
        rows = s.scalars(select(AgentApprovalRequest).where(
            AgentApprovalRequest.status == ApprovalStatus.PENDING,
            (AgentApprovalRequest.assigned_to_user_id == actor.user_id) | AgentApprovalRequest.assigned_to_user_id.is_(None)
        ).order_by(AgentApprovalRequest.created_at)).all()
        unassigned_runs = {r.execution_id for r in rows if r.assigned_to_user_id is None}
        dictated = set(s.scalars(select(AgentExecution.id).where(
            AgentExecution.id.in_(unassigned_runs), AgentExecution.user_id == actor.user_id))) if unassigned_runs else set()
        return add_conflicts(s, actor.tenant_id, [
            serialize(r) for r in rows if r.assigned_to_user_id == actor.user_id or r.execution_id in dictated
            or actor.can(str(r.action_details.get("required_permission") or ""))])


def pending_in(engine: Engine, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every open request of the tenant, oldest first (whoever they are assigned to)."""
    with engine.db.tenant_session(tenant_id) as s:
        rows = s.scalars(select(AgentApprovalRequest).where(AgentApprovalRequest.status == ApprovalStatus.PENDING)
                         .order_by(AgentApprovalRequest.created_at)).all()
        return add_conflicts(s, tenant_id, [serialize(r) for r in rows])


def serialize(r: AgentApprovalRequest) -> dict[str, Any]:
    return {
        "id": str(r.id), "execution_id": str(r.execution_id), "requested_action": r.requested_action,
        "priority": r.priority, "status": r.status, "reason": r.reason,
        "tool": r.action_details.get("tool"), "arguments": r.action_details.get("arguments"),
        "risk_tier": r.action_details.get("risk_tier"),
        "assigned_to_user_id": str(r.assigned_to_user_id) if r.assigned_to_user_id else None,
        "timeout_at": r.timeout_at.isoformat() if r.timeout_at else None,
        "overdue": bool(r.action_details.get("overdue_since")) and not r.action_details.get("escalated_from"),
        "tool_execution_id": str(r.tool_execution_id) if r.tool_execution_id else None,
    }
