"""Snooze: a reviewer hides a pending request from their own inbox until a time.

Per reviewer: the request stays PENDING, assigned and decidable, and in everyone else's inbox.
A snooze is a ``notifications`` row to its reviewer (``event_type`` APPROVAL_SNOOZED, the
request and the time in ``payload``), PENDING until it rings: from then on the request is listed
again, by the time alone (a reload brings it back; the inbox also wakes itself at that time),
and the worker's sweep marks it DELIVERED and tells the reviewer's open pages (``SNOOZE_ENDED``).
Woken early or superseded by a new snooze: CANCELLED. Nothing vanishes: a snoozed request is in
its reviewer's *Snoozed* view and comes back on its own; a snooze never outlives ``MAX_SNOOZE``.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from approvals import queue as approval_queue
from approvals.decisions import ApprovalError
from core_schema.directory import Actor
from core_schema.models import AgentApprovalRequest, AgentExecution, AuditEvent, Notification
from core_schema.statuses import ApprovalStatus, NotificationStatus
from workflows.engine import Engine

EVENT = "APPROVAL_SNOOZED"
MAX_SNOOZE = timedelta(days=14)


def listed_for(req: AgentApprovalRequest, dictated_by: uuid.UUID | None, actor: Actor) -> bool:
    """Whether ``req`` is in ``actor``'s inbox (the rule of ``decisions.pending_for``)."""
    if req.assigned_to_user_id is not None:
        return req.assigned_to_user_id == actor.user_id
    return dictated_by == actor.user_id or actor.can(str(req.action_details.get("required_permission") or ""))


DURATION = re.compile(r"^\+?(\d{1,5})\s*(m|min|h|d)$")
UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days"}


def parse_until(value: str | datetime, now: datetime) -> datetime:
    """When a snooze ends: an aware datetime, an ISO 8601 time with its zone, or a duration from
    ``now`` (``30m``, ``2h``, ``1d``); refused when past, zoneless or more than ``MAX_SNOOZE`` ahead."""
    if isinstance(value, datetime):
        return _until(value, now)
    text = value.strip().lower()
    if m := DURATION.match(text):
        return _until(now + timedelta(**{UNITS[m[2]]: int(m[1])}), now)
    try:
        parsed = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        raise ApprovalError("invalid_input", f"snooze until {value[:40]!r}: give an ISO 8601 time with its zone "
                            "(2026-12-08T08:00:00+01:00) or a duration (30m, 2h, 1d)") from None
    return _until(parsed, now)


def _until(value: datetime, now: datetime) -> datetime:
    if value.tzinfo is None:
        raise ApprovalError("invalid_input", "a snooze time needs its time zone (e.g. 2026-12-08T08:00:00+00:00)")
    if value <= now:
        raise ApprovalError("invalid_input", "a snooze ends in the future: that time has passed")
    if value - now > MAX_SNOOZE:
        raise ApprovalError("invalid_input", f"a request is snoozed for at most {MAX_SNOOZE.days} days")
    return value.astimezone(timezone.utc)


def _active(s: Session, user_id: uuid.UUID, approval_id: uuid.UUID | None = None) -> list[Notification]:
    query = select(Notification).where(Notification.recipient_user_id == user_id, Notification.event_type == EVENT,
                                       Notification.status == NotificationStatus.PENDING)
    if approval_id is not None:
        query = query.where(Notification.payload["approval_id"].astext == str(approval_id))
    return list(s.scalars(query))


