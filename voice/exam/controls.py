"""Voice controls carried out with the speaker's own rights (voice contract, "Voice control").

``accept`` approves the session's pending proposals the speaker may decide, like a click on
Approve (an assistant's "accept" leaves a tier-3 change pending); ``cancel_last`` takes back
the last thing heard (a grid value in a perio exam, else the last pending proposal, which its
requester may always withdraw); ``undo_last`` undoes the speaker's last applied change of the
session; ``goto``, ``read_back``, ``pause`` and ``resume`` move and voice the exam.
Each answer says in plain words what happened, to be spoken back and shown.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import or_, select

from approvals.decisions import decide_batch
from core_schema.directory import Actor
from core_schema.errors import DomainError
from core_schema.models import ActionHistory, AgentApprovalRequest, AgentExecution, VoiceSession
from core_schema.statuses import ApprovalStatus
from tools.registry import REGISTRY
from undo.actions import undo
from voice.exam import grid
from voice.exam.cursor import Row
from voice.exam.state import ExamMode, ExamState, exam_of, locked
from workflows.engine import Engine

Handler = Callable[[Engine, Actor, uuid.UUID, dict[str, Any]], dict[str, Any]]


def carry_out(engine: Engine, actor: Actor, session_id: uuid.UUID, control: dict[str, Any]) -> dict[str, Any]:
    """Do what the control says; ``{"action", "done", "message", ...}`` (a refusal is ``done: false`` with its reason)."""
    action = str(control.get("action"))
    handler = HANDLERS.get(action)
    if handler is None:
        return {"action": action, "done": False, "message": f"'{action}' is not a voice control."}
    if action not in ("pause", "resume") and is_paused(engine, actor, session_id):
        return {"action": action, "done": False, "message": "Paused: say resume, or press the pedal, to go on."}
    try:
        return {"action": action, **handler(engine, actor, session_id, control)}
    except DomainError as exc:
        return {"action": action, "done": False, "message": exc.message, "code": exc.code}


def is_paused(engine: Engine, actor: Actor, session_id: uuid.UUID) -> bool:
    with engine.db.tenant_session(actor.tenant_id) as s:
        exam = exam_of(s.get(VoiceSession, session_id))
        return bool(exam and exam.paused)


def _pending(engine: Engine, actor: Actor, session_id: uuid.UUID) -> list[AgentApprovalRequest]:
    """The session's open approval requests, oldest first."""
    with engine.db.tenant_session(actor.tenant_id) as s:
        rows = s.scalars(select(AgentApprovalRequest).join(AgentExecution, AgentExecution.id == AgentApprovalRequest.execution_id)
                         .where(AgentExecution.voice_session_id == session_id, AgentApprovalRequest.status == ApprovalStatus.PENDING)
                         .order_by(AgentApprovalRequest.created_at, AgentApprovalRequest.id)).all()
        s.expunge_all()
        return list(rows)


def _accept(engine: Engine, actor: Actor, session_id: uuid.UUID, control: dict[str, Any]) -> dict[str, Any]:
    pending = _pending(engine, actor, session_id)
    mine = [r for r in pending if actor.can(REGISTRY.get(r.action_details["tool"]).approval_permission)]
    others = [r for r in pending if r not in mine]
    if mine:
        decide_batch(engine, [r.id for r in mine], actor, "approve", comment="accepted by voice")
    waiting = f" {_count(len(others))} needs a dentist's approval and stays pending." if others else ""
    if not mine:
        return {"done": False, "approved": [], "pending": [str(r.id) for r in others],
                "message": ("Nothing you may approve is pending." + waiting).strip()}
    return {"done": True, "approved": [str(r.id) for r in mine], "pending": [str(r.id) for r in others],
            "message": f"Approved {_count(len(mine))}.{waiting}"}


def _count(n: int) -> str:
    return f"{n} change{'s' if n != 1 else ''}"


def _cancel_last(engine: Engine, actor: Actor, session_id: uuid.UUID, control: dict[str, Any]) -> dict[str, Any]:
    pending = _pending(engine, actor, session_id)
    last_proposal = pending[-1] if pending else None
    with engine.db.tenant_session(actor.tenant_id) as s:
        exam = exam_of(s.get(VoiceSession, session_id))
        heard_at = exam.log[-1].get("at") if exam and exam.log else None
        if heard_at and (last_proposal is None or heard_at > last_proposal.created_at.isoformat()):
            with locked(s, session_id) as (_, exam):
                scratch(exam)
                tooth = exam.cursor.tooth
            return {"done": True, "cursor": exam.cursor.as_dict(),
                    "message": f"Scratched the last values heard; tooth {tooth} is in focus." if tooth else "Scratched the last values heard."}
    if last_proposal is None:
        return {"done": False, "message": "Nothing pending to scratch."}
    decide_batch(engine, [last_proposal.id], actor, "withdraw", comment="scratched by voice")
    return {"done": True, "withdrawn": [str(last_proposal.id)],
            "message": f"Scratched the last proposal ({last_proposal.requested_action or 'change'})."}


