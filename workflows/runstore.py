"""The run store: workflows, executions, steps and metrics in PostgreSQL.

Snapshots written here hold ids only (the graph state is ids by construction): no names,
birth dates or transcripts ever reach ``agent_executions`` or ``agent_steps``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session

from core_schema.models import (
    AgentApprovalRequest,
    AgentExecution,
    AgentMetric,
    AgentStep,
    AgentWorkflow,
    ToolExecution,
)
from core_schema.seed.demo import SYSTEM_USER_ID

WORKFLOW_NAMESPACE = uuid.UUID("0b8f5f2e-93c4-4e0a-8a57-3f6f5d2c9e10")


def graph_definition(compiled: Any) -> dict[str, Any]:
    """Nodes and edges as LangGraph sees them in the compiled graph."""
    g = compiled.get_graph()
    nodes = [n for n in g.nodes if not n.startswith("__")]
    edges = [{"source": e.source, "target": e.target, "conditional": bool(e.conditional)} for e in g.edges]
    entry = next(e.target for e in g.edges if e.source == "__start__")
    exits = sorted({e.source for e in g.edges if e.target == "__end__"})
    return {"nodes": nodes, "edges": edges, "entry": entry, "exits": exits}


def register_workflow(session: Session, name: str, description: str, workflow_type: str, compiled: Any) -> uuid.UUID:
    """Upsert the global ``agent_workflows`` row for this graph; the version is its shape's hash."""
    definition = graph_definition(compiled)
    version = hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()[:12]
    workflow_id = uuid.uuid5(WORKFLOW_NAMESPACE, f"{name}@{version}")
    if session.get(AgentWorkflow, workflow_id) is None:
        session.add(AgentWorkflow(
            id=workflow_id, tenant_id=None, name=name, description=description, workflow_type=workflow_type,
            graph_definition={"nodes": definition["nodes"], "edges": definition["edges"]},
            entry_node=definition["entry"], exit_nodes=definition["exits"], version=version,
            created_by_id=SYSTEM_USER_ID,
        ))
        session.flush()
    return workflow_id


def create_execution(session: Session, *, workflow_id: uuid.UUID, tenant_id: uuid.UUID, entry_node: str,
                     state: dict[str, Any], **links: Any) -> uuid.UUID:
    execution_id = uuid.UUID(state["execution_id"])
    session.add(AgentExecution(
        id=execution_id, workflow_id=workflow_id, tenant_id=tenant_id, current_node=entry_node,
        status="RUNNING", state_snapshot=state, metadata_={}, **links,
    ))
    session.flush()
    return execution_id


def start_step(session: Session, execution_id: uuid.UUID, step_id: uuid.UUID, node: str, node_type: str,
               state: dict[str, Any]) -> None:
    """The step row of a node execution (written when first needed); sequence per execution."""
    seq = session.scalar(select(func.coalesce(func.max(AgentStep.sequence_no), 0)).where(AgentStep.execution_id == execution_id))
    session.add(AgentStep(
        id=step_id, execution_id=execution_id, sequence_no=int(seq or 0) + 1, node_name=node, node_type=node_type,
        input_state=state, status="RUNNING",
    ))
    session.flush()
    session.execute(update(AgentExecution).where(AgentExecution.id == execution_id).values(current_node=node))


def finish_step(session: Session, step_id: uuid.UUID, **values: Any) -> None:
    """Complete a step written early (status, output_state, duration_ms, error_message, LLM/tool details)."""
    session.execute(update(AgentStep).where(AgentStep.id == step_id).values(**values))


def record_edge(session: Session, step_id: uuid.UUID, target: str) -> None:
    """Which edge a conditional router took after this step."""
    session.execute(update(AgentStep).where(AgentStep.id == step_id).values(decision_result=target))


def update_execution(session: Session, execution_id: uuid.UUID, **values: Any) -> None:
    if values.get("status") in ("COMPLETED", "FAILED", "CANCELLED"):
        values.setdefault("completed_at", datetime.now(timezone.utc))
    session.execute(update(AgentExecution).where(AgentExecution.id == execution_id).values(**values))


def claim_for_resume(session: Session, execution_id: uuid.UUID) -> bool:
    """Atomically move a waiting run to RUNNING; False if someone else already resumed it."""
    result = session.execute(
        update(AgentExecution)
        .where(AgentExecution.id == execution_id, AgentExecution.status == "WAITING_APPROVAL")
        .values(status="RUNNING")
    )
    return result.rowcount == 1


def write_metrics(session: Session, execution_id: uuid.UUID, tenant_id: uuid.UUID) -> dict[str, Decimal]:
    """COMPLETION_TIME, TOOL_CALLS, TOKEN_COST and ERROR_RATE of a finished run."""
    execution = session.get(AgentExecution, execution_id)
    assert execution is not None
    end = execution.completed_at or datetime.now(timezone.utc)
    steps = select(AgentStep.id).where(AgentStep.execution_id == execution_id)
    calls, errors, tokens = session.execute(select(
        select(func.count()).select_from(ToolExecution).where(ToolExecution.agent_step_id.in_(steps)).scalar_subquery(),
        select(func.count()).select_from(ToolExecution).where(
            ToolExecution.agent_step_id.in_(steps), ToolExecution.status.in_(("FAILED", "TIMEOUT"))).scalar_subquery(),
        select(func.coalesce(func.sum(AgentStep.prompt_tokens), 0) + func.coalesce(func.sum(AgentStep.completion_tokens), 0))
        .where(AgentStep.execution_id == execution_id).scalar_subquery(),
    )).one()
    metrics = {
        "COMPLETION_TIME": (Decimal(int((end - execution.started_at).total_seconds() * 1000)), "ms"),
        "TOOL_CALLS": (Decimal(calls), "count"),
        # Local models cost nothing; an LLM step's tokens are priced by the caller's settings later.
        "TOKEN_COST": (Decimal(int(tokens)), "tokens"),
        "ERROR_RATE": (Decimal(errors) / Decimal(calls) if calls else Decimal(0), "ratio"),
    }
    for name, (value, unit) in metrics.items():
        session.add(AgentMetric(execution_id=execution_id, tenant_id=tenant_id, metric_name=name,
                                metric_value=value, metric_unit=unit))
    return {k: v for k, (v, _) in metrics.items()}


def run_for_advance(conn: Connection, execution_id: uuid.UUID) -> Any:
    """What a worker needs to advance a run, in one statement: tenant, status, initial state,
    workflow (id and name) and how many approval requests still wait for a person."""
    open_requests = (select(func.count()).select_from(AgentApprovalRequest).where(
        AgentApprovalRequest.execution_id == AgentExecution.id, AgentApprovalRequest.status == "PENDING")
        .scalar_subquery())
    return conn.execute(
        select(AgentExecution.tenant_id, AgentExecution.status, AgentExecution.state_snapshot, AgentExecution.workflow_id,
               AgentWorkflow.name.label("workflow_name"), open_requests.label("open"))
        .join(AgentWorkflow, AgentWorkflow.id == AgentExecution.workflow_id).where(AgentExecution.id == execution_id)
    ).first()
