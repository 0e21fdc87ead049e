"""``imaging-review``: ingest -> infer -> map -> compare -> triage -> request_approval ->
await_approval -> apply -> report -> summarize.

One run per radiograph review, on the same runtime as voice-to-chart (checkpoints, steps,
leases, approvals in PostgreSQL queued in Redis). The state carries ids only: the image is
an ``imaging_objects`` row, the model runs are ``ai_inference_jobs`` (created QUEUED by the
service: ``job_id`` for the ACTIVE version, ``shadow_job_ids`` for SHADOW versions, which run
and record predictions but propose nothing), tooth assignment and chart comparison are
written on each ``ai_predictions`` row (``raw_output.assignment`` / ``raw_output.chart``), and
each proposed finding is one PENDING ``chart_imaging_finding`` call with its own tier-3
approval request (one batch per run). When every request is decided, approved findings are
charted (the chart entry names the prediction), every decision becomes an
``ai_review_events`` row, and a RADIOLOGY_REPORT note lists what was confirmed, edited and
rejected.
"""

from __future__ import annotations

import uuid
from typing import Any

from langgraph.graph import END, START, StateGraph

import imaging.chart_tool  # noqa: F401  (registers the imaging tools)
from approvals import decisions as approvals
from approvals.steps import ApprovalState, apply_decisions, await_reviewer
from core_schema.models import AIInferenceJob, AIModelVersion, AIPrediction, ImagingObject
from core_schema.rows import get_row, present
from core_schema.statuses import ExecutionStatus
from core_schema.storage import blobs
from imaging import inference, review
from imaging.compare import compare
from imaging.config import imaging_settings
from imaging.errors import ImagingError
from imaging.registry import spec_of
from imaging.teeth import assign
from memory.writers import after_run
from tools.clinical.chart import current_chart
from tools.executor import Call
from workflows.engine import Engine, NodeContext, WorkflowSpec

TOOL = "chart_imaging_finding"
REPORT_TOOL = "record_radiology_report"


class ImagingState(ApprovalState, total=False):
    imaging_object_id: str
    job_id: str | None
    shadow_job_ids: list[str]
    proposed_count: int
    note_id: str | None


def _uuid(value: Any) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


def _raw(p: AIPrediction) -> Any:
    """A prediction's ``raw_output`` (inference always writes one)."""
    return present(p.raw_output, f"raw_output of prediction {p.id}")


