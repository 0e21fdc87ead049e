"""Runs and one run's trace (``runs list``, ``runs show``)."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Depends, Query

from api.auth.deps import current_principal
from api.auth.principal import Principal
from api.schemas import ErrorOut, RunDetailOut, RunOut
from core_schema.statuses import ExecutionStatus
from runtime import runs as service
from workflows.run_views import RunFilter

router = APIRouter(tags=["runs"])


@router.get("/runs", response_model=list[RunOut])
def runs(limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0),
         patient_id: uuid.UUID | None = None, user_id: uuid.UUID | None = None, status: ExecutionStatus | None = None,
         since: datetime | None = Query(None, description="started at or after"),
         until: datetime | None = Query(None, description="started before"),
         p: Principal = Depends(current_principal)) -> list[RunOut]:
    """The caller's tenant's runs, newest first: by patient, by who started them, by status, by
    start time; ``offset`` pages through them."""
    p.require("runs:read")
    where = RunFilter(patient_id=patient_id, user_id=user_id, status=status, since=since, until=until, offset=offset)
    return service.list_runs(p.tenant_id, limit, where)


@router.get("/runs/{run_id}", response_model=RunDetailOut, responses={404: {"model": ErrorOut}})
def run(run_id: uuid.UUID, p: Principal = Depends(current_principal)) -> RunDetailOut:
    """One run with its steps, tool executions and approvals."""
    p.require("runs:read")
    return service.show_run(p.tenant_id, run_id)
