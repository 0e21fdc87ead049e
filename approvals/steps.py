"""The shared tail of every proposing workflow: gate -> approve -> apply -> summarize.

State holds the ids of PENDING ``tool_executions`` (``tool_execution_ids``); the arguments
stay in PostgreSQL. Tier-1 calls (no approval needed) run at the gate; the rest go to the
reviewer as one batch and wait in a LangGraph ``interrupt`` until every request is decided.
A call that fails (refused by its tool after approval) ends the run FAILED: its id is in
``failed_ids`` and the tool's reason in the run's ``error_details``, never in the state.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, TypedDict

from langgraph.graph import END, StateGraph
from langgraph.types import interrupt

from approvals import decisions as approvals
from core_schema.statuses import ApprovalStatus, ExecutionStatus
from memory.writers import after_run
from tools.describe import describe
from tools.executor import Call
from tools.registry import REGISTRY
from workflows.engine import Engine, NodeContext


class ApprovalState(TypedDict, total=False):
    """Ids a proposing run carries from gate to summarize (the arguments stay in PostgreSQL)."""

    execution_id: str
    tenant_id: str
    user_id: str
    patient_id: str | None
    encounter_id: str | None
    voice_session_id: str | None
    voice_utterance_id: str | None
    api_client_id: str | None
    mode: str
    step_id: str
    tool_execution_ids: list[str]
    awaiting_ids: list[str]
    approval_ids: list[str]
    approvals_open: int
    applied_ids: list[str]
    rejected_ids: list[str]
    failed_ids: list[str]
    applied_count: int
    rejected_count: int
    failed_count: int
    final_status: str
    habit_memories_by_id: dict[str, list[str]]  # tool execution id -> procedural memories that shaped it
    doubtful_slots_by_id: dict[str, list[str]]  # tool execution id -> slots speech recognition was unsure of


def add_approval_steps(graph: StateGraph, engine: Engine, entry_from: str | None = None) -> None:
    """Add gate, request_approval, await_approval, apply and summarize to ``graph``."""

    @engine.node("gate", "DECISION")
    def gate(state: ApprovalState, ctx: NodeContext) -> ApprovalState:
        tenant = uuid.UUID(state["tenant_id"])
        awaiting: list[str] = []
        done: list[str] = []
        failed: list[str] = []
        for texec_id in state.get("tool_execution_ids", []):
            name, _, _ = engine.executor.load_call(tenant, uuid.UUID(texec_id))
            if REGISTRY.get(name).requires_approval:
                awaiting.append(texec_id)
            else:  # tier 1: read-only, runs at once
                outcome = run_call(engine, state, ctx, texec_id, approval_id=None)
                (done if outcome.ok else failed).append(str(outcome.tool_execution_id))
        out: ApprovalState = {"awaiting_ids": awaiting, "applied_ids": done, "failed_ids": failed}
        if failed:
            approvals.record_apply_failure(engine, tenant, uuid.UUID(state["execution_id"]), failed)
            if not awaiting:
                out["final_status"] = ExecutionStatus.FAILED.value
        return out

    @engine.node("request_approval", "HUMAN_APPROVAL")
    def request_approval(state: ApprovalState, ctx: NodeContext) -> ApprovalState:
        tenant = uuid.UUID(state["tenant_id"])
        proposals = []
        for texec_id in state["awaiting_ids"]:
            name, args, _ = engine.executor.load_call(tenant, uuid.UUID(texec_id))
            tool = REGISTRY.get(name)
            habits = (state.get("habit_memories_by_id") or {}).get(texec_id)
            doubtful = (state.get("doubtful_slots_by_id") or {}).get(texec_id)
            proposals.append(approvals.Proposal(
                uuid.UUID(texec_id), name, describe(name, args),
                reason=f"tier-{tool.risk_tier} change proposed by the {state.get('mode') or 'agent'} workflow"
                + (f"; adjusted by clinician habit memory {', '.join(habits)}" if habits else "")
                + (f"; DOUBTFUL {', '.join(doubtful)}: speech recognition was unsure, check against the recording"
                   if doubtful else ""),
            ))
        ids, still_open = approvals.request(engine, state, ctx.step_id, proposals)
        return {"approval_ids": [str(i) for i in ids], "approvals_open": still_open}

    await_approval = engine.node("await_approval", "HUMAN_APPROVAL")(await_reviewer)

    @engine.node("apply", "TOOL_CALL")
    def apply(state: ApprovalState, ctx: NodeContext) -> ApprovalState:
        tenant = uuid.UUID(state["tenant_id"])
        applied, rejected, failed = apply_decisions(engine, state, ctx)
        applied = [*state.get("applied_ids", []), *applied]  # tier-1 calls the gate ran come first
        failed = [*state.get("failed_ids", []), *failed]
        approvals.announce_applied(engine, tenant, uuid.UUID(state["execution_id"]),
                                   [t for t in applied if t in state["awaiting_ids"]])
        if failed:  # an approved change the tool refused: the run did not do what was approved
            approvals.record_apply_failure(engine, tenant, uuid.UUID(state["execution_id"]), failed)
            final = ExecutionStatus.FAILED.value
        else:
            final = (ExecutionStatus.CANCELLED if rejected and not applied else ExecutionStatus.COMPLETED).value
        return {"applied_ids": applied, "rejected_ids": rejected, "failed_ids": failed, "final_status": final}

    @engine.node("summarize", "DECISION")
    def summarize(state: ApprovalState, ctx: NodeContext) -> ApprovalState:
        if (state.get("final_status") or ExecutionStatus.COMPLETED) == ExecutionStatus.COMPLETED:
            ctx.details.update(tool_output={"memory": after_run(engine.db, state)})
        return {
            "applied_count": len(state.get("applied_ids", [])),
            "rejected_count": len(state.get("rejected_ids", [])),
            "failed_count": len(state.get("failed_ids", [])),
            "final_status": state.get("final_status") or ExecutionStatus.COMPLETED.value,
        }

    def after_gate(state: ApprovalState) -> str:
        return "request_approval" if state.get("awaiting_ids") else "summarize"

    graph.add_node("gate", gate)
    graph.add_node("request_approval", request_approval)
    graph.add_node("await_approval", await_approval)
    graph.add_node("apply", apply)
    graph.add_node("summarize", summarize)
    if entry_from:
        graph.add_edge(entry_from, "gate")
    graph.add_conditional_edges("gate", engine.route(after_gate), ["request_approval", "summarize"])
    graph.add_edge("request_approval", "await_approval")
    graph.add_edge("await_approval", "apply")
    graph.add_edge("apply", "summarize")
    graph.add_edge("summarize", END)


def await_reviewer(state: ApprovalState, ctx: NodeContext) -> ApprovalState:
    """The ``await_approval`` node of every proposing workflow: wait (interrupt) until every request is decided.

    A run re-proposing after a crash may find its requests decided meanwhile: no wait then.
    """
    if state.get("approvals_open", 1):
        interrupt({"approval_ids": state["approval_ids"]})
    return {}


def apply_decisions(engine: Engine, state: Mapping[str, Any], ctx: NodeContext) -> tuple[list[str], list[str], list[str]]:
    """Run every approved call of ``awaiting_ids`` and cancel the rest (an undecided one counts as
    rejected); (applied, rejected, failed) tool execution ids, in the order they were proposed."""
    tenant = uuid.UUID(state["tenant_id"])
    decided = approvals.decisions_of(engine, tenant, state["awaiting_ids"])
    applied: list[str] = []
    rejected: list[str] = []
    failed: list[str] = []
    for texec_id in state["awaiting_ids"]:
        verdict, approval_id = decided.get(texec_id, (ApprovalStatus.REJECTED, None))
        if verdict == ApprovalStatus.APPROVED:
            outcome = run_call(engine, state, ctx, texec_id, approval_id=approval_id)
            (applied if outcome.ok else failed).append(texec_id)
        else:
            engine.executor.cancel(tenant, uuid.UUID(texec_id), "rejected by the reviewer")
            rejected.append(texec_id)
    return applied, rejected, failed


def run_call(engine: Engine, state: Mapping[str, Any], ctx: NodeContext, texec_id: str, approval_id: uuid.UUID | None) -> Any:
    """Execute one recorded PENDING call for the run (exactly once, through its idempotency key)."""
    tenant = uuid.UUID(state["tenant_id"])
    name, args, key = engine.executor.load_call(tenant, uuid.UUID(texec_id))
    outcome = engine.executor.run(Call(
        tool=name, args=args, tenant_id=tenant, user_id=uuid.UUID(state["user_id"]), idempotency_key=key,
        execution_id=uuid.UUID(state["execution_id"]), step_id=ctx.step_id,
        api_client_id=_uuid(state.get("api_client_id")), approval_request_id=approval_id,
        tool_execution_id=uuid.UUID(texec_id), voice_session_id=_uuid(state.get("voice_session_id")),
        voice_utterance_id=_uuid(state.get("voice_utterance_id")),
    ))
    ctx.record_tool(name, {"tool_execution_id": texec_id}, {"status": outcome.status})
    return outcome


def _uuid(value: Any) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None
