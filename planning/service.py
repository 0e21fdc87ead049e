"""Start a treatment-plan draft for a patient and show it (both faces call these)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from core_schema.directory import Actor, require_visit
from core_schema.errors import NotFound
from core_schema.models import AgentApprovalRequest, AgentExecution, ToolExecution
from core_schema.statuses import MessageType
from planning import conversation as talk
from planning.graph import NAME, TOOL
from planning.schemas import MessageOut, PlanDraftOut, PlanItemOut
from workflows.engine import Engine


def draft(engine: Engine, actor: Actor, patient_id: uuid.UUID, encounter_id: uuid.UUID | None = None,
          api_client_id: uuid.UUID | None = None) -> PlanDraftOut:
    """Run the planning conversation up to the reviewer; ``NotFound`` for a patient of another clinic or a visit not the patient's."""
    require_visit(actor.tenant_id, patient_id, encounter_id)
    run = engine.start(NAME, tenant_id=actor.tenant_id, user_id=actor.user_id, patient_id=patient_id,
                       encounter_id=encounter_id, api_client_id=api_client_id, inputs={"mode": NAME})
    out = view(engine, actor.tenant_id, run.execution_id)
    if run.error:
        out.error = run.error
    return out


def view(engine: Engine, tenant_id: uuid.UUID, run_id: uuid.UUID) -> PlanDraftOut:
    """The draft: each proposed item (code, fee, phase, rationale, sources, its approval and state) and the conversation."""
    with engine.db.tenant_session(tenant_id) as s:
        run = s.get(AgentExecution, run_id)
        if run is None or run.tenant_id != tenant_id or run.workflow_id != engine.workflow_ids[NAME]:
            raise NotFound(f"treatment-plan run {run_id} not found in this clinic")
        cid = talk.conversation_id(str(run_id))
        said = talk.messages(s, cid)
        drafted = [m for m in said if m.message_type == MessageType.FUNCTION_CALL and (m.function_call or {}).get("name") == TOOL]
        calls = s.scalars(select(ToolExecution).where(
            ToolExecution.tenant_id == tenant_id,
            ToolExecution.input_params["idempotency_key"].astext.startswith(f"{run_id}:p", autoescape=True))).all()
        calls = sorted(calls, key=lambda c: int(c.input_params["idempotency_key"].rsplit(":p", 1)[1]))
        approvals = {r.tool_execution_id: r for r in s.scalars(select(AgentApprovalRequest).where(
            AgentApprovalRequest.execution_id == run_id))}
        items = []
        for c, m in zip(calls, drafted, strict=False):
            args, meta = c.input_params["arguments"], m.metadata_ or {}
            req = approvals.get(c.id)
            items.append(PlanItemOut(
                tool_execution_id=str(c.id), approval_id=str(req.id) if req else None,
                approval_status=req.status if req else None, label=args.get("label") or "",
                code=(c.output_result or {}).get("code") or meta.get("code"), tooth=args.get("tooth"),
                surfaces=list(args.get("surfaces") or []), phase=args.get("phase"), phase_name=meta.get("phase_name"),
                fee=(c.output_result or {}).get("estimated_fee") or meta.get("fee"), proposed_by=meta.get("proposed_by"),
                rationale=meta.get("rationale"), cites=list(meta.get("cites") or []),
                alternatives=list(meta.get("alternatives") or []), status=c.status))
        messages = [MessageOut(sequence_no=m.sequence_no, agent=(m.metadata_ or {}).get("agent", ""), to=(m.metadata_ or {}).get("to"),
                               message_type=m.message_type, content=m.content, function_call=m.function_call) for m in said]
        return PlanDraftOut(run_id=str(run_id), status=run.status, patient_id=str(run.patient_id),
                            conversation_id=str(cid) if said else None,
                            approval_ids=[i.approval_id for i in items if i.approval_id], items=items, messages=messages)
