"""Start a reconciliation run for a patient and show it (both faces call these)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from core_schema.directory import Actor, require_visit
from core_schema.errors import NotFound
from core_schema.models import AgentApprovalRequest, AgentExecution, ToolExecution
from reconciliation.graph import NAME
from reconciliation.schemas import FindingOut, ReconcileOut, SourceOut
from workflows.engine import Engine


def reconcile(engine: Engine, actor: Actor, patient_id: uuid.UUID, encounter_id: uuid.UUID | None = None,
              api_client_id: uuid.UUID | None = None) -> ReconcileOut:
    """Run reconciliation up to the reviewer; ``NotFound`` for a patient of another clinic or a visit not the patient's."""
    require_visit(actor.tenant_id, patient_id, encounter_id)
    run = engine.start(NAME, tenant_id=actor.tenant_id, user_id=actor.user_id, patient_id=patient_id,
                       encounter_id=encounter_id, api_client_id=api_client_id, inputs={"mode": NAME})
    out = view(engine, actor.tenant_id, run.execution_id)
    if run.error:
        out.error = run.error
    return out


def view(engine: Engine, tenant_id: uuid.UUID, run_id: uuid.UUID) -> ReconcileOut:
    """The run's findings (in the order proposed), each with its approval and the state of its call."""
    with engine.db.tenant_session(tenant_id) as s:
        run = s.get(AgentExecution, run_id)
        if run is None or run.tenant_id != tenant_id or run.workflow_id != engine.workflow_ids[NAME]:
            raise NotFound(f"reconciliation run {run_id} not found in this clinic")
        calls = s.scalars(select(ToolExecution).where(
            ToolExecution.tenant_id == tenant_id,
            ToolExecution.input_params["idempotency_key"].astext.startswith(f"{run_id}:r", autoescape=True))).all()
        calls = sorted(calls, key=lambda c: int(c.input_params["idempotency_key"].rsplit(":r", 1)[1]))
        approvals = {r.tool_execution_id: r for r in s.scalars(select(AgentApprovalRequest).where(
            AgentApprovalRequest.execution_id == run_id))}
        findings = []
        for c in calls:
            args = c.input_params["arguments"]
            req = approvals.get(c.id)
            findings.append(FindingOut(
                tool_execution_id=str(c.id), approval_id=str(req.id) if req else None,
                approval_status=req.status if req else None, kind=args["kind"],
                finding=args["finding"], resolution=args["resolution"], tooth=args.get("tooth"),
                sources=[SourceOut.model_validate(x) for x in args["sources"]], status=c.status))
        return ReconcileOut(run_id=str(run_id), status=run.status, patient_id=str(run.patient_id),
                            approval_ids=[f.approval_id for f in findings if f.approval_id], findings=findings)
