"""The review queue for both faces: list, decide (all or nothing), sweep timeouts, rebuild queues."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from approvals import queue
from approvals.decisions import decide_batch, failure_summary, pending_for, pending_in, sweep_timeouts
from approvals.schemas import ApprovalOut, DecisionOut, DecisionReport, QueuesOut, SweepOut
from core_schema.directory import Actor
from workflows.engine import Engine

Verdict = Literal["approve", "reject", "edit"]


def pending(engine: Engine, actor: Actor) -> list[ApprovalOut]:
    """The actor's open requests, in their queue order."""

    return [ApprovalOut.model_validate(r) for r in pending_for(engine, actor)]


def pending_in_tenant(engine: Engine, tenant_id: uuid.UUID) -> list[ApprovalOut]:
    """Every open request of the clinic, oldest first."""

    return [ApprovalOut.model_validate(r) for r in pending_in(engine, tenant_id)]


def decide(engine: Engine, ids: list[uuid.UUID], actor: Actor, verdict: Verdict, *, comment: str | None = None,
           edits: dict[str, Any] | None = None) -> DecisionReport:
    """Approve, reject or edit (one) requests, all or nothing; each run whose last open request
    was decided resumes once.

    Raises ``ApprovalError`` (``not_found``, ``forbidden``, ``already_decided``,
    ``invalid_input``) before anything is decided.
    """

    decisions = decide_batch(engine, ids, actor, verdict, comment=comment, edits=edits)
    return DecisionReport(decisions=[DecisionOut.model_validate(d.as_dict()) for d in decisions],
                          failure=failure_summary(decisions, verdict))


def sweep(engine: Engine) -> SweepOut:
    """Time out overdue requests and escalate them (workers do this on a timer)."""

    return SweepOut(timed_out=[str(i) for i in sweep_timeouts(engine)])


def rebuild_queues(engine: Engine) -> QueuesOut:
    """Restore every Redis approval queue from the pending rows in PostgreSQL."""
    with engine.db.system_session() as s:
        return QueuesOut(queued=queue.rebuild(engine.redis, s))
