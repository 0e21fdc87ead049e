"""Runs as people read them: the list and one run's trace (steps, tool calls, approvals).

One query for the CLI (``runs list`` / ``runs show``) and the HTTP API, so both answer alike.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from core_schema.db import Database
from core_schema.models import (
    ActionHistory,
    AgentApprovalRequest,
    AgentExecution,
    AgentIntervention,
    AgentStep,
    AgentTool,
    AgentWorkflow,
    Patient,
    ToolExecution,
    User,
)
from core_schema.statuses import ExecutionStatus


def _undone(s: Any, run_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """The runs among ``run_ids`` whose applied changes were all undone (a run that applied nothing is not)."""
    if not run_ids:
        return set()
    rows = s.execute(select(ActionHistory.agent_execution_id, func.bool_and(ActionHistory.is_undone))
                     .where(ActionHistory.agent_execution_id.in_(run_ids))
                     .group_by(ActionHistory.agent_execution_id)).all()
    return {run for run, all_undone in rows if all_undone}


@dataclass(frozen=True)
class RunFilter:
    """Which runs a list shows: whose patient, who started them, in what status, started when
    (``since`` inclusive, ``until`` exclusive); ``offset`` runs skipped (paging, newest first)."""

    patient_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    status: ExecutionStatus | None = None
    since: datetime | None = None
    until: datetime | None = None
    offset: int = 0


def list_runs(db: Database, tenant_id: uuid.UUID, limit: int = 50, where: RunFilter | None = None) -> list[dict[str, Any]]:
    """The tenant's runs that match ``where``, newest first, with their patient and who started them."""
    where = where or RunFilter()
    query = (select(AgentExecution, AgentWorkflow.name, Patient.first_name, Patient.last_name, User.full_name)
             .join(AgentWorkflow, AgentWorkflow.id == AgentExecution.workflow_id)
             .join(Patient, Patient.id == AgentExecution.patient_id, isouter=True)
             .join(User, User.id == AgentExecution.user_id, isouter=True))
    if where.patient_id:
        query = query.where(AgentExecution.patient_id == where.patient_id)
    if where.user_id:
        query = query.where(AgentExecution.user_id == where.user_id)
    if where.status:
        query = query.where(AgentExecution.status == where.status)
    if where.since:
        query = query.where(AgentExecution.started_at >= where.since)
    if where.until:
        query = query.where(AgentExecution.started_at < where.until)
    with db.tenant_session(tenant_id) as s:
        rows = s.execute(query.order_by(AgentExecution.started_at.desc(), AgentExecution.id)
                         .offset(where.offset).limit(limit)).all()
        undone = _undone(s, [e.id for e, *_ in rows])
        return [{"id": str(e.id), "workflow": name, "status": e.status, "current_node": e.current_node, "undone": e.id in undone,
                 "started_at": e.started_at.isoformat(), "completed_at": e.completed_at.isoformat() if e.completed_at else None,
                 "patient_id": str(e.patient_id) if e.patient_id else None,
                 "patient_name": f"{first} {last}" if e.patient_id and first is not None else None,
                 "user_id": str(e.user_id) if e.user_id else None, "user_name": user}
                for e, name, first, last, user in rows]


