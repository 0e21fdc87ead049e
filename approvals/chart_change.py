"""``chart-change``: proposed tool calls -> gate -> approve -> apply -> summarize.

The smallest proposing workflow: engineers and the API hand it calls to make (already
validated by the caller); it is also the tail that voice-to-chart reuses.
"""

from __future__ import annotations

import uuid
from typing import Any

from langgraph.graph import START, StateGraph

from approvals.steps import ApprovalState, add_approval_steps
from tools.executor import Call
from workflows.engine import Engine, RunResult, WorkflowSpec


def build(engine: Engine) -> StateGraph:
    graph = StateGraph(ApprovalState)
    add_approval_steps(graph, engine)
    graph.add_edge(START, "gate")
    return graph


SPEC = WorkflowSpec(
    name="chart-change",
    description="Apply proposed clinical tool calls after the reviewer's approval.",
    workflow_type="TREATMENT_PLANNING",
    build=build,
)


def propose(engine: Engine, *, tenant_id: uuid.UUID, user_id: uuid.UUID, calls: list[tuple[str, dict[str, Any]]],
            patient_id: uuid.UUID | None = None, encounter_id: uuid.UUID | None = None,
            api_client_id: uuid.UUID | None = None, voice_session_id: uuid.UUID | None = None) -> RunResult:
    """Record each call as a PENDING tool execution, then run the workflow over their ids."""
    execution_id = uuid.uuid4()
    ids = [
        engine.executor.record_pending(Call(
            tool=name, args=args, tenant_id=tenant_id, user_id=user_id, api_client_id=api_client_id,
            idempotency_key=f"{execution_id}:{i}", voice_session_id=voice_session_id,
        ))
        for i, (name, args) in enumerate(calls)
    ]
    return engine.start(
        SPEC.name, tenant_id=tenant_id, user_id=user_id, patient_id=patient_id, encounter_id=encounter_id,
        api_client_id=api_client_id, execution_id=execution_id, voice_session_id=voice_session_id,
        inputs={"tool_execution_ids": [str(i) for i in ids], "mode": "chart-change"},
    )
