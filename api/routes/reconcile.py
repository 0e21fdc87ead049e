"""Reconciliation of a patient's sources and treatment-plan drafts (``reconcile --json``, ``plan draft --json``):
thin over ``reconciliation`` and ``planning``.

Each finding is an approval request; deciding uses the approvals routes like any other.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Body, Depends
from starlette.concurrency import run_in_threadpool

from api.auth.deps import current_principal
from api.auth.principal import Principal
from api.schemas import ErrorOut
from planning import service as planning
from planning.schemas import PlanDraftOut
from reconciliation import service
from reconciliation.schemas import ReconcileOut
from runtime.process import get_engine

router = APIRouter(tags=["reconciliation"], responses={404: {"model": ErrorOut}})


@router.post("/patients/{patient_id}/reconcile", response_model=ReconcileOut)
async def reconcile(patient_id: uuid.UUID, encounter_id: uuid.UUID | None = Body(default=None, embed=True),
                    p: Principal = Depends(current_principal)) -> ReconcileOut:
    """Compare the patient's chart, radiograph findings, perio, dictations and plan; each disagreement,
    with its sources, goes to the approval queue."""
    p.require("chart:read")
    return await run_in_threadpool(lambda: service.reconcile(get_engine(), p.actor, patient_id, encounter_id=encounter_id,
                                                             api_client_id=p.api_client_id))


@router.get("/reconciliations/{run_id}", response_model=ReconcileOut)
def show(run_id: uuid.UUID, p: Principal = Depends(current_principal)) -> ReconcileOut:
    """A reconciliation run: its findings, each with its sources, approval and state."""
    p.require("chart:read")
    return service.view(get_engine(), p.tenant_id, run_id)


@router.post("/patients/{patient_id}/plan-drafts", response_model=PlanDraftOut)
async def plan_draft(patient_id: uuid.UUID, encounter_id: uuid.UUID | None = Body(default=None, embed=True),
                     p: Principal = Depends(current_principal)) -> PlanDraftOut:
    """Draft a phased treatment plan (a conversation of a supervisor and specialist agents); each item,
    with its CDT code, fee, rationale and sources, goes to the approval queue."""
    p.require("chart:read")
    return await run_in_threadpool(lambda: planning.draft(get_engine(), p.actor, patient_id, encounter_id=encounter_id,
                                                          api_client_id=p.api_client_id))


@router.get("/plan-drafts/{run_id}", response_model=PlanDraftOut)
def plan_draft_show(run_id: uuid.UUID, p: Principal = Depends(current_principal)) -> PlanDraftOut:
    """A plan draft: its items (each with its approval and state) and the agents' conversation."""
    p.require("chart:read")
    return planning.view(get_engine(), p.tenant_id, run_id)
