"""Respond: a reviewer's question on a pending request, and the dictating clinician's answers.

Agent Inbox's *respond* (besides accept, edit, ignore): the request stays PENDING and decidable;
the question goes to whoever dictated it (their chart page's dictation panel, live over their
event channel: ``APPROVAL_QUESTION``), and their answer comes back to the inbox
(``APPROVAL_ANSWER``). The thread is a ``conversations`` row of type APPROVAL (its metadata names
the request, run, patient and clinician) with one ``messages`` row per question or answer; each
is audited (``audit_events``, ids only). Notifications carry ids, never the text. When the
request is decided its thread is CLOSED and the clinician hears it (``DECIDED``), so the
question leaves their panel.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Text, cast, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from approvals import queue as approval_queue
from approvals.decisions import ApprovalError
from core_schema.directory import Actor
from core_schema.models import AgentApprovalRequest, AgentExecution, AuditEvent, Conversation, Message, User
from core_schema.statuses import ApprovalStatus, ThreadMessageKind, ThreadStatus, ThreadType
from tools.registry import REGISTRY
from workflows.engine import Engine

MAX_CHARS = 2000
RESOURCE = "agent_approval_request"
log = logging.getLogger(__name__)


def _text(text: str | None, what: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise ApprovalError("invalid_input", f"{what} needs some text")
    if len(cleaned) > MAX_CHARS:
        raise ApprovalError("invalid_input", f"{what} is {len(cleaned)} characters long: at most {MAX_CHARS}")
    return cleaned


def _pending_request(s: Session, approval_id: uuid.UUID) -> tuple[AgentApprovalRequest, AgentExecution]:
    """The request (locked) and its run, if this clinic has it and it still waits; else why not."""
    req = s.scalar(select(AgentApprovalRequest).where(AgentApprovalRequest.id == approval_id).with_for_update())
    if req is None:
        raise ApprovalError("not_found", f"approval {approval_id} not found in this clinic")
    if req.status != ApprovalStatus.PENDING:
        raise ApprovalError("already_decided", f"approval {approval_id} was already decided: {req.status}")
    run = s.get(AgentExecution, req.execution_id)
    assert run is not None
    return req, run


def _thread(s: Session, approval_id: uuid.UUID) -> Conversation | None:
    return s.scalar(select(Conversation).where(
        Conversation.conversation_type == ThreadType.APPROVAL,
        Conversation.metadata_["approval_id"].astext == str(approval_id)))


def _audit(s: Session, actor: Actor, event: str, approval_id: uuid.UUID, message_id: uuid.UUID,
           execution_id: uuid.UUID) -> None:
    s.add(AuditEvent(tenant_id=actor.tenant_id, actor_type="USER", actor_id=actor.user_id, event_type=event,
                     resource_type=RESOURCE, resource_id=approval_id,
                     metadata_={"message_id": str(message_id), "execution_id": str(execution_id)}))


def ask(engine: Engine, approval_id: uuid.UUID, actor: Actor, text: str | None) -> dict[str, Any]:
    """Send a question or correction on a pending request to whoever dictated it; the request stays pending.

    Only a user who may decide the request asks (403 otherwise); 404 for another clinic's, 409
    when it was decided already.
    """
    body = _text(text, "a question")
    now = datetime.now(timezone.utc)
    with engine.db.tenant_session(actor.tenant_id) as s:
        req, run = _pending_request(s, approval_id)
        tool = REGISTRY.get(req.action_details["tool"])
        if not actor.can(tool.approval_permission):
            raise ApprovalError("forbidden", f"{actor.email} may not decide tier-{tool.risk_tier} changes, "
                                "so may not ask about them either")
        if run.user_id is None:
            raise ApprovalError("invalid_input", f"approval {approval_id} has no dictating clinician to ask")
        thread = _thread(s, approval_id)
        if thread is None:
            thread = Conversation(
                id=uuid.uuid4(), tenant_id=actor.tenant_id, conversation_type=ThreadType.APPROVAL,
                status=ThreadStatus.OPEN, created_by_user_id=actor.user_id,
                metadata_={"approval_id": str(approval_id), "execution_id": str(run.id),
                           "clinician_id": str(run.user_id),
                           "patient_id": str(run.patient_id) if run.patient_id else None})
            s.add(thread)
            s.flush()
        thread.updated_at = now
        message = _message(s, actor, thread, approval_id, ThreadMessageKind.QUESTION, body, now)
        _audit(s, actor, "APPROVAL_QUESTION", approval_id, message.id, run.id)
        recipients = [run.user_id, req.assigned_to_user_id]
        extra = {"patient_id": str(run.patient_id) if run.patient_id else None, "message_id": str(message.id)}
        out = _as_dict(message, actor_name(s, actor.user_id))
    for user in dict.fromkeys(u for u in recipients if u is not None):
        approval_queue.notify(engine.redis, actor.tenant_id, user, "APPROVAL_QUESTION", approval_id, run.id, extra)
    return out


def answer(engine: Engine, approval_id: uuid.UUID, actor: Actor, text: str | None) -> dict[str, Any]:
    """The dictating clinician's answer to the questions on their pending request; the reviewers
    who asked (and its assignee) hear of it. Only that clinician answers (403)."""
    body = _text(text, "an answer")
    now = datetime.now(timezone.utc)
    with engine.db.tenant_session(actor.tenant_id) as s:
        req, run = _pending_request(s, approval_id)
        if run.user_id != actor.user_id:
            raise ApprovalError("forbidden", "only the clinician who dictated this change answers questions on it")
        thread = _thread(s, approval_id)
        if thread is None:
            raise ApprovalError("invalid_input", f"nobody asked a question on approval {approval_id}")
        askers = set(s.scalars(select(Message.sender_user_id).where(Message.conversation_id == thread.id)))
        thread.updated_at = now
        message = _message(s, actor, thread, approval_id, ThreadMessageKind.ANSWER, body, now)
        _audit(s, actor, "APPROVAL_ANSWER", approval_id, message.id, run.id)
        recipients = {u for u in (*askers, req.assigned_to_user_id) if u is not None and u != actor.user_id}
        extra = {"patient_id": str(run.patient_id) if run.patient_id else None, "message_id": str(message.id)}
        out = _as_dict(message, actor_name(s, actor.user_id))
    for user in sorted(recipients):
        approval_queue.notify(engine.redis, actor.tenant_id, user, "APPROVAL_ANSWER", approval_id, run.id, extra)
    return out


def _message(s: Session, actor: Actor, thread: Conversation, approval_id: uuid.UUID, kind: ThreadMessageKind,
             body: str, now: datetime) -> Message:
    message = Message(id=uuid.uuid4(), tenant_id=actor.tenant_id, conversation_id=thread.id, sender_type="USER",
                      sender_user_id=actor.user_id, content=body, sent_at=now,
                      metadata_={"kind": kind.value, "approval_id": str(approval_id)})
    s.add(message)
    s.flush()
    return message


def actor_name(s: Session, user_id: uuid.UUID) -> str | None:
    return s.scalar(select(User.full_name).where(User.id == user_id))


def _as_dict(m: Message, author: str | None) -> dict[str, Any]:
    return {"id": str(m.id), "approval_id": (m.metadata_ or {}).get("approval_id"),
            "kind": (m.metadata_ or {}).get("kind"), "author_id": str(m.sender_user_id) if m.sender_user_id else None,
            "author": author, "text": m.content, "at": m.sent_at.isoformat()}


def messages_of(s: Session, approval_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Each request's questions and answers, oldest first (requests without any are left out)."""
    if not approval_ids:
        return {}
    rows = s.execute(
        select(Message, User.full_name).join(Conversation, Conversation.id == Message.conversation_id)
        .join(User, User.id == Message.sender_user_id, isouter=True)
        .where(Conversation.conversation_type == ThreadType.APPROVAL,
               Conversation.metadata_["approval_id"].astext.in_(approval_ids))
        .order_by(Message.sent_at, Message.id)).all()
    out: dict[str, list[dict[str, Any]]] = {}
    for m, name in rows:
        item = _as_dict(m, name)
        out.setdefault(str(item["approval_id"]), []).append(item)
    return out


