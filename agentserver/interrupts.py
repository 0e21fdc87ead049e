"""Interrupts in Agent Inbox's shape, and its replies mapped onto the approvals service.

A thread's interrupts are the PENDING approval requests of its runs, one interrupt per request
(``id`` = the request's id), its value a one-item list holding a ``HumanInterrupt``, the shape
Agent Inbox reads (``interrupt([request])[0]``)::

    {"action_request": {"action": TOOL, "args": ARGUMENTS},
     "config": {"allow_accept": true, "allow_edit": true, "allow_respond": true, "allow_ignore": true},
     "description": MARKDOWN}

A reply (``command.resume``) is a ``HumanResponse`` ``{type, args}`` or a list of them, or a map
``{interrupt_id: reply}`` to answer several interrupts by id. ``accept`` approves, ``edit``
corrects the arguments then approves, ``ignore`` rejects, ``response`` is the inbox's *respond*
(``approvals.service.respond``): the text goes to the dictating clinician as a question, live on
their chart page, and the request stays pending (the run keeps waiting). Each decision goes
through ``approvals.service.decide``: the same permission checks, validation, audit, queue
updates and exactly-once resume as the web inbox.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from approvals import service as approvals
from approvals.schemas import DecisionOut
from core_schema.directory import Actor
from core_schema.errors import DomainError, InvalidInput, NotFound
from core_schema.models import AgentApprovalRequest, AgentExecution, Patient, VoiceUtterance
from core_schema.statuses import ApprovalStatus, ExecutionStatus, InterruptResponseType
from workflows.engine import Engine

CONFIG = {"allow_accept": True, "allow_edit": True, "allow_respond": True, "allow_ignore": True}


def pending_interrupts(s: Session, thread_id: uuid.UUID) -> list[tuple[str, dict[str, Any]]]:
    """(run id, interrupt) for every PENDING request of the thread's runs, oldest first."""
    rows = s.execute(
        select(AgentApprovalRequest, AgentExecution, Patient.first_name, Patient.last_name)
        .join(AgentExecution, AgentExecution.id == AgentApprovalRequest.execution_id)
        .join(Patient, Patient.id == AgentExecution.patient_id, isouter=True)
        .where(AgentExecution.voice_session_id == thread_id, AgentApprovalRequest.status == ApprovalStatus.PENDING)
        .order_by(AgentApprovalRequest.created_at, AgentApprovalRequest.id)).all()
    utterances = {str(u.id): u.transcript for u in s.scalars(select(VoiceUtterance).where(VoiceUtterance.id.in_(
        [uuid.UUID(e.state_snapshot["voice_utterance_id"]) for _, e, _, _ in rows
         if (e.state_snapshot or {}).get("voice_utterance_id")])))}
    out = []
    for req, run, first, last in rows:
        transcript = utterances.get(str((run.state_snapshot or {}).get("voice_utterance_id")))
        patient = f"{first} {last}" if first or last else None
        out.append((str(run.id), {"id": str(req.id), "value": [human_interrupt(req, patient, transcript)]}))
    return out


def human_interrupt(req: AgentApprovalRequest, patient: str | None, transcript: str | None) -> dict[str, Any]:
    details = req.action_details or {}
    args = dict(details.get("arguments") or {})
    return {"action_request": {"action": str(details.get("tool") or "tool_call"), "args": args},
            "config": dict(CONFIG), "description": description(req, args, patient, transcript)}


def description(req: AgentApprovalRequest, args: dict[str, Any], patient: str | None, transcript: str | None) -> str:
    """What the reviewer needs to decide, in markdown: patient, each change (tooth, label, code), the words heard."""
    details = req.action_details or {}
    lines = [f"### {req.requested_action or details.get('tool')}", ""]
    if patient:
        lines.append(f"**Patient:** {patient}")
    for change in args.get("changes") or []:
        parts = [f"tooth {change.get('tooth')}" if change.get("tooth") is not None else "no tooth given",
                 str(change.get("label") or "").replace("_", " ")]
        if change.get("code"):
            parts.append(f"code {change['code']}")
        if change.get("surfaces"):
            parts.append("surfaces " + "".join(change["surfaces"]))
        lines.append("- " + ", ".join(p for p in parts if p))
    if not args.get("changes"):
        shown = {k: v for k, v in args.items() if k not in ("patient_id", "encounter_id") and v not in (None, "", [])}
        if shown:
            lines.append("```json\n" + json.dumps(shown, indent=2, sort_keys=True) + "\n```")
    if transcript:
        lines += ["", f"**Dictated:** \u201c{transcript}\u201d"]
    if details.get("missing"):
        lines += ["", f"**Needs:** {', '.join(details['missing'])} (edit it before accepting)"]
    lines += ["", f"**Tier:** {details.get('risk_tier')} \u00b7 **Why asked:** {req.reason or 'approval required'}"]
    return "\n".join(lines)


@dataclass(frozen=True)
class Reply:
    approval_id: uuid.UUID
    type: InterruptResponseType
    args: Any


