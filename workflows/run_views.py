"""Runs as people read them: the list and one run's trace (steps, tool calls, approvals).

One query for the CLI (``runs list`` / ``runs show``) and the HTTP API, so both answer alike.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from core_schema.db import Database
from core_schema.models import (
    AgentApprovalRequest,
    AgentExecution,
    AgentStep,
    AgentTool,
    AgentWorkflow,
    ToolExecution,
    User,
)


def list_runs(db: Database, tenant_id: uuid.UUID, limit: int = 50) -> list[dict[str, Any]]:
    """The tenant's most recent runs, newest first."""
    with db.tenant_session(tenant_id) as s:
        rows = s.execute(
            select(AgentExecution, AgentWorkflow.name).join(AgentWorkflow, AgentWorkflow.id == AgentExecution.workflow_id)
            .order_by(AgentExecution.started_at.desc()).limit(limit)
        ).all()
        return [{"id": str(e.id), "workflow": name, "status": e.status, "current_node": e.current_node,
                 "started_at": e.started_at.isoformat(), "completed_at": e.completed_at.isoformat() if e.completed_at else None}
                for e, name in rows]


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
        return {
            "id": str(e.id), "status": e.status, "current_node": e.current_node, "checkpoint_id": e.checkpoint_id,
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
                           "comment": r.review_comment} for r, reviewer in reqs],
        }