def snooze(engine: Engine, approval_id: uuid.UUID, actor: Actor, until: str | datetime) -> dict[str, Any]:
    """Hide a request of the actor's inbox until ``until`` (a later snooze replaces an earlier one).

    404: another clinic's; 409: decided already; 403: not in the actor's inbox; 400: a time past
    or more than ``MAX_SNOOZE`` ahead.
    """
    now = datetime.now(timezone.utc)
    with engine.db.tenant_session(actor.tenant_id) as s:
        req = s.get(AgentApprovalRequest, approval_id)
        if req is None:
            raise ApprovalError("not_found", f"approval {approval_id} not found in this clinic")
        when = parse_until(until, now)
        if req.status != ApprovalStatus.PENDING:
            raise ApprovalError("already_decided", f"approval {approval_id} was already decided: {req.status}")
        dictated_by = s.scalar(select(AgentExecution.user_id).where(AgentExecution.id == req.execution_id))
        if not listed_for(req, dictated_by, actor):
            raise ApprovalError("forbidden", f"approval {approval_id} is not in {actor.email}'s inbox, so it cannot be snoozed there")
        for old in _active(s, actor.user_id, approval_id):
            old.status = NotificationStatus.CANCELLED
        s.add(Notification(tenant_id=actor.tenant_id, recipient_type="USER", recipient_user_id=actor.user_id,
                           channel="IN_APP", event_type=EVENT, title="Snoozed review request",
                           payload={"approval_id": str(approval_id), "execution_id": str(req.execution_id),
                                    "until": when.isoformat()},
                           status=NotificationStatus.PENDING))
        s.add(AuditEvent(tenant_id=actor.tenant_id, actor_type="USER", actor_id=actor.user_id, event_type=EVENT,
                         resource_type="agent_approval_request", resource_id=approval_id,
                         metadata_={"until": when.isoformat(), "execution_id": str(req.execution_id)}))
        execution_id = req.execution_id
    approval_queue.notify(engine.redis, actor.tenant_id, actor.user_id, "SNOOZED", approval_id, execution_id,
                          {"until": when.isoformat()})
    return {"approval_id": str(approval_id), "until": when.isoformat()}


def wake(engine: Engine, approval_id: uuid.UUID, actor: Actor) -> dict[str, Any]:
    """End the actor's snooze of a request now (it is back in their inbox); 404 when none is active."""
    with engine.db.tenant_session(actor.tenant_id) as s:
        active = _active(s, actor.user_id, approval_id)
        if not active:
            raise ApprovalError("not_found", f"approval {approval_id} is not snoozed in your inbox")
        for n in active:
            n.status = NotificationStatus.CANCELLED
        execution_id = (active[0].payload or {}).get("execution_id")
    approval_queue.notify(engine.redis, actor.tenant_id, actor.user_id, "SNOOZE_ENDED", approval_id, execution_id)
    return {"approval_id": str(approval_id), "until": None}


def snoozed_until(engine: Engine, actor: Actor, now: datetime | None = None) -> dict[str, str]:
    """The actor's snoozes that have not rung yet: request id -> until (ISO, UTC)."""
    with engine.db.tenant_session(actor.tenant_id) as s:
        return active_until(s, actor.user_id, now)


def active_until(s: Session, user_id: uuid.UUID, now: datetime | None = None) -> dict[str, str]:
    """``snoozed_until`` in an open session of the user's clinic."""
    now = now or datetime.now(timezone.utc)
    out: dict[str, str] = {}
    for n in _active(s, user_id):
        payload = n.payload or {}
        until = datetime.fromisoformat(str(payload.get("until")))
        if until > now:
            previous = out.get(str(payload.get("approval_id")))
            out[str(payload["approval_id"])] = max(previous, until.isoformat()) if previous else until.isoformat()
    return out


def ring_due(engine: Engine, now: datetime | None = None) -> list[uuid.UUID]:
    """Mark every snooze whose time came DELIVERED and tell its reviewer (``SNOOZE_ENDED``); a
    request decided meanwhile has its snooze CANCELLED. Runs as the owner (all clinics); the
    inbox lists a request again by the time alone, so this only makes it live."""
    now = now or datetime.now(timezone.utc)
    rung: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID, str | None]] = []
    with engine.db.system_session() as s:
        rows = s.scalars(select(Notification).where(
            Notification.event_type == EVENT, Notification.status == NotificationStatus.PENDING)
            .with_for_update(skip_locked=True)).all()
        due = [n for n in rows if datetime.fromisoformat(str((n.payload or {}).get("until"))) <= now]
        ids = {uuid.UUID(str((n.payload or {})["approval_id"])) for n in due}
        open_ids = set(s.scalars(select(AgentApprovalRequest.id).where(
            AgentApprovalRequest.id.in_(ids), AgentApprovalRequest.status == ApprovalStatus.PENDING))) if ids else set()
        for n in due:
            payload = n.payload or {}
            approval_id = uuid.UUID(str(payload["approval_id"]))
            if approval_id in open_ids and n.recipient_user_id is not None:
                n.status, n.delivered_at = NotificationStatus.DELIVERED, now
                rung.append((n.tenant_id, n.recipient_user_id, approval_id, payload.get("execution_id")))
            else:
                n.status = NotificationStatus.CANCELLED
    for tenant_id, user_id, approval_id, execution_id in rung:
        approval_queue.notify(engine.redis, tenant_id, user_id, "SNOOZE_ENDED", approval_id, execution_id)
    return [a for _, _, a, _ in rung]
