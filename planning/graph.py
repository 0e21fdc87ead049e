"""``treatment-plan``: gather -> converse -> propose -> gate -> request_approval -> await_approval -> apply -> summarize.

One run per plan draft, on the same runtime as the other workflows. ``gather`` fixes the evidence
(ids, as reconciliation does); ``converse`` has the supervisor ask each specialist (restorative,
periodontal, endodontic, surgical), each read the evidence (FUNCTION_CALL / FUNCTION_RESULT) and
answer with its proposals, and the supervisor phase the draft: one FUNCTION_CALL of
``add_treatment_plan_item`` per item (CDT code from the catalog, fee from the clinic's schedule,
rationale, cited sources, alternatives), written as one conversation (``planning.conversation``).
``propose`` records exactly those calls as PENDING; the approval tail asks the reviewer, one request
per item, and writes the approved (and edited) ones to ``treatment_plan_items``: nothing else is
written.
"""

from __future__ import annotations

import uuid
from typing import Any

from langgraph.graph import START, StateGraph

from approvals.steps import ApprovalState, add_approval_steps
from core_schema.rows import present
from core_schema.statuses import MessageType
from planning import conversation as talk
from planning.agents import PHASES, SUPERVISOR, Proposal, assess, supervise
from reconciliation import sources
from reconciliation.sources import Evidence
from tools.clinical.common import fee_for, money, resolve_procedure
from tools.context import ToolError
from tools.executor import Call
from workflows.engine import Engine, NodeContext, WorkflowSpec

NAME = "treatment-plan"
TOOL = "add_treatment_plan_item"
READ = "read_patient_evidence"


class PlanState(ApprovalState, total=False):
    snapshot_id: str | None
    prediction_ids: list[str]
    perio_ids: list[str]
    utterance_ids: list[str]
    plan_item_ids: list[str]
    diagnosis_ids: list[str]
    condition_ids: list[str]
    conversation_id: str
    proposed_count: int


def _uuid(value: Any) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


def _counts(ev: Evidence) -> dict[str, Any]:
    return {"snapshot_id": ev.snapshot_id, "charted_teeth": len(ev.chart.get("teeth") or {}),
            "radiograph_findings": len(ev.radiograph), "perio_sites": len(ev.perio), "dictations": len(ev.dictations),
            "plan_items": len(ev.plan), "diagnoses": len(ev.diagnoses)}


def _transcript(s: Any, tenant: uuid.UUID, ev: Evidence, agents: dict[str, uuid.UUID]) -> talk.Transcript:
    """What the agents say, in order (deterministic: the same evidence gives the same conversation)."""
    t = talk.Transcript(agents)
    t.say(SUPERVISOR, MessageType.TEXT, content="Draft a phased treatment plan from the patient's chart, radiograph "
          "findings, perio chart and dictations; each specialist proposes items with the sources they rest on.")
    proposals: list[Proposal] = []
    endo_teeth: set[str] = set()
    for agent in ("endodontic", "surgical", "restorative", "periodontal"):
        t.say(SUPERVISOR, MessageType.TEXT, to=agent, content=f"{agent}: assess and propose.")
        t.say(agent, MessageType.FUNCTION_CALL, function_call={"name": READ, "arguments": {"snapshot_id": ev.snapshot_id}})
        t.say(agent, MessageType.FUNCTION_RESULT, to=agent, function_call={"name": READ, "result": _counts(ev)})
        found = assess(agent, ev, endo_teeth)
        if agent == "endodontic":
            endo_teeth = {p.tooth for p in found if p.tooth}
        proposals += found
        said = "; ".join(f"{p.label.replace('_', ' ')}{' ' + p.tooth if p.tooth else ''}{' ' + ''.join(p.surfaces) if p.surfaces else ''}"
                         f" ({p.rationale})" for p in found) or "nothing to propose"
        t.say(agent, MessageType.TEXT, to=SUPERVISOR, content=said, metadata={"proposals": [p.as_json() for p in found]})
    planned = {(i.cdt_code, i.tooth or "") for i in ev.plan}
    lines: list[str] = []
    n = 0
    for p in supervise(proposals):
        try:
            entry = resolve_procedure(s, tenant, label=p.label, code=None, tooth=p.tooth, surfaces=p.surfaces)
        except ToolError as exc:
            t.say(SUPERVISOR, MessageType.TEXT, content=f"dropped {p.label} {p.tooth or ''}: {exc}", metadata={"dropped": p.as_json()})
            continue
        if (entry.code, p.tooth or "") in planned:
            t.say(SUPERVISOR, MessageType.TEXT, content=f"{entry.code} {p.tooth or ''} is already in the open plan",
                  metadata={"dropped": p.as_json()})
            continue
        fee = money(fee_for(s, tenant, entry.id))
        args = {"label": p.label, "tooth": p.tooth, "surfaces": p.surfaces, "phase": p.phase}
        t.say(SUPERVISOR, MessageType.FUNCTION_CALL, function_call={"name": TOOL, "arguments": args},
              metadata={"item": n, "code": entry.code, "fee": fee, "phase_name": PHASES[p.phase], "proposed_by": p.agent,
                        "rationale": p.rationale, "cites": p.cites, "alternatives": p.alternatives})
        lines.append(f"phase {p.phase} ({PHASES[p.phase]}): {entry.code} {p.label.replace('_', ' ')}"
                     f"{' ' + p.tooth if p.tooth else ''}{' ' + ''.join(p.surfaces) if p.surfaces else ''}, fee {fee or 'not in schedule'}")
        n += 1
    t.say(SUPERVISOR, MessageType.TEXT, content="Plan draft: " + ("; ".join(lines) if lines else "nothing to add")
          + ". Each item goes to the reviewer.")
    return t


