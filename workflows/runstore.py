"""The run store: workflows, executions, steps and metrics in PostgreSQL.

Snapshots written here hold ids only (the graph state is ids by construction): no names,
birth dates or transcripts ever reach ``agent_executions`` or ``agent_steps``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import psycopg
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core_schema.identities import SYSTEM_USER_ID
from core_schema.models import (
    AgentExecution,
    AgentStep,
    AgentWorkflow,
)
from core_schema.rows import rowcount
from core_schema.statuses import RUN_ENDED, ExecutionStatus, StepStatus

if TYPE_CHECKING:
    from workflows.leases import Lease

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
        status=ExecutionStatus.RUNNING, state_snapshot=state, metadata_={}, **links,
    ))
    session.flush()
    return execution_id


_INSERT_RUN = """
INSERT INTO agent_executions (id, workflow_id, tenant_id, current_node, status, state_snapshot, metadata,
  user_id, patient_id, encounter_id, voice_session_id, api_client_id)
VALUES (%(id)s, %(workflow)s, %(tenant)s, %(node)s, 'RUNNING', %(state)s, '{}'::jsonb,
  %(user_id)s, %(patient_id)s, %(encounter_id)s, %(voice_session_id)s, %(api_client_id)s)
"""
_LINKS = ("user_id", "patient_id", "encounter_id", "voice_session_id", "api_client_id")


def insert_run(pg: psycopg.Connection[Any], *, workflow_id: uuid.UUID, tenant_id: uuid.UUID, entry_node: str,
               state: dict[str, Any], **links: Any) -> uuid.UUID:
    """``create_execution`` on an owner connection (autocommit): one statement, one round trip.

    The runtime writes its own runs' records as the owner (``record_run`` does too); the row is
    the same one a tenant session would insert (RUNNING, nothing run yet). A refused row raises
    SQLAlchemy's ``IntegrityError``, as ``create_execution`` does.
    """
    import sqlalchemy.exc
    from psycopg.types.json import Jsonb

    execution_id = uuid.UUID(state["execution_id"])
    params = {"id": execution_id, "workflow": workflow_id, "tenant": tenant_id, "node": entry_node,
              "state": Jsonb(state), **{k: links.get(k) for k in _LINKS}}
    if set(links) - set(_LINKS):
        raise TypeError(f"unknown run links: {sorted(set(links) - set(_LINKS))}")
    try:
        pg.execute(_INSERT_RUN, params)
    except psycopg.IntegrityError as exc:
        raise sqlalchemy.exc.IntegrityError(_INSERT_RUN, params, exc) from exc
    return execution_id


def start_step(session: Session, execution_id: uuid.UUID, step_id: uuid.UUID, node: str, node_type: str,
               state: dict[str, Any]) -> None:
    """The step row of a node execution (written when first needed); sequence per execution."""
    seq = session.scalar(select(func.coalesce(func.max(AgentStep.sequence_no), 0)).where(AgentStep.execution_id == execution_id))
    session.add(AgentStep(
        id=step_id, execution_id=execution_id, sequence_no=int(seq or 0) + 1, node_name=node, node_type=node_type,
        input_state=state, status=StepStatus.RUNNING,
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
    if values.get("status") in RUN_ENDED:
        values.setdefault("completed_at", datetime.now(timezone.utc))
    session.execute(update(AgentExecution).where(AgentExecution.id == execution_id).values(**values))


def claim_for_resume(session: Session, execution_id: uuid.UUID) -> bool:
    """Atomically move a waiting run to RUNNING; False if someone else already resumed it."""
    result = session.execute(
        update(AgentExecution)
        .where(AgentExecution.id == execution_id, AgentExecution.status == ExecutionStatus.WAITING_APPROVAL)
        .values(status=ExecutionStatus.RUNNING)
    )
    return rowcount(result) == 1


def write_metrics(session: Session, execution_id: uuid.UUID) -> None:
    """COMPLETION_TIME, TOOL_CALLS, TOKEN_COST and ERROR_RATE of a finished run (the same
    statement ``record_run`` sends)."""
    session.connection().exec_driver_sql(_INSERT_METRICS, {"run": execution_id})


# What a worker needs to advance a run, read under its lease in one statement: tenant, status,
# initial state, workflow, open approval requests, and whether LangGraph ever checkpointed it.
RUN_FOR_ADVANCE = """
SELECT e.tenant_id, e.status, e.state_snapshot, e.workflow_id, w.name AS workflow_name,
  (SELECT count(*) FROM agent_approval_requests r WHERE r.execution_id = e.id AND r.status = 'PENDING') AS open,
  EXISTS (SELECT 1 FROM checkpoints c WHERE c.thread_id = e.id::text) AS checkpointed
