"""Reviewer and engineer commands: runs, approvals, actions, undo, chart (voice-contract.md)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import typer
from sqlalchemy import select

from api.cli.output import emit, fail
from api.cli.platform_commands import JSON, current_tenant
from core_schema.directory import Actor, find_actor
from core_schema.models import AgentApprovalRequest
from core_schema.seed.demo import SYSTEM_USER_ID
from tools.executor import Call

runs = typer.Typer(help="Workflow runs.", no_args_is_help=True)
approvals_app = typer.Typer(help="The approval queue.", no_args_is_help=True)
actions = typer.Typer(help="Undoable actions.", no_args_is_help=True)
chart = typer.Typer(help="Dental charts.", no_args_is_help=True)
AS = typer.Option(..., "--as", help="Email of the acting user.")


def engine():  # type: ignore[no-untyped-def]
    from workflows.runtime import get_engine

    return get_engine()


def actor(email: str) -> Actor:
    with engine().db.system_session() as s:
        return find_actor(s, email)


def parse_id(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValueError(f"{what} must be a UUID, got {value!r}") from None


# -- runs ------------------------------------------------------------------------------------

@runs.command("list")
def runs_list(tenant: str = typer.Option(None, "--tenant"),
              limit: int = typer.Option(50, "--limit", min=1, max=500, help="How many runs (1-500)."),
              as_json: bool = JSON) -> None:
    """Recent runs of the current tenant."""
    from workflows.run_views import list_runs

    emit(list_runs(engine().db, current_tenant(tenant), limit), as_json)


@runs.command("show")
def runs_show(run_id: str, tenant: str = typer.Option(None, "--tenant"), as_json: bool = JSON) -> None:
    """One run: status, steps, tool executions, approvals."""
    from workflows.run_views import show_run

    rid = parse_id(run_id, "run id")
    run = show_run(engine().db, current_tenant(tenant), rid)
    if run is None:
        fail(f"run {run_id} not found in this clinic", as_json)
    emit(run, as_json)


# -- approvals -------------------------------------------------------------------------------

@approvals_app.command("list")
def approvals_list(as_email: str = typer.Option(None, "--as"), tenant: str = typer.Option(None, "--tenant"),
                   as_json: bool = JSON) -> None:
    """Pending requests: the user's queue with --as, else all of the tenant's."""
    from workflows.approvals import pending_for, serialize

    if as_email:
        emit(pending_for(engine(), actor(as_email)), as_json)
        return
    with engine().db.tenant_session(current_tenant(tenant)) as s:
        rows = s.scalars(select(AgentApprovalRequest).where(AgentApprovalRequest.status == "PENDING")
                         .order_by(AgentApprovalRequest.created_at)).all()
        emit([serialize(r) for r in rows], as_json)


def _decide(ids: list[str], email: str, verdict: str, comment: str | None, edits: dict[str, Any] | None, as_json: bool) -> None:
    """Decide a batch all or nothing; exit 1 (naming the change) when an approved change then failed."""
    from workflows.approvals import ApprovalError, decide_batch, failure_summary

    try:
        parsed = [parse_id(value, "approval id") for value in ids]  # every id before anything is decided
    except ValueError as exc:
        fail(f"{exc}; nothing was decided", as_json)
    who = actor(email)
    try:
        decisions = decide_batch(engine(), parsed, who, verdict, comment=comment, edits=edits)
    except ApprovalError as exc:
        fail(str(exc), as_json)
    results = [d.as_dict() for d in decisions]
    message = failure_summary(decisions, verdict)
    if message:
        if as_json:
            typer.echo(json.dumps({"error": message, "decisions": results}, indent=2))
        else:
            typer.echo(f"error: {message}", err=True)
        raise typer.Exit(1)
    emit(results[0] if len(results) == 1 else results, as_json)


@approvals_app.command("approve")
def approve(ids: list[str], as_email: str = AS, comment: str = typer.Option(None), as_json: bool = JSON) -> None:
    """Approve one or more requests (a batch of one run resumes it once)."""
    _decide(ids, as_email, "approve", comment, None, as_json)


@approvals_app.command("reject")
def reject(ids: list[str], as_email: str = AS, comment: str = typer.Option(None), as_json: bool = JSON) -> None:
    """Reject one or more requests; nothing is written."""
    _decide(ids, as_email, "reject", comment, None, as_json)


@approvals_app.command("edit")
def edit(approval_id: str, as_email: str = AS, set_: list[str] = typer.Option(..., "--set", help="key=value (JSON values allowed)"),
         comment: str = typer.Option(None), as_json: bool = JSON) -> None:
    """Correct the proposed action, then approve it (kept as a training example)."""
    edits: dict[str, Any] = {}
    for item in set_:
        if "=" not in item:
            fail(f"--set expects key=value, got {item!r}", as_json)
        k, v = item.split("=", 1)
        try:
            edits[k] = json.loads(v)
        except json.JSONDecodeError:
            edits[k] = v
    _decide([approval_id], as_email, "edit", comment, edits, as_json)


@approvals_app.command("rebuild-queue")
def rebuild_queue(as_json: bool = JSON) -> None:
    """Restore every Redis approval queue from the pending rows in PostgreSQL."""
    from workflows.runtime import restore_queues

    emit({"queued": restore_queues()}, as_json)


@approvals_app.command("sweep")
def sweep(as_json: bool = JSON) -> None:
    """Time out overdue requests and escalate them (the worker does this continuously)."""
    from workflows.approvals import sweep_timeouts

    emit({"timed_out": [str(i) for i in sweep_timeouts(engine())]}, as_json)


# -- actions, undo, chart ------------------------------------------------------------------

@actions.command("list")
def actions_list(as_email: str = AS, as_json: bool = JSON) -> None:
    """Actions the user can still undo."""
    from workflows.undo import undoable

    emit(undoable(engine(), actor(as_email)), as_json)


def undo_command(action_id: str, as_email: str = AS, reason: str = typer.Option(None), as_json: bool = JSON) -> None:
    """Undo an action within its 5-minute window."""
    from workflows.undo import UndoError, undo

    try:
        emit(undo(engine(), parse_id(action_id, "action id"), actor(as_email), reason), as_json)
    except UndoError as exc:
        fail(str(exc), as_json)


@chart.command("show")
def chart_show(patient: str = typer.Option(..., "--patient"), as_email: str = typer.Option(None, "--as"),
               tenant: str = typer.Option(None, "--tenant"), as_json: bool = JSON) -> None:
    """The patient's current chart, teeth keyed by FDI number."""
    who = actor(as_email) if as_email else None
    outcome = engine().executor.run(Call(
        tool="get_dental_chart", args={"patient_id": str(parse_id(patient, "patient id"))},
        tenant_id=who.tenant_id if who else current_tenant(tenant), user_id=who.user_id if who else SYSTEM_USER_ID,
        idempotency_key=f"read:{uuid.uuid4()}",
    ))
    if not outcome.ok:
        fail(outcome.error or outcome.status, as_json)
    emit(outcome.output, as_json)


def worker(
    concurrency: int = typer.Option(2, min=1, max=32, help="Runs executed at once by this worker."),
    interval_s: float = typer.Option(5.0, min=0.5, max=3600, help="Seconds between maintenance ticks."),
) -> None:
    """Execute queued runs; time out approvals, clean up undo rows and recover runs on a timer."""
    from workflows import worker as worker_process
    from workflows.runtime import get_queue, restore_queues

    typer.echo(f"queues restored: {restore_queues()} pending requests")
    worker_process.run(engine(), get_queue(), concurrency=concurrency, interval_s=interval_s)


@runs.command("recover")
def runs_recover(as_json: bool = JSON) -> None:
    """Queue again every run left without a live worker (workers do this on their own); with no
    worker alive, execute them here."""
    from workflows.recovery import recover
    from workflows.runtime import get_queue

    report = recover(engine(), get_queue())
    get_queue().drain_if_alone()
    emit(report.as_dict(), as_json)
