"""The changes applied to a patient or by a run, as people read them: what changed, who asked,
who approved, when, whether it was undone (by whom, when) and whether the reader may undo it now.

Read from the audit log, not from ``action_history`` alone: ``action_history`` rows are deleted
when their undo window closes (``actions.cleanup_expired``), the audit rows stay. While an
action's row lives it says whether it is still undoable; after that the change is history.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from core_schema.directory import Actor
from core_schema.errors import NotFound
from core_schema.models import (
    ActionHistory,
    AgentApprovalRequest,
    AgentExecution,
    AuditEvent,
    Patient,
    ToolExecution,
    User,
)
from tools.executor import UNDO_WINDOW
from undo.actions import refusal_for
from undo.actions import undo as undo_action
from undo.errors import UndoError
from undo.handlers import UNDO_HANDLERS
from workflows.engine import Engine

UNDO_EVENT = "CLINICAL_UNDO"
APPLIED_EVENTS = ("CLINICAL_CREATE", "CLINICAL_UPDATE", "CLINICAL_DELETE")
WINDOW_MINUTES = int(UNDO_WINDOW.total_seconds() // 60)


def patient_history(engine: Engine, actor: Actor, patient_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every change applied to the patient by a run, newest first; ``NotFound`` for a patient of
    another clinic (invisible, not forbidden)."""
    with engine.db.tenant_session(actor.tenant_id) as s:
        if s.get(Patient, patient_id) is None:
            raise NotFound(f"patient {patient_id} not found in this clinic")
        first = s.scalar(select(func.min(AgentExecution.started_at)).where(AgentExecution.patient_id == patient_id))
        if first is None:
            return []
        runs = select(cast(AgentExecution.id, String)).where(AgentExecution.patient_id == patient_id)
        return _history(s, actor, first, AuditEvent.metadata_["execution_id"].astext.in_(runs))