FROM agent_executions e JOIN agent_workflows w ON w.id = e.workflow_id WHERE e.id = %(run)s
"""


_STEP_COLUMNS = ("id", "node_name", "node_type", "input_state", "output_state", "llm_provider", "llm_model",
                 "prompt_tokens", "completion_tokens", "tool_name", "tool_input", "tool_output", "decision_result",
                 "status", "duration_ms", "error_message")

_INSERT_STEP = (
    f"INSERT INTO agent_steps ({', '.join(_STEP_COLUMNS)}, execution_id, sequence_no) "
    f"VALUES ({', '.join(['%s'] * len(_STEP_COLUMNS))}, %s, "
    "(SELECT coalesce(max(sequence_no), 0) + 1 FROM agent_steps WHERE execution_id = %s))"
)

# The trace of this invocation is the run's trace, or one more resumption of it.
_UPDATE_RUN = """
UPDATE agent_executions SET status = %(status)s, state_snapshot = %(state)s, checkpoint_id = %(checkpoint)s,
  current_node = coalesce(%(node)s, current_node), error_details = coalesce(%(error)s, error_details),
  completed_at = CASE WHEN %(final)s THEN now() ELSE completed_at END,
  metadata = CASE
    WHEN %(trace)s::text IS NULL THEN coalesce(metadata, '{}'::jsonb)
    WHEN metadata->>'trace_id' IS NULL THEN coalesce(metadata, '{}'::jsonb) || jsonb_build_object('trace_id', %(trace)s::text)
    WHEN metadata->>'trace_id' = %(trace)s::text THEN metadata
    ELSE metadata || jsonb_build_object('resume_trace_ids',
      coalesce(metadata->'resume_trace_ids', '[]'::jsonb) || to_jsonb(%(trace)s::text)) END
WHERE id = %(run)s
"""

_INSERT_METRICS = """
INSERT INTO agent_metrics (execution_id, tenant_id, metric_name, metric_value, metric_unit)
SELECT e.id, e.tenant_id, m.name, m.value, m.unit
FROM agent_executions e,
  LATERAL (SELECT count(*) AS calls, count(*) FILTER (WHERE t.status IN ('FAILED', 'TIMEOUT')) AS errors
           FROM tool_executions t JOIN agent_steps st ON st.id = t.agent_step_id WHERE st.execution_id = e.id) t,
  LATERAL (SELECT coalesce(sum(prompt_tokens), 0) + coalesce(sum(completion_tokens), 0) AS tokens
           FROM agent_steps WHERE execution_id = e.id) k,
  LATERAL (VALUES
    ('COMPLETION_TIME', floor(extract(epoch FROM (coalesce(e.completed_at, now()) - e.started_at)) * 1000)::numeric, 'ms'),
    ('TOOL_CALLS', t.calls::numeric, 'count'),
    -- Local models cost nothing; an LLM step's tokens are priced by the caller's settings later.
    ('TOKEN_COST', k.tokens::numeric, 'tokens'),
    ('ERROR_RATE', CASE WHEN t.calls > 0 THEN t.errors::numeric / t.calls ELSE 0 END, 'ratio')) AS m(name, value, unit)
WHERE e.id = %(run)s
"""


def record_run(pg: psycopg.Connection[Any], execution_id: uuid.UUID, *, status: str, state: dict[str, Any],
               checkpoint_id: str | None, error: str | None, trace_id: str | None, steps: list[dict[str, Any]],
               channel: str, lease: Lease | None = None) -> None:
    """The run's bookkeeping after an invocation, in one transaction and one network round trip
    (psycopg pipeline): its buffered step rows, status and snapshot, and metrics once it ended;
    then, in the same round trip, the run's ``lease`` is given back.

    Runs on the owner connection that holds the run's lease (autocommit, so the transaction is
    explicit): the worker writes its own run's records, the lease keeps every other writer away.
    """
    from psycopg.types.json import Jsonb

    def value(v: Any) -> Any:
        return Jsonb(v) if isinstance(v, (dict, list)) else v

    final = status in RUN_ENDED
    with pg.pipeline(), pg.cursor() as cur:
        cur.execute("BEGIN")
        if steps:
            cur.executemany(_INSERT_STEP, [
                [value(row.get(c)) for c in _STEP_COLUMNS] + [execution_id, execution_id] for row in steps])
        cur.execute(_UPDATE_RUN, {"status": status, "state": Jsonb(state), "checkpoint": checkpoint_id,
                                  "node": steps[-1]["node_name"] if steps else None, "error": error, "final": final,
                                  "trace": trace_id, "run": execution_id})
        if final:
            cur.execute(_INSERT_METRICS, {"run": execution_id})
        # The run's id to callers waiting on it (``Database.runs_channel``), delivered at commit.
        cur.execute("SELECT pg_notify(%s, %s)", [channel, str(execution_id)])
        cur.execute("COMMIT")
        if lease is not None:
            lease.release_in(cur)
