"""The review queue for both faces: list, decide (all or nothing), sweep timeouts, rebuild queues."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from core_schema.directory import Actor
from services.approvals.schemas import ApprovalOut, DecisionOut, DecisionReport, QueuesOut, SweepOut
from services.base import engine

Verdict = Literal["approve", "reject", "edit"]


def pending(actor: Actor) -> list[ApprovalOut]:
    """The actor's open requests, in their queue order."""
    from workflows.approvals import pending_for

    return [ApprovalOut.model_validate(r) for r in pending_for(engine(), actor)]


def pending_in_tenant(tenant_id: uuid.UUID) -> list[ApprovalOut]:
    """Every open request of the clinic, oldest first."""
    from workflows.approvals import pending_in

    return [ApprovalOut.model_validate(r) for r in pending_in(engine(), tenant_id)]


def decide(ids: list[uuid.UUID], actor: Actor, verdict: Verdict, *, comment: str | None = None,
           edits: dict[str, Any] | None = None) -> DecisionReport:
    """Approve, reject or edit (one) requests, all or nothing; each run whose last open request
    was decided resumes once.

    Raises ``ApprovalError`` (``not_found``, ``forbidden``, ``already_decided``, ``expired``,
    ``invalid_input``) before anything is decided.
    """
    from workflows.approvals import decide_batch, failure_summary

    decisions = decide_batch(engine(), ids, actor, verdict, comment=comment, edits=edits)
    return DecisionReport(decisions=[DecisionOut.model_validate(d.as_dict()) for d in decisions],
                          failure=failure_summary(decisions, verdict))


def sweep() -> SweepOut:
    """Time out overdue requests and escalate them (workers do this on a timer)."""
    from workflows.approvals import sweep_timeouts

    return SweepOut(timed_out=[str(i) for i in sweep_timeouts(engine())])


def rebuild_queues() -> QueuesOut:
    """Restore every Redis approval queue from the pending rows in PostgreSQL."""
    from workflows.runtime import restore_queues

    return QueuesOut(queued=restore_queues())