def show_run(db: Database, tenant_id: uuid.UUID, run_id: uuid.UUID) -> dict[str, Any] | None:
    """One run of the tenant with its steps, tool executions and approvals; None when the
    tenant has no such run (another clinic's run is invisible, not forbidden)."""
    with db.tenant_session(tenant_id) as s:
        e = s.get(AgentExecution, run_id)
        if e is None:
            return None
        steps = s.scalars(select(AgentStep).where(AgentStep.execution_id == run_id).order_by(AgentStep.sequence_no)).all()
        texecs = s.execute(select(ToolExecution, AgentTool.name).join(AgentTool, AgentTool.id == ToolExecution.tool_id, isouter=True)
                           .where(ToolExecution.agent_step_id.in_([st.id for st in steps]))
                           .order_by(ToolExecution.started_at)).all()
        reqs = s.execute(select(AgentApprovalRequest, User.full_name).join(User, User.id == AgentApprovalRequest.reviewer_id, isouter=True)
                         .where(AgentApprovalRequest.execution_id == run_id).order_by(AgentApprovalRequest.created_at)).all()
        corrections = s.execute(select(AgentIntervention, User.full_name).join(User, User.id == AgentIntervention.user_id, isouter=True)
                                .where(AgentIntervention.execution_id == run_id, AgentIntervention.intervention_type == "CORRECT")
                                .order_by(AgentIntervention.created_at)).all()
        requester = s.scalar(select(User.full_name).where(User.id == e.user_id)) if e.user_id else None
        patient = s.get(Patient, e.patient_id) if e.patient_id else None
        return {
            "requested_by": requester, "patient_id": str(e.patient_id) if e.patient_id else None,
            "patient_name": f"{patient.first_name} {patient.last_name}" if patient else None,
            "id": str(e.id), "status": e.status, "current_node": e.current_node, "checkpoint_id": e.checkpoint_id,
            "undone": bool(_undone(s, [e.id])),
            "started_at": e.started_at.isoformat(), "completed_at": e.completed_at.isoformat() if e.completed_at else None,
            "error": e.error_details, "trace_id": (e.metadata_ or {}).get("trace_id"),
            "steps": [{"seq": st.sequence_no, "node": st.node_name, "type": st.node_type, "status": st.status,
                       "duration_ms": st.duration_ms, "edge": st.decision_result, "tool": st.tool_name} for st in steps],
            "tool_executions": [{"id": str(t.id), "step_id": str(t.agent_step_id), "status": t.status,
                                 "duration_ms": t.duration_ms, "retry_count": t.retry_count, "error": t.error_message,
                                 "tool": tool_name} for t, tool_name in texecs],
            "approvals": [{"id": str(r.id), "status": r.status, "requested_action": r.requested_action,
                           "tool": (r.action_details or {}).get("tool"), "arguments": (r.action_details or {}).get("arguments"),
                           "risk_tier": (r.action_details or {}).get("risk_tier"),
                           "decided_by": reviewer, "decided_at": r.reviewed_at.isoformat() if r.reviewed_at else None,
                           "comment": r.review_comment, "requested_at": r.created_at.isoformat(),
                           "edits": _edits_of(r, corrections)} for r, reviewer in reqs],
        }


FIXED_FIELDS = frozenset({"patient_id", "encounter_id"})


def _edits_of(req: AgentApprovalRequest, corrections: Any) -> list[dict[str, Any]]:
    """The reviewer's corrections of one request before deciding it: who, when, and each field
    whose proposed value differs from the approved one (``before`` / ``after``, flattened so that a
    person reads "tooth 17 · depths mm · MB: 2 -> 5", not JSON)."""
    details = req.action_details or {}
    if not details.get("edited"):
        return []
    mine = [(c, who) for c, who in corrections if (c.step_id is not None and c.step_id == req.step_id)
            and (c.corrected_action or {}).get("tool") == details.get("tool")]
    exact = [(c, who) for c, who in mine if (c.corrected_action or {}).get("arguments") == details.get("arguments")]
    return [{"by": who, "at": c.created_at.isoformat(), "reason": c.reason,
             "fields": field_changes((c.original_action or {}).get("arguments") or {},
                                     (c.corrected_action or {}).get("arguments") or {})}
            for c, who in (exact or mine)]


def flatten(value: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Leaves of nested arguments keyed by their path; a list item that names a tooth is keyed by
    it ("tooth 17"), others by their position; lists of plain values stay whole."""
    if isinstance(value, dict):
        out: dict[tuple[str, ...], Any] = {}
        for k, v in value.items():
            if not path and k in FIXED_FIELDS:
                continue
            out |= flatten(v, (*path, str(k)))
        return out
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        out = {}
        seen: set[str] = set()
        for i, v in enumerate(value, start=1):
            name = f"tooth {v['tooth']}" if isinstance(v, dict) and v.get("tooth") is not None else str(i)
            name = name if name not in seen else f"{name} ({i})"
            seen.add(name)
            rest = {k: x for k, x in v.items() if k != "tooth"} if isinstance(v, dict) and v.get("tooth") is not None else v
            out |= flatten(rest, (*path[:-1], name) if path and name.startswith("tooth ") else (*path, name))
        return out
    return {path: value}


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Each field whose value the correction changed: ``{"field": [path...], "before", "after"}``."""
    b, a = flatten(before), flatten(after)
    keys = list(dict.fromkeys([*b, *a]))
    return [{"field": list(k), "before": b.get(k), "after": a.get(k)} for k in keys if b.get(k) != a.get(k)]
