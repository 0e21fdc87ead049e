"""Runs and one run's trace (``runs list``, ``runs show``)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Query

from api.auth.deps import current_principal
from api.auth.principal import Principal
from api.schemas import ErrorOut, RunDetailOut, RunOut
from core_schema.db import get_database
from core_schema.errors import DomainError
from workflows.run_views import list_runs, show_run

router = APIRouter(tags=["runs"])


@router.get("/runs", response_model=list[RunOut])
def runs(limit: int = Query(50, ge=1, le=500), p: Principal = Depends(current_principal)) -> list[dict[str, Any]]:
    """The caller's tenant's recent runs, newest first."""
    p.require("runs:read")
    return list_runs(get_database(), p.tenant_id, limit)


@router.get("/runs/{run_id}", response_model=RunDetailOut, responses={404: {"model": ErrorOut}})
def run(run_id: uuid.UUID, p: Principal = Depends(current_principal)) -> dict[str, Any]:
    """One run with its steps, tool executions and approvals."""
    p.require("runs:read")
    found = show_run(get_database(), p.tenant_id, run_id)
    if found is None:
        raise DomainError("not_found", f"run {run_id} not found in this clinic", 404)
    return found
