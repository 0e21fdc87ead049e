"""Runs are registered, traced with ids only, and their trace id is kept on the execution."""

from __future__ import annotations

import uuid

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import select

from approvals.decisions import decide
from core_schema.models import AgentExecution, AgentWorkflow
from core_schema.seed.demo import DEMO_TENANT_ID
from tests.workflows.conftest import chart_call, propose_chart
from workflows import tracing


def test_workflow_registered_with_nodes_and_edges(engine) -> None:
    with engine.db.system_session() as s:
        wf = s.scalars(select(AgentWorkflow).where(AgentWorkflow.name == "chart-change")).one()
    assert wf.entry_node == "gate" and wf.exit_nodes == ["summarize"]
    assert set(wf.graph_definition["nodes"]) == {"gate", "request_approval", "await_approval", "apply", "summarize"}
    assert {"source": "gate", "target": "request_approval", "conditional": True} in wf.graph_definition["edges"]


def test_spans_for_run_node_and_tool_carry_ids_not_patient_data(engine, actor) -> None:
    exporter = InMemorySpanExporter()
    tracing.configure("none", extra=exporter)
    run = propose_chart(engine, chart_call("23", "caries", ["L"]))
    decide(engine, uuid.UUID(run.state["approval_ids"][0]), actor(), "approve")
    spans = exporter.get_finished_spans()
    names = {s.name for s in spans}
    assert {"workflow.run", "workflow.node", "tool.call"} <= names
    tool_span = next(s for s in spans if s.name == "tool.call" and s.attributes["tool"] == "update_dental_chart")
    assert tool_span.attributes["status"] == "SUCCEEDED" and tool_span.attributes["tenant_id"] == str(DEMO_TENANT_ID)
    for span in spans:
        for value in span.attributes.values():
            assert "Molar" not in str(value) and "Ada" not in str(value)  # the demo patient's name
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        trace_id = s.get(AgentExecution, run.execution_id).metadata_["trace_id"]
    assert trace_id in {format(s.context.trace_id, "032x") for s in spans if s.name == "workflow.run"}