def run_history(engine: Engine, actor: Actor, run_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every change the run applied, newest first; ``NotFound`` for a run of another clinic."""
    with engine.db.tenant_session(actor.tenant_id) as s:
        run = s.get(AgentExecution, run_id)
        if run is None:
            raise NotFound(f"run {run_id} not found in this clinic")
        return _history(s, actor, run.started_at, AuditEvent.metadata_["execution_id"].astext == str(run_id))


def undo_run(engine: Engine, actor: Actor, run_id: uuid.UUID, reason: str | None = None) -> dict[str, Any]:
    """Undo every change of the run the actor may still undo, newest first (so a later change of
    the same tooth goes before the earlier one). Each undo is its own transaction, audited as one.

    ``{"run_id", "undone": [undo results], "refused": [{"action_id", "code", "message"}]}``.
    Refused as a whole (``UndoError``) when nothing could be undone: ``forbidden`` when the
    actor may undo none of them, ``expired`` when every window has closed, ``already_undone``.
    """
    rows = [r for r in run_history(engine, actor, run_id) if r["action_id"] and not r["undone"]]
    open_rows = [r for r in rows if r["undo_state"] != "expired"]
    if not open_rows:
        if rows:
            raise UndoError("expired", f"the {WINDOW_MINUTES}-minute undo window of every change of this run has closed")
        raise UndoError("already_undone", "this run has no applied change left to undo")
    undone: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []
    todo = [r["action_id"] for r in open_rows]
    for attempt in range(2):  # changes applied in one transaction share a time: a conflict may clear once the other is undone
        retry: list[tuple[str, UndoError]] = []
        for action_id in todo:
            try:
                undone.append(undo_action(engine, uuid.UUID(action_id), actor, reason))
            except UndoError as exc:
                if exc.code == "conflict" and attempt == 0:
                    retry.append((action_id, exc))
                else:
                    refused.append({"action_id": action_id, "code": exc.code, "message": exc.message})
        if retry and len(retry) == len(todo):  # nothing else was undone: trying again would change nothing
            refused += [{"action_id": a, "code": e.code, "message": e.message} for a, e in retry]
            break
        if not retry:
            break
        todo = [a for a, _ in retry]
    if not undone:
        codes = {r["code"] for r in refused}
        code = codes.pop() if len(codes) == 1 else "conflict"
        raise UndoError(code, "; ".join(plain_refusal(r["code"], r["message"]) for r in refused[:3]))
    return {"run_id": str(run_id), "undone": undone, "refused": refused}


def plain_refusal(code: str, message: str) -> str:
    """A refusal as the web app says it (the service's own message where it is already plain)."""
    return {"forbidden": "You may not undo this change: only whoever dictated or approved it, with the right to "
                         "decide it, or a supervisor may",
            "expired": f"The {WINDOW_MINUTES}-minute window to undo this change has closed"}.get(code, message)


def _history(s: Session, actor: Actor, since: datetime, which: Any) -> list[dict[str, Any]]:
    """The applied changes among the clinic's audit rows since ``since`` (the first run's start:
    the tenant-and-time index bounds the scan, the audit log has no index on its metadata)."""
    recent = (AuditEvent.tenant_id == actor.tenant_id, AuditEvent.occurred_at >= since)
    applied = s.scalars(select(AuditEvent).where(*recent, AuditEvent.event_type.in_(APPLIED_EVENTS), which)
                        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id)).all()
    action_ids = [m["action_history_id"] for e in applied if (m := e.metadata_ or {}).get("action_history_id")]
    undos = {(e.metadata_ or {}).get("action_history_id"): e for e in s.scalars(
        select(AuditEvent).where(*recent, AuditEvent.event_type == UNDO_EVENT,
                                 AuditEvent.metadata_["action_history_id"].astext.in_(action_ids)))} if action_ids else {}
    rows = {str(r.id): r for r in s.scalars(select(ActionHistory).where(
        ActionHistory.id.in_([uuid.UUID(a) for a in action_ids])))} if action_ids else {}
    approval_ids = [uuid.UUID(m["approval_request_id"]) for e in applied if (m := e.metadata_ or {}).get("approval_request_id")]
    approvals = {str(r.id): r for r in s.scalars(select(AgentApprovalRequest).where(AgentApprovalRequest.id.in_(approval_ids)))} \
        if approval_ids else {}
    texec_ids = [a.tool_execution_id for a in approvals.values() if a.tool_execution_id]
    outputs: dict[uuid.UUID, Any] = dict(s.execute(select(ToolExecution.id, ToolExecution.output_result).where(ToolExecution.id.in_(texec_ids))).all()) \
        if texec_ids else {}
    people = _names(s, applied, undos.values())
    now = datetime.now(timezone.utc)
    out = []
    for e in applied:
        meta = e.metadata_ or {}
        action_id = meta.get("action_history_id")
        row = rows.get(action_id) if action_id else None
        undo_event = undos.get(action_id)
        approval = approvals.get(meta.get("approval_request_id") or "")
        output = outputs.get(approval.tool_execution_id) if approval and approval.tool_execution_id else None
        summary = (row.change_summary if row else None) or (output or {}).get("summary") \
            or (approval.requested_action if approval else None) or str(meta.get("tool") or e.resource_type or "change")
        undo_meta = (undo_event.metadata_ or {}) if undo_event else {}
        undone_by = (row.undone_by_user_id if row and row.is_undone else None) or _uuid(undo_meta.get("undone_by_user_id"))
        undone_at = (row.undone_at if row and row.is_undone else None) or (undo_event.occurred_at if undo_event else None)
        expires = row.undo_expires_at if row else e.occurred_at + UNDO_WINDOW
        state, why_not = _undo_state(s, actor, row, undone_at is not None, expires, now)
        out.append({
            "action_id": action_id, "run_id": meta.get("execution_id"), "approval_request_id": meta.get("approval_request_id"),
            "tool": meta.get("tool"), "entity_type": e.resource_type, "action_type": e.event_type.removeprefix("CLINICAL_"),
            "summary": summary, "applied_at": e.occurred_at.isoformat(),
            "requested_by": _name(people, meta.get("requested_by_user_id")),
            "approved_by": _name(people, meta.get("approved_by_user_id")),
            "approved_at": approval.reviewed_at.isoformat() if approval and approval.reviewed_at else None,
            "undo_expires_at": expires.isoformat(), "undone": undone_at is not None,
            "undone_at": undone_at.isoformat() if undone_at else None, "undone_by": _name(people, undone_by),
            "undo_reason": row.undo_reason if row else None, "undo_summary": undo_meta.get("summary"),
            "undo_state": state, "can_undo": state == "open", "why_not": why_not,
        })
    return out


def _undo_state(s: Session, actor: Actor, row: ActionHistory | None, undone: bool, expires: datetime,
                now: datetime) -> tuple[str, str | None]:
    """``open`` (the actor may undo it now) or why not: ``undone``, ``expired``, ``forbidden``, ``not_undoable``."""
    if undone:
        return "undone", "This change was undone."
    if row is None or expires <= now:
        return "expired", f"The {WINDOW_MINUTES}-minute window to undo this change has closed."
    if row.entity_type not in UNDO_HANDLERS:
        return "not_undoable", "This kind of change cannot be undone here."
    if refusal_for(s, row, actor) is not None:
        return "forbidden", plain_refusal("forbidden", "") + "."
    return "open", None


def _names(s: Session, applied: Any, undos: Any) -> dict[uuid.UUID, str]:
    ids: set[uuid.UUID] = set()
    for e in [*applied, *undos]:
        meta = e.metadata_ or {}
        for key in ("requested_by_user_id", "approved_by_user_id", "undone_by_user_id"):
            if (u := _uuid(meta.get(key))) is not None:
                ids.add(u)
    if not ids:
        return {}
    return {uid: name or email for uid, name, email in s.execute(select(User.id, User.full_name, User.email).where(User.id.in_(ids)))}


def _name(people: dict[uuid.UUID, str], user: Any) -> str | None:
    who = _uuid(user)
    return people.get(who) if who is not None else None


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None