def _undo_last(engine: Engine, actor: Actor, session_id: uuid.UUID, control: dict[str, Any]) -> dict[str, Any]:
    now = datetime.now(timezone.utc)
    with engine.db.tenant_session(actor.tenant_id) as s:
        runs = select(AgentExecution.id).where(AgentExecution.voice_session_id == session_id)
        last = s.scalar(select(ActionHistory.id).where(
            or_(ActionHistory.voice_session_id == session_id, ActionHistory.agent_execution_id.in_(runs)),
            ActionHistory.is_undone.is_(False), ActionHistory.undo_expires_at > now)
            .order_by(ActionHistory.created_at.desc()).limit(1))
    if last is None:
        return {"done": False, "message": "No change of this session can be undone now."}
    result = undo(engine, last, actor, reason="undone by voice")
    return {"done": True, "undone": result["action_id"], "message": f"Undone: {result['summary']}."}


def _goto(engine: Engine, actor: Actor, session_id: uuid.UUID, control: dict[str, Any]) -> dict[str, Any]:
    with engine.db.tenant_session(actor.tenant_id) as s:
        vs = s.get(VoiceSession, session_id)
        if exam_of(vs) is None and vs is not None and control.get("tooth"):  # a plain session: the tooth in focus
            vs.meta = {**(vs.meta or {}), "tooth_in_focus": str(control["tooth"])}
            return {"done": True, "message": f"Tooth {control['tooth']}."}
    with engine.db.tenant_session(actor.tenant_id) as s, locked(s, session_id) as (_, exam):
        if not move(exam, control):
            return {"done": False, "cursor": exam.cursor.as_dict(),
                    "message": f"Tooth {control['tooth']} is not part of this exam (charted missing?)."}
        return {"done": True, "cursor": exam.cursor.as_dict(), "message": _where(exam)}


def _row(side: str) -> Row:
    """The row a side names (palatal is the upper lingual row)."""
    return Row.LINGUAL if side == "palatal" else Row(side)


def move(exam: ExamState, control: dict[str, Any]) -> bool:
    """Move the exam's cursor as a ``goto`` control says; False when the tooth named is not in the exam."""
    cursor = exam.cursor
    if control.get("tooth"):
        if not cursor.go(str(control["tooth"]), _row(control["side"]) if control.get("side") else None):
            return False
    elif control.get("skip"):
        cursor.skip(str(control["skip"]))
    elif control.get("side"):  # right after a tooth's row was filled, the other side is that tooth's
        if exam.anchor is not None and exam.anchor < len(exam.order):
            cursor.go(exam.order[exam.anchor][0], _row(control["side"]))
        else:
            cursor.side(_row(control["side"]))
    elif control.get("direction") == "back":
        cursor.back()
    else:
        cursor.next_tooth()
    exam.moved(cursor)
    exam.anchor = None
    return True


def scratch(exam: ExamState) -> None:
    """Take back the last values heard (the grid and cursor as they were before them)."""
    exam.restore(exam.log.pop())


def _where(exam: ExamState) -> str:
    cursor = exam.cursor
    if cursor.tooth is None:
        return "The exam order is complete: say finish, or go to a tooth."
    return f"Tooth {cursor.tooth}" + (f", {cursor.row}." if exam.mode == ExamMode.PERIO else ".")


def _read_back(engine: Engine, actor: Actor, session_id: uuid.UUID, control: dict[str, Any]) -> dict[str, Any]:
    with engine.db.tenant_session(actor.tenant_id) as s:
        exam = exam_of(s.get(VoiceSession, session_id))
    if exam is None:
        return {"done": False, "message": "Read-back works in an exam session."}
    tooth = exam.cursor.tooth or (exam.said[-1]["tooth"] if exam.said else None)
    if exam.anchor is not None and exam.anchor < len(exam.order):  # just moved on: the tooth just probed
        tooth = exam.order[exam.anchor][0]
    if exam.mode == ExamMode.PERIO:
        text = grid.read_back(exam, tooth)
    else:
        text = _chart_read_back(engine, actor, session_id, tooth)
    return {"done": True, "read_back": text, "message": text}


def _chart_read_back(engine: Engine, actor: Actor, session_id: uuid.UUID, tooth: str | None) -> str:
    if tooth is None:
        return "No tooth is in focus."
    waiting = [r.requested_action for r in _pending(engine, actor, session_id)
               if f'"{tooth}"' in json.dumps((r.action_details or {}).get("arguments") or {})]
    return f"Tooth {tooth}: " + ("; ".join(w for w in waiting if w) + " pending." if waiting else "nothing pending.")


def _pause(engine: Engine, actor: Actor, session_id: uuid.UUID, control: dict[str, Any]) -> dict[str, Any]:
    return _set_paused(engine, actor, session_id, True)


def _resume(engine: Engine, actor: Actor, session_id: uuid.UUID, control: dict[str, Any]) -> dict[str, Any]:
    return _set_paused(engine, actor, session_id, False)


def _set_paused(engine: Engine, actor: Actor, session_id: uuid.UUID, paused: bool) -> dict[str, Any]:
    with engine.db.tenant_session(actor.tenant_id) as s, locked(s, session_id) as (_, exam):
        exam.paused = paused
        return {"done": True, "paused": paused,
                "message": "Paused: say resume, or press the pedal, to go on." if paused else "Listening. " + _where(exam)}


HANDLERS: dict[str, Handler] = {
    "accept": _accept, "cancel_last": _cancel_last, "undo_last": _undo_last, "goto": _goto,
    "read_back": _read_back, "pause": _pause, "resume": _resume,
}