def build(engine: Engine) -> StateGraph:
    graph = StateGraph(PlanState)

    @engine.node("gather", "DECISION")
    def gather(state: PlanState, ctx: NodeContext) -> PlanState:
        tenant = uuid.UUID(state["tenant_id"])
        with engine.db.tenant_session(tenant) as s:
            ids = sources.gather(s, tenant, uuid.UUID(present(state.get("patient_id"), "patient_id")))
        return {"snapshot_id": ids["snapshot_id"], "prediction_ids": ids["prediction_ids"], "perio_ids": ids["perio_ids"],
                "utterance_ids": ids["utterance_ids"], "plan_item_ids": ids["plan_item_ids"],
                "diagnosis_ids": ids["diagnosis_ids"], "condition_ids": ids["condition_ids"]}

    @engine.node("converse", "DECISION")
    def converse(state: PlanState, ctx: NodeContext) -> PlanState:
        tenant = uuid.UUID(state["tenant_id"])
        cid = talk.conversation_id(state["execution_id"])
        with engine.db.tenant_session(tenant) as s:
            if not talk.written(s, cid):  # written before its worker died: the same conversation, once
                agents = talk.register_agents(s, tenant)
                transcript = _transcript(s, tenant, sources.load(s, state), agents)
                talk.write(s, conversation=cid, tenant_id=tenant, user_id=uuid.UUID(state["user_id"]),
                           patient_id=uuid.UUID(present(state.get("patient_id"), "patient_id")),
                           encounter_id=_uuid(state.get("encounter_id")), execution_id=state["execution_id"],
                           transcript=transcript)
            count = len(talk.messages(s, cid))
        ctx.record_tool("conversation", {"conversation_id": str(cid)}, {"messages": count})
        return {"conversation_id": str(cid)}

    @engine.node("propose", "DECISION")
    def propose(state: PlanState, ctx: NodeContext) -> PlanState:
        tenant = uuid.UUID(state["tenant_id"])
        prefix = f"{state['execution_id']}:p"
        proposed = engine.executor.recorded_calls(tenant, prefix)
        if proposed:
            return {"tool_execution_ids": [str(i) for i in proposed], "proposed_count": len(proposed)}
        with engine.db.tenant_session(tenant) as s:
            items = [call["arguments"] for call in (m.function_call or {} for m in talk.messages(s, uuid.UUID(state["conversation_id"]))
                                                    if m.message_type == MessageType.FUNCTION_CALL) if call.get("name") == TOOL]
        calls = [Call(tool=TOOL, tenant_id=tenant, user_id=uuid.UUID(state["user_id"]), idempotency_key=f"{prefix}{n}",
                      step_id=ctx.step_id, api_client_id=_uuid(state.get("api_client_id")),
                      args={"patient_id": state["patient_id"], **args})
                 for n, args in enumerate(items)]
        ids = [str(i) for i in engine.executor.record_pending_all(calls)]
        return {"tool_execution_ids": ids, "proposed_count": len(ids)}

    for name, fn in (("gather", gather), ("converse", converse), ("propose", propose)):
        graph.add_node(name, fn)
    graph.add_edge(START, "gather")
    graph.add_edge("gather", "converse")
    graph.add_edge("converse", "propose")
    add_approval_steps(graph, engine, entry_from="propose")
    return graph


SPEC = WorkflowSpec(
    name=NAME,
    description="A phased treatment plan drafted by a supervisor and specialist rules agents (a recorded "
                "conversation); each item approved by a reviewer before it is written.",
    workflow_type="MULTI_AGENT",
    build=build,
)
