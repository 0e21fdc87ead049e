"""Undo: restore an action's previous state within its window, audited like any change."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, select

from core_schema.directory import Actor
from core_schema.models import ActionHistory, AuditEvent
from tools.context import ToolError
from tools.undo_handlers import UNDO_HANDLERS
from workflows.engine import Engine


class UndoError(Exception):
    """Why an undo is refused (expired, already undone, not yours)."""


def undo(engine: Engine, action_id: uuid.UUID, actor: Actor, reason: str | None = None) -> dict[str, Any]:
    """Undo one action of the actor's clinic; same user or a supervisor, within 5 minutes."""
    now = datetime.now(timezone.utc)
    with engine.db.tenant_session(actor.tenant_id) as s:
        row = s.scalar(select(ActionHistory).where(ActionHistory.id == action_id).with_for_update())
        if row is None:
            raise UndoError(f"action {action_id} not found in this clinic")
        if row.is_undone:
            raise UndoError(f"action {action_id} was already undone at {row.undone_at:%Y-%m-%d %H:%M:%S} UTC")
        if row.undo_expires_at <= now:
            raise UndoError(f"the undo window of action {action_id} closed at {row.undo_expires_at:%Y-%m-%d %H:%M:%S} UTC")
        if row.user_id != actor.user_id and not actor.can("actions.undo.any"):
            raise UndoError(f"only the user who made action {action_id} or a supervisor may undo it")
        handler = UNDO_HANDLERS.get(row.entity_type)
        if handler is None:
            raise UndoError(f"actions on {row.entity_type} cannot be undone")
        row.is_undone, row.undone_at, row.undone_by_user_id, row.undo_reason = True, now, actor.user_id, reason
        try:
            summary = handler(s, row)  # sees undone_by_user_id: the undo is authored by the actor
        except ToolError as exc:  # e.g. a later change touched the same tooth
            raise UndoError(f"action {action_id} cannot be undone: {exc}") from None
        s.add(AuditEvent(
            tenant_id=actor.tenant_id, actor_type="USER", actor_id=actor.user_id, event_type="CLINICAL_UNDO",
            resource_type=row.entity_type, resource_id=row.entity_id,
            metadata_={"action_history_id": str(row.id), "summary": summary},
        ))
        return {"action_id": str(row.id), "entity_type": row.entity_type, "entity_id": str(row.entity_id),
                "undone": True, "summary": summary}


def undoable(engine: Engine, actor: Actor) -> list[dict[str, Any]]:
    """The actor's actions still inside their undo window (all of the clinic's for a supervisor)."""
    now = datetime.now(timezone.utc)
    with engine.db.tenant_session(actor.tenant_id) as s:
        query = select(ActionHistory).where(ActionHistory.is_undone.is_(False), ActionHistory.undo_expires_at > now)
        if not actor.can("actions.undo.any"):
            query = query.where(ActionHistory.user_id == actor.user_id)
        rows = s.scalars(query.order_by(ActionHistory.created_at.desc())).all()
        return [{"id": str(r.id), "entity_type": r.entity_type, "entity_id": str(r.entity_id),
                 "action_type": r.action_type, "summary": r.change_summary,
                 "undo_expires_at": r.undo_expires_at.isoformat(), "execution_id": str(r.agent_execution_id) if r.agent_execution_id else None}
                for r in rows]


def cleanup_expired(engine: Engine, now: datetime | None = None) -> int:
    """Delete action rows whose undo window has closed (the audit log keeps the record)."""
    now = now or datetime.now(timezone.utc)
    with engine.db.system_session() as s:
        return s.execute(delete(ActionHistory).where(ActionHistory.undo_expires_at <= now)).rowcount
