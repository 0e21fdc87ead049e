"""Runs for both faces: list, trace, recover."""

from __future__ import annotations

import uuid

from core_schema.db import get_database
from core_schema.errors import NotFound
from services.base import engine
from services.runs.schemas import RecoveryOut, RunDetailOut, RunOut


def list_runs(tenant_id: uuid.UUID, limit: int = 50) -> list[RunOut]:
    """The tenant's most recent runs, newest first."""
    from workflows.run_views import list_runs as query

    return [RunOut.model_validate(r) for r in query(get_database(), tenant_id, limit)]


def show_run(tenant_id: uuid.UUID, run_id: uuid.UUID) -> RunDetailOut:
    """One run of the tenant with its steps, tool executions and approvals; ``NotFound`` for a
    run of another clinic (invisible, not forbidden)."""
    from workflows.run_views import show_run as query

    found = query(get_database(), tenant_id, run_id)
    if found is None:
        raise NotFound(f"run {run_id} not found in this clinic")
    return RunDetailOut.model_validate(found)


def recover() -> RecoveryOut:
    """Queue again every run left without a live worker; with no worker alive, execute them here."""
    from workflows.recovery import recover as recover_runs
    from workflows.runtime import get_queue

    report = recover_runs(engine(), get_queue())
    get_queue().drain_if_alone()
    return RecoveryOut.model_validate(report.as_dict())