def build(engine: Engine) -> StateGraph:
    graph = StateGraph(ImagingState)

    @engine.node("ingest", "DECISION")
    def ingest_node(state: ImagingState, ctx: NodeContext) -> ImagingState:
        """The ingested image is still there (its rendering is what the models read)."""
        tenant = uuid.UUID(state["tenant_id"])
        with engine.db.tenant_session(tenant) as s:
            obj = s.get(ImagingObject, uuid.UUID(state["imaging_object_id"]))
            if obj is None:
                raise ImagingError("object_not_found", f"imaging object {state['imaging_object_id']} not found")
            display = (obj.processing_pipeline or {}).get("display", {}).get("uri")
        if not display or not blobs.exists(tenant, display):
            raise ImagingError("object_unreadable", f"the stored rendering of imaging object {obj.id} is missing")
        return {}

    @engine.node("infer", "TOOL_CALL")
    def infer(state: ImagingState, ctx: NodeContext) -> ImagingState:
        tenant = uuid.UUID(state["tenant_id"])
        for shadow in state.get("shadow_job_ids") or []:
            try:  # a shadow model failing never stops the review; its job records why
                inference.execute(engine.db, tenant, uuid.UUID(shadow))
            except ImagingError:
                pass
        if state.get("job_id"):
            timing = inference.execute(engine.db, tenant, uuid.UUID(state["job_id"]))
            ctx.record_tool("inference", {"job_id": state["job_id"]}, {k: v for k, v in timing.items() if k != "job_id"})
        return {}

    @engine.node("map", "DECISION")
    def map_node(state: ImagingState, ctx: NodeContext) -> ImagingState:
        """Tooth per finding: named by the model, else the enumerated tooth box it overlaps most."""
        if not state.get("job_id"):
            return {}
        with engine.db.tenant_session(uuid.UUID(state["tenant_id"])) as s:
            preds = inference.predictions_of(s, uuid.UUID(state["job_id"]))
            teeth: dict[str, list[float]] = {}
            for p in preds:
                if p.prediction_type == "tooth" and p.code and _raw(p).get("box"):
                    teeth.setdefault(p.code, _raw(p)["box"])  # the most confident box of each tooth
            for p in preds:
                if p.prediction_type == "tooth":
                    continue
                raw = dict(p.raw_output or {})
                raw["assignment"] = assign(p.prediction_type, raw.get("box"), raw.get("tooth"), raw.get("surfaces"), teeth)
                p.raw_output = raw
        return {}

    @engine.node("compare", "DECISION")
    def compare_node(state: ImagingState, ctx: NodeContext) -> ImagingState:
        if not state.get("job_id"):
            return {}
        tenant, patient = uuid.UUID(state["tenant_id"]), uuid.UUID(state["patient_id"])
        with engine.db.tenant_session(tenant) as s:
            _, chart = current_chart(s, tenant, patient)
            for p in inference.predictions_of(s, uuid.UUID(state["job_id"])):
                if p.prediction_type == "tooth":
                    continue
                raw = dict(_raw(p))
                a = raw["assignment"]
                status, reason = compare(p.prediction_type, a["tooth"], a["surfaces"], chart)
                raw["chart"] = {"status": status, "reason": reason}
                p.raw_output = raw
        return {}

    @engine.node("triage", "DECISION")
    def triage(state: ImagingState, ctx: NodeContext) -> ImagingState:
        """Propose new and conflicting findings at or above their label's threshold (ACTIVE only)."""
        tenant = uuid.UUID(state["tenant_id"])
        proposed = engine.executor.recorded_calls(tenant, f"{state['execution_id']}:f")
        if proposed:  # triaged before its worker died: keep what was proposed
            return {"tool_execution_ids": [str(i) for i in proposed], "proposed_count": len(proposed)}
        if not state.get("job_id"):
            return {"tool_execution_ids": [], "proposed_count": 0}
        calls: list[Call] = []
        with engine.db.tenant_session(tenant) as s:
            job = get_row(s, AIInferenceJob, uuid.UUID(state["job_id"]))
            version = get_row(s, AIModelVersion, job.model_version_id)
            thresholds = spec_of(version).get("thresholds") or {}
            default = imaging_settings().default_threshold
            for p in inference.predictions_of(s, job.id):
                if p.prediction_type == "tooth":
                    continue
                raw = dict(_raw(p))
                a, chart = raw["assignment"], raw["chart"]
                threshold = float(thresholds.get(p.prediction_type, default))
                if chart["status"] == "duplicate":
                    raw["triage"] = "duplicate"
                elif float(p.confidence or 0) < threshold:
                    raw["triage"] = "below_threshold"
                else:
                    raw["triage"] = "proposed"
                    values = raw.get("values")
                    calls.append(Call(
                        tool=TOOL, tenant_id=tenant, user_id=uuid.UUID(state["user_id"]),
                        idempotency_key=f"{state['execution_id']}:f{len(calls)}", step_id=ctx.step_id,
                        api_client_id=_uuid(state.get("api_client_id")),
                        args={"patient_id": state["patient_id"], "encounter_id": state.get("encounter_id"),
                              "prediction_id": str(p.id), "tooth": a["tooth"], "label": p.prediction_type,
                              "surfaces": a["surfaces"], "values": values}))
                raw["threshold"] = threshold
                p.raw_output = raw
        # all or none: a run killed here and resumed must not take a part of its proposal for the whole
        ids = [str(i) for i in engine.executor.record_pending_all(calls)]
        return {"tool_execution_ids": ids, "proposed_count": len(ids)}

    @engine.node("request_approval", "HUMAN_APPROVAL")
    def request_approval(state: ImagingState, ctx: NodeContext) -> ImagingState:
        tenant = uuid.UUID(state["tenant_id"])
        ids = state["tool_execution_ids"]
        described = review.describe_proposals(engine.db, tenant, ids)
        proposals = [approvals.Proposal(uuid.UUID(t), TOOL, summary,
                                        reason="tier-3 radiograph finding proposed by the imaging workflow")
                     for t, (summary, _) in zip(ids, described, strict=True)]
        details = {t: extra for t, (_, extra) in zip(ids, described, strict=True)}
        approval_ids, still_open = approvals.request(engine, state, ctx.step_id, proposals)
        review.annotate_requests(engine.db, tenant, approval_ids, details)
        return {"approval_ids": [str(i) for i in approval_ids], "approvals_open": still_open,
                "awaiting_ids": list(state["tool_execution_ids"])}

    await_approval = engine.node("await_approval", "HUMAN_APPROVAL")(await_reviewer)

    @engine.node("apply", "TOOL_CALL")
    def apply(state: ImagingState, ctx: NodeContext) -> ImagingState:
        tenant = uuid.UUID(state["tenant_id"])
        applied, rejected, failed = apply_decisions(engine, state, ctx)
        review.record_events(engine.db, tenant, state["awaiting_ids"], for_training=state.get("mode") != "imaging-eval")
        if failed:
            approvals.record_apply_failure(engine, tenant, uuid.UUID(state["execution_id"]), failed)
        return {"applied_ids": applied, "rejected_ids": rejected, "failed_ids": failed,
                "final_status": (ExecutionStatus.FAILED if failed else ExecutionStatus.COMPLETED).value}

    @engine.node("report", "TOOL_CALL")
    def report(state: ImagingState, ctx: NodeContext) -> ImagingState:
        """The RADIOLOGY_REPORT note of the reviewer's decisions (written once, even when resumed)."""
        tenant = uuid.UUID(state["tenant_id"])
        content = review.report_text(engine.db, tenant, state)
        outcome = engine.executor.run(Call(
            tool=REPORT_TOOL, tenant_id=tenant, user_id=uuid.UUID(state["user_id"]),
            idempotency_key=f"{state['execution_id']}:report", execution_id=uuid.UUID(state["execution_id"]),
            step_id=ctx.step_id, api_client_id=_uuid(state.get("api_client_id")),
            args={"patient_id": state["patient_id"], "encounter_id": state.get("encounter_id"),
                  "imaging_object_id": state["imaging_object_id"], "content": content}))
        ctx.record_tool(REPORT_TOOL, {"tool_execution_id": str(outcome.tool_execution_id)}, {"status": outcome.status})
        if not outcome.ok:
            approvals.record_apply_failure(engine, tenant, uuid.UUID(state["execution_id"]), [str(outcome.tool_execution_id)])
            return {"final_status": ExecutionStatus.FAILED.value, "failed_ids": [*state.get("failed_ids", []), str(outcome.tool_execution_id)]}
        return {"note_id": (outcome.output or {}).get("note_id")}

    @engine.node("summarize", "DECISION")
    def summarize(state: ImagingState, ctx: NodeContext) -> ImagingState:
        if (state.get("final_status") or ExecutionStatus.COMPLETED) == ExecutionStatus.COMPLETED and state.get("mode") != "imaging-eval":
            ctx.details.update(tool_output={"memory": after_run(engine.db, state)})
        return {"applied_count": len(state.get("applied_ids", [])), "rejected_count": len(state.get("rejected_ids", [])),
                "failed_count": len(state.get("failed_ids", [])), "final_status": state.get("final_status") or ExecutionStatus.COMPLETED.value}

    def after_triage(state: ImagingState) -> str:
        return "request_approval" if state.get("tool_execution_ids") else "summarize"

    for name, fn in (("ingest", ingest_node), ("infer", infer), ("map", map_node), ("compare", compare_node),
                     ("triage", triage), ("request_approval", request_approval), ("await_approval", await_approval),
                     ("apply", apply), ("report", report), ("summarize", summarize)):
        graph.add_node(name, fn)
    graph.add_edge(START, "ingest")
    graph.add_edge("ingest", "infer")
    graph.add_edge("infer", "map")
    graph.add_edge("map", "compare")
    graph.add_edge("compare", "triage")
    graph.add_conditional_edges("triage", engine.route(after_triage), ["request_approval", "summarize"])
    graph.add_edge("request_approval", "await_approval")
    graph.add_edge("await_approval", "apply")
    graph.add_edge("apply", "report")
    graph.add_edge("report", "summarize")
    graph.add_edge("summarize", END)
    return graph


SPEC = WorkflowSpec(
    name="imaging-review",
    description="Radiograph findings proposed per tooth by an image model, confirmed by a reviewer, charted.",
    workflow_type="DIAGNOSTIC",
    build=build,
)
