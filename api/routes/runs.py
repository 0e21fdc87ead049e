"""Runs and one run's trace (``runs list``, ``runs show``)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query

from api.auth.deps import current_principal
from api.auth.principal import Principal
from api.schemas import ErrorOut, RunDetailOut, RunOut
from runtime import runs as service

router = APIRouter(tags=["runs"])


@router.get("/runs", response_model=list[RunOut])
def runs(limit: int = Query(50, ge=1, le=500), p: Principal = Depends(current_principal)) -> list[RunOut]:
    """The caller's tenant's recent runs, newest first."""
    p.require("runs:read")
    return service.list_runs(p.tenant_id, limit)


@router.get("/runs/{run_id}", response_model=RunDetailOut, responses={404: {"model": ErrorOut}})
def run(run_id: uuid.UUID, p: Principal = Depends(current_principal)) -> RunDetailOut:
    """One run with its steps, tool executions and approvals."""
    p.require("runs:read")
    return service.show_run(p.tenant_id, run_id)
