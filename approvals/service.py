"""The review queue for both faces: list, decide (all or nothing), respond (ask the clinician),
snooze, sweep timeouts, rebuild queues."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from approvals import queue, threads
from approvals import snooze as snoozing
from approvals.decisions import decide_batch, failure_summary, pending_for, pending_in, sweep_timeouts
from approvals.schemas import (
    ApprovalOut,
    DecisionOut,
    DecisionReport,
    QuestionOut,
    QueuesOut,
    SnoozeOut,
    SweepOut,
    ThreadMessageOut,
)
from core_schema.directory import Actor
from core_schema.statuses import ThreadMessageKind
from workflows.engine import Engine

Verdict = Literal["approve", "reject", "edit"]


def pending(engine: Engine, actor: Actor) -> list[ApprovalOut]:
    """The actor's open requests, in their queue order, less those they snoozed (``snoozed``)."""
    return _listed(engine, actor, snoozed_view=False)


def snoozed(engine: Engine, actor: Actor) -> list[ApprovalOut]:
    """The actor's open requests they snoozed, soonest back first, each with its ``snoozed_until``."""
    return _listed(engine, actor, snoozed_view=True)


def _listed(engine: Engine, actor: Actor, *, snoozed_view: bool) -> list[ApprovalOut]:
    rows = pending_for(engine, actor)
    with engine.db.tenant_session(actor.tenant_id) as s:  # one session for snoozes and threads
        hidden = snoozing.active_until(s, actor.user_id)
        if snoozed_view:
            rows = sorted(({**r, "snoozed_until": hidden[r["id"]]} for r in rows if r["id"] in hidden),
                          key=lambda r: r["snoozed_until"])
        else:
            rows = [r for r in rows if r["id"] not in hidden]
        return _with_threads(rows, threads.messages_of(s, [r["id"] for r in rows]))


def pending_in_tenant(engine: Engine, tenant_id: uuid.UUID) -> list[ApprovalOut]:
    """Every open request of the clinic, oldest first."""
    rows = pending_in(engine, tenant_id)
    with engine.db.tenant_session(tenant_id) as s:
        return _with_threads(rows, threads.messages_of(s, [r["id"] for r in rows]))


def _with_threads(rows: list[dict[str, Any]], by_request: dict[str, list[dict[str, Any]]]) -> list[ApprovalOut]:
    out = []
    for r in rows:
        messages = by_request.get(r["id"], [])
        out.append(ApprovalOut.model_validate({**r, "messages": messages, "awaiting_answer": bool(messages)
                                               and messages[-1]["kind"] == ThreadMessageKind.QUESTION}))
    return out


def respond(engine: Engine, approval_id: uuid.UUID, actor: Actor, message: str | None) -> ThreadMessageOut:
    """Ask the clinician who dictated a pending request a question (or send a correction); the
    request stays pending. ``ApprovalError``: ``not_found``, ``forbidden``, ``already_decided``,
    ``invalid_input``."""
    return ThreadMessageOut.model_validate(threads.ask(engine, approval_id, actor, message))


def answer(engine: Engine, approval_id: uuid.UUID, actor: Actor, message: str | None) -> ThreadMessageOut:
    """The dictating clinician's answer to the questions on their pending request."""
    return ThreadMessageOut.model_validate(threads.answer(engine, approval_id, actor, message))


def questions(engine: Engine, actor: Actor, patient_id: uuid.UUID | None = None) -> list[QuestionOut]:
    """What reviewers asked the actor about their pending requests (of one patient, if given)."""
    return [QuestionOut.model_validate(q) for q in threads.questions_for(engine, actor, patient_id)]


def snooze(engine: Engine, approval_id: uuid.UUID, actor: Actor, until: str | datetime) -> SnoozeOut:
    """Hide a request from the actor's own inbox until ``until``; it stays pending for everyone."""
    return SnoozeOut.model_validate(snoozing.snooze(engine, approval_id, actor, until))


def wake(engine: Engine, approval_id: uuid.UUID, actor: Actor) -> SnoozeOut:
    """Bring a snoozed request back to the actor's inbox now."""
    return SnoozeOut.model_validate(snoozing.wake(engine, approval_id, actor))


def decide(engine: Engine, ids: list[uuid.UUID], actor: Actor, verdict: Verdict, *, comment: str | None = None,
           edits: dict[str, Any] | None = None) -> DecisionReport:
    """Approve, reject or edit (one) requests, all or nothing; each run whose last open request
    was decided resumes once.

    Raises ``ApprovalError`` (``not_found``, ``forbidden``, ``already_decided``,
    ``invalid_input``) before anything is decided.
    """

    decisions = decide_batch(engine, ids, actor, verdict, comment=comment, edits=edits)
    threads.close_decided(engine, actor, [(str(d.approval_id), d.status) for d in decisions])
    return DecisionReport(decisions=[DecisionOut.model_validate(d.as_dict()) for d in decisions],
                          failure=failure_summary(decisions, verdict))


def sweep(engine: Engine) -> SweepOut:
    """Time out overdue requests and escalate them, and ring snoozes whose time came (workers do
    this on a timer)."""

    return SweepOut(timed_out=[str(i) for i in sweep_timeouts(engine)],
                    snoozes_ended=[str(i) for i in snoozing.ring_due(engine)])


def rebuild_queues(engine: Engine) -> QueuesOut:
    """Restore every Redis approval queue from the pending rows in PostgreSQL."""
    with engine.db.system_session() as s:
        return QueuesOut(queued=queue.rebuild(engine.redis, s))
