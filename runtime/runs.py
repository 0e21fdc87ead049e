"""Runs for both faces: list, trace, recover."""

from __future__ import annotations

import uuid

from approvals import threads
from core_schema.db import get_database
from core_schema.errors import NotFound
from runtime.process import get_engine, get_queue
from runtime.runs_schemas import RecoveryOut, RunDetailOut, RunOut
from voice.review import run_transcript
from workflows import run_views
from workflows.recovery import recover as recover_runs


def list_runs(tenant_id: uuid.UUID, limit: int = 50, where: run_views.RunFilter | None = None) -> list[RunOut]:
    """The tenant's runs matching ``where`` (all when None), newest first."""
    return [RunOut.model_validate(r) for r in run_views.list_runs(get_database(), tenant_id, limit, where)]


def show_run(tenant_id: uuid.UUID, run_id: uuid.UUID) -> RunDetailOut:
    """One run of the tenant with its steps, tool executions, approvals (with the reviewers' edits)
    and what was said (read from the utterance rows now); ``NotFound`` for a run of another
    clinic (invisible, not forbidden)."""

    found = run_views.show_run(get_database(), tenant_id, run_id)
    if found is None:
        raise NotFound(f"run {run_id} not found in this clinic")
    engine = get_engine()
    with engine.db.tenant_session(tenant_id) as s:  # the questions asked on its approvals (the inbox's respond)
        asked = threads.messages_of(s, [a["id"] for a in found["approvals"]])
    approvals = [{**a, "messages": asked.get(a["id"], [])} for a in found["approvals"]]
    return RunDetailOut.model_validate({**found, "approvals": approvals, "transcript": run_transcript(engine, tenant_id, run_id)})


def recover() -> RecoveryOut:
    """Queue again every run left without a live worker; with no worker alive, execute them here."""
    report = recover_runs(get_engine(), get_queue())
    get_queue().drain_if_alone()
    return RecoveryOut.model_validate(report.as_dict())
