"""``reconciliation``: gather -> compare -> gate -> request_approval -> await_approval -> apply -> summarize.

One run per patient, on the same runtime as voice-to-chart and imaging review (checkpoints,
steps, leases, approvals in PostgreSQL queued in Redis). ``gather`` fixes the evidence: the ids
of the chart snapshot, radiograph predictions, perio measurements, dictations, plan items and
diagnoses it will compare (ids only in the state); ``compare`` reads exactly those rows, runs
the rules (``reconciliation.rules``) and records each disagreement as one PENDING
``resolve_source_disagreement`` call (its finding and sources are the call's arguments, in
PostgreSQL), all or none. The shared approval tail asks the reviewer, one request per finding,
and applies each approved resolution exactly once.
"""

from __future__ import annotations

import uuid
from typing import Any

from langgraph.graph import START, StateGraph

import reconciliation.resolve_tool  # noqa: F401  (registers the tool)
from approvals.steps import ApprovalState, add_approval_steps
from core_schema.rows import present
from reconciliation import sources
from reconciliation.resolve_tool import TOOL
from reconciliation.rules import reconcile
from tools.executor import Call
from tools.registry import REGISTRY
from workflows.engine import Engine, NodeContext, WorkflowSpec

NAME = "reconciliation"
EVIDENCE_KEYS = ("prediction_ids", "perio_ids", "utterance_ids", "plan_item_ids", "diagnosis_ids", "condition_ids")


class ReconcileState(ApprovalState, total=False):
    snapshot_id: str | None
    prediction_ids: list[str]
    perio_ids: list[str]
    utterance_ids: list[str]
    plan_item_ids: list[str]
    diagnosis_ids: list[str]
    condition_ids: list[str]
    proposed_count: int


def _uuid(value: Any) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


def _list(state: ReconcileState, key: str) -> list[str]:
    value = state.get(key)
    return value if isinstance(value, list) else []


def build(engine: Engine) -> StateGraph:
    graph = StateGraph(ReconcileState)

    @engine.node("gather", "DECISION")
    def gather(state: ReconcileState, ctx: NodeContext) -> ReconcileState:
        tenant = uuid.UUID(state["tenant_id"])
        patient = uuid.UUID(present(state.get("patient_id"), "patient_id"))
        with engine.db.tenant_session(tenant) as s:
            ids = sources.gather(s, tenant, patient)
        ctx.record_tool("gather", {"patient_id": str(patient)},
                        {k: len(v) for k, v in ids.items() if isinstance(v, list)} | {"snapshot_id": ids["snapshot_id"]})
        return {"snapshot_id": ids["snapshot_id"], "prediction_ids": ids["prediction_ids"], "perio_ids": ids["perio_ids"],
                "utterance_ids": ids["utterance_ids"], "plan_item_ids": ids["plan_item_ids"],
                "diagnosis_ids": ids["diagnosis_ids"], "condition_ids": ids["condition_ids"]}

    @engine.node("compare", "DECISION")
    def compare(state: ReconcileState, ctx: NodeContext) -> ReconcileState:
        tenant = uuid.UUID(state["tenant_id"])
        prefix = f"{state['execution_id']}:r"
        proposed = engine.executor.recorded_calls(tenant, prefix)
        if proposed:  # compared before its worker died: keep what was proposed
            return {"tool_execution_ids": [str(i) for i in proposed], "proposed_count": len(proposed)}
        with engine.db.tenant_session(tenant) as s:
            evidence = sources.load(s, state)
            decided = sources.decided_fingerprints(s, tenant, uuid.UUID(present(state.get("patient_id"), "patient_id")),
                                                   REGISTRY.get(TOOL).id)
        found = reconcile(evidence, decided)
        calls = [Call(
            tool=TOOL, tenant_id=tenant, user_id=uuid.UUID(state["user_id"]), idempotency_key=f"{prefix}{n}",
            step_id=ctx.step_id, api_client_id=_uuid(state.get("api_client_id")),
            args={"patient_id": state["patient_id"], "encounter_id": d.encounter_id or state.get("encounter_id"),
                  "kind": d.kind.value, "finding": d.finding, "sources": [x.as_json() for x in d.sources],
                  "resolution": d.resolution.value, "tooth": d.tooth, "label": d.label, "surfaces": d.surfaces,
                  "prediction_id": d.prediction_id})
            for n, d in enumerate(found)]
        ids = [str(i) for i in engine.executor.record_pending_all(calls)]  # all or none
        ctx.record_tool("rules", {"evidence": {k: len(_list(state, k)) for k in EVIDENCE_KEYS}},
                        {"kinds": [d.kind.value for d in found], "tool_execution_ids": ids})
        return {"tool_execution_ids": ids, "proposed_count": len(ids)}

    graph.add_node("gather", gather)
    graph.add_node("compare", compare)
    graph.add_edge(START, "gather")
    graph.add_edge("gather", "compare")
    add_approval_steps(graph, engine, entry_from="compare")
    return graph


SPEC = WorkflowSpec(
    name=NAME,
    description="A patient's chart, radiograph findings, perio chart, dictations and plan compared; each "
                "disagreement, with its sources, resolved by a reviewer.",
    workflow_type="DIAGNOSTIC",
    build=build,
)