def questions_for(engine: Engine, actor: Actor, patient_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
    """The clinician's pending requests that a reviewer asked about (of one patient, if given),
    oldest first, each with its thread and whether the last word is a question."""
    with engine.db.tenant_session(actor.tenant_id) as s:
        query = (select(AgentApprovalRequest, AgentExecution.patient_id)
                 .join(AgentExecution, AgentExecution.id == AgentApprovalRequest.execution_id)
                 .join(Conversation, Conversation.metadata_["approval_id"].astext == cast(AgentApprovalRequest.id, Text))
                 .where(Conversation.conversation_type == ThreadType.APPROVAL,
                        AgentExecution.user_id == actor.user_id,
                        AgentApprovalRequest.status == ApprovalStatus.PENDING)
                 .order_by(AgentApprovalRequest.created_at, AgentApprovalRequest.id))
        if patient_id is not None:
            query = query.where(AgentExecution.patient_id == patient_id)
        rows = s.execute(query).all()
        threads = messages_of(s, [str(r.id) for r, _ in rows])
    out = []
    for req, patient in rows:
        messages = threads.get(str(req.id), [])
        out.append({"approval_id": str(req.id), "execution_id": str(req.execution_id),
                    "patient_id": str(patient) if patient else None, "requested_action": req.requested_action,
                    "tool": req.action_details.get("tool"), "arguments": req.action_details.get("arguments"),
                    "messages": messages,
                    "awaiting_answer": bool(messages) and messages[-1]["kind"] == ThreadMessageKind.QUESTION})
    return out


def close_decided(engine: Engine, actor: Actor, decided: list[tuple[str, str]]) -> None:
    """Close the threads of requests just decided ((id, status) pairs) and tell each clinician
    asked about one (``DECIDED``), so the question leaves their chart page. Best effort: the
    decisions are committed already, and a thread left open shows nothing once decided."""
    ids = [a for a, _ in decided]
    status = dict(decided)
    try:
        with engine.db.tenant_session(actor.tenant_id) as s:
            threads = s.scalars(select(Conversation).where(
                Conversation.conversation_type == ThreadType.APPROVAL, Conversation.status == ThreadStatus.OPEN,
                Conversation.metadata_["approval_id"].astext.in_(ids))).all()
            now = datetime.now(timezone.utc)
            told = []
            for t in threads:
                t.status, t.closed_at = ThreadStatus.CLOSED, now
                meta = t.metadata_ or {}
                told.append((meta.get("clinician_id"), meta["approval_id"], meta.get("execution_id")))
    except SQLAlchemyError as exc:
        log.warning("threads of decided requests not closed: %s", type(exc).__name__)
        return
    for clinician, approval_id, execution_id in told:
        if clinician and clinician != str(actor.user_id):
            approval_queue.notify(engine.redis, actor.tenant_id, clinician, "DECIDED", approval_id, execution_id,
                                  {"status": status.get(approval_id), "decided_by": str(actor.user_id)})