def _reply(approval_id: uuid.UUID, value: Any) -> Reply:
    if isinstance(value, list):
        if len(value) != 1:
            raise InvalidInput(f"interrupt {approval_id}: one response per interrupt")
        value = value[0]
    if not isinstance(value, dict) or "type" not in value:
        raise InvalidInput("a resume value is Agent Inbox's {type: accept|edit|response|ignore, args}")
    try:
        kind = InterruptResponseType(str(value["type"]))
    except ValueError:
        raise InvalidInput(f"response type {value['type']!r}: use accept, edit, response or ignore") from None
    return Reply(approval_id, kind, value.get("args"))


def replies(resume: Any, pending: list[uuid.UUID]) -> list[Reply]:
    """Pair a ``command.resume`` with the thread's pending interrupts (by id, else in their order)."""
    if resume in (None, [], {}):
        raise InvalidInput("command.resume answers no interrupt: give a response, a list, or {interrupt_id: response}")
    if isinstance(resume, dict) and "type" not in resume:  # {interrupt_id: reply, ...}
        out = []
        for key, value in resume.items():
            try:
                approval_id = uuid.UUID(str(key))
            except ValueError:
                raise NotFound(f"interrupt {key} not found in this thread") from None
            if approval_id not in pending:
                raise NotFound(f"interrupt {key} is not pending in this thread")
            out.append(_reply(approval_id, value))
        return out
    values = resume if isinstance(resume, list) else [resume]
    if not pending:
        raise DomainError("conflict", "this thread has no pending interrupt to resume", 409)
    if len(values) > len(pending):
        raise DomainError("conflict", f"{len(values)} responses for {len(pending)} pending interrupts: "
                          "resume several by id ({interrupt_id: response})", 409)
    return [_reply(a, v) for a, v in zip(pending, values, strict=False)]


def _edits(reply: Reply, original: dict[str, Any]) -> dict[str, Any]:
    """The keys an ``edit`` changes: its args are Agent Inbox's ``ActionRequest`` ({action, args})."""
    args = reply.args
    if isinstance(args, dict) and isinstance(args.get("args"), dict):
        args = args["args"]
    if not isinstance(args, dict):
        raise InvalidInput("an edit's args are the edited action: {action, args: {...}}")
    return {k: v for k, v in args.items() if original.get(k) != v}


def resume(engine: Engine, actor: Actor, thread_id: uuid.UUID, value: Any) -> list[DecisionOut]:
    """Decide the thread's interrupts as ``value`` says; each run resumes once its last request is decided."""
    with engine.db.tenant_session(actor.tenant_id) as s:
        rows = s.execute(select(AgentApprovalRequest.id, AgentApprovalRequest.action_details)
                         .join(AgentExecution, AgentExecution.id == AgentApprovalRequest.execution_id)
                         .where(AgentExecution.voice_session_id == thread_id,
                                AgentApprovalRequest.status == ApprovalStatus.PENDING)
                         .order_by(AgentApprovalRequest.created_at, AgentApprovalRequest.id)).all()
    originals = {a: dict((d or {}).get("arguments") or {}) for a, d in rows}
    planned = replies(value, [a for a, _ in rows])
    edits = {r.approval_id: _edits(r, originals[r.approval_id]) for r in planned if r.type == InterruptResponseType.EDIT}
    decided: list[DecisionOut] = []
    # Refusals first, approvals (plain or edited) last: a refused edit (422) then leaves every approval
    # of the reply undecided. Whichever decision leaves a run with no open request resumes it, once.
    for r in sorted(planned, key=lambda r: r.type in (InterruptResponseType.ACCEPT, InterruptResponseType.EDIT)):
        decided += _decide(engine, actor, r, edits.get(r.approval_id))
    return decided


def _decide(engine: Engine, actor: Actor, reply: Reply, edits: dict[str, Any] | None) -> list[DecisionOut]:
    if reply.type == InterruptResponseType.ACCEPT or (reply.type == InterruptResponseType.EDIT and not edits):
        report = approvals.decide(engine, [reply.approval_id], actor, "approve")
    elif reply.type == InterruptResponseType.EDIT:
        report = approvals.decide(engine, [reply.approval_id], actor, "edit", edits=edits,
                                  comment="edited in a LangGraph client")
    elif reply.type == InterruptResponseType.RESPONSE:
        return [_respond(engine, actor, reply)]
    else:
        report = approvals.decide(engine, [reply.approval_id], actor, "reject", comment="ignored in a LangGraph client")
    if report.failure:
        raise DomainError("apply_failed", report.failure, 409)
    return report.decisions


def _respond(engine: Engine, actor: Actor, reply: Reply) -> DecisionOut:
    """A ``response``: its text asked of the dictating clinician; nothing decided, the run waits on."""
    text = reply.args.get("text") if isinstance(reply.args, dict) else reply.args
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("a response's args are the text to send the clinician")
    approvals.respond(engine, reply.approval_id, actor, text)
    with engine.db.tenant_session(actor.tenant_id) as s:
        run_id = s.scalar(select(AgentApprovalRequest.execution_id).where(AgentApprovalRequest.id == reply.approval_id))
    return DecisionOut(id=str(reply.approval_id), status=ApprovalStatus.PENDING, run_id=str(run_id),
                       run_status=ExecutionStatus.WAITING_APPROVAL, result="question sent to the dictating clinician")
