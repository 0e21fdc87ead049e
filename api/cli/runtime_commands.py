"""Reviewer and engineer commands: runs, approvals, actions, undo, chart (voice-contract.md).

Thin over the slices' services: parse the options, call the service, print its schema.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import typer

from api.cli.output import JSON, emit, fail
from approvals import service as approvals_service
from core_schema import actors as identity
from core_schema.errors import DomainError, InvalidInput
from core_schema.statuses import ExecutionStatus
from patients import service as patients_service
from runtime import runs as runs_service
from runtime import worker as worker_service
from runtime.process import get_engine
from undo import service as actions_service
from voice import review
from workflows.run_views import RunFilter

runs = typer.Typer(help="Workflow runs.", no_args_is_help=True)
approvals_app = typer.Typer(help="The approval queue.", no_args_is_help=True)
actions = typer.Typer(help="Undoable actions.", no_args_is_help=True)
chart = typer.Typer(help="Dental charts.", no_args_is_help=True)
AS = typer.Option(..., "--as", help="Email of the acting user.")


def parse_id(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInput(f"{what} must be a UUID, got {value!r}") from None


# -- runs ------------------------------------------------------------------------------------

@runs.command("list")
def runs_list(tenant: str = typer.Option(None, "--tenant"),
              limit: int = typer.Option(50, "--limit", min=1, max=500, help="How many runs (1-500)."),
              offset: int = typer.Option(0, "--offset", min=0, help="Skip this many (paging, newest first)."),
              patient: str = typer.Option(None, "--patient", help="Only this patient's runs (id)."),
              status: ExecutionStatus = typer.Option(None, "--status", help="Only runs in this status."),
              as_json: bool = JSON) -> None:
    """Runs of the current tenant, newest first (the web app's filter: also by user and date)."""
    where = RunFilter(patient_id=parse_id(patient, "--patient") if patient else None, status=status, offset=offset)
    emit(runs_service.list_runs(identity.tenant(tenant), limit, where), as_json)


@runs.command("show")
def runs_show(run_id: str, tenant: str = typer.Option(None, "--tenant"), as_json: bool = JSON) -> None:
    """One run: status, steps, tool executions, approvals."""
    emit(runs_service.show_run(identity.tenant(tenant), parse_id(run_id, "run id")), as_json)


@runs.command("recover")
def runs_recover(as_json: bool = JSON) -> None:
    """Queue again every run left without a live worker (workers do this on their own); with no
    worker alive, execute them here."""
    emit(runs_service.recover(), as_json)


# -- approvals -------------------------------------------------------------------------------

@approvals_app.command("list")
def approvals_list(as_email: str = typer.Option(None, "--as"), tenant: str = typer.Option(None, "--tenant"),
                   as_json: bool = JSON) -> None:
    """Pending requests: the user's queue with --as, else all of the tenant's."""
    engine = get_engine()
    if as_email:
        actor = identity.actor(as_email)
        emit(review.with_context(engine, actor.tenant_id, approvals_service.pending(engine, actor)), as_json)
    else:
        tenant_id = identity.tenant(tenant)
        emit(review.with_context(engine, tenant_id, approvals_service.pending_in_tenant(engine, tenant_id)), as_json)


def _decide(ids: list[str], email: str, verdict: str, comment: str | None, edits: dict[str, Any] | None, as_json: bool) -> None:
    """Decide a batch all or nothing; exit 1 (naming the change) when an approved change then failed."""
    try:
        parsed = [parse_id(value, "approval id") for value in ids]  # every id before anything is decided
    except DomainError as exc:
        fail(f"{exc.message}; nothing was decided", as_json)
    report = approvals_service.decide(get_engine(), parsed, identity.actor(email), verdict, comment=comment, edits=edits)  # type: ignore[arg-type]  # verdict is one of the Verdict literals (typer's choice)
    if report.failure:
        fail(report.failure, as_json, code=1, decisions=report.decisions)
    emit(report.decisions[0] if len(report.decisions) == 1 else report.decisions, as_json)


@approvals_app.command("approve")
def approve(ids: list[str], as_email: str = AS, comment: str = typer.Option(None), as_json: bool = JSON) -> None:
    """Approve one or more requests (a batch of one run resumes it once)."""
    _decide(ids, as_email, "approve", comment, None, as_json)


@approvals_app.command("reject")
def reject(ids: list[str], as_email: str = AS, comment: str = typer.Option(None),
           reason: str = typer.Option(None, "--reason", help="Reason code (imaging findings: e.g. false_positive)."),
           as_json: bool = JSON) -> None:
    """Reject one or more requests; nothing is written. The reason code leads the comment."""
    if reason:
        comment = f"{reason}: {comment}" if comment else reason
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


@approvals_app.command("respond")
def respond(approval_id: str, as_email: str = AS, message: str = typer.Option(..., "--message", help="The question or correction."),
            as_json: bool = JSON) -> None:
    """Ask the clinician who dictated a pending request a question; it stays pending."""
    emit(approvals_service.respond(get_engine(), parse_id(approval_id, "approval id"), identity.actor(as_email), message), as_json)


@approvals_app.command("answer")
def answer(approval_id: str, as_email: str = AS, message: str = typer.Option(..., "--message", help="The answer."),
           as_json: bool = JSON) -> None:
    """Answer the questions on a pending request you dictated."""
    emit(approvals_service.answer(get_engine(), parse_id(approval_id, "approval id"), identity.actor(as_email), message), as_json)


@approvals_app.command("snooze")
def snooze(approval_id: str, as_email: str = AS,
           until: str = typer.Option(..., "--until", help="ISO 8601 time with its zone, or a duration: 30m, 2h, 1d."),
           as_json: bool = JSON) -> None:
    """Hide a request from your own inbox until a time; it stays pending for everyone else."""
    emit(approvals_service.snooze(get_engine(), parse_id(approval_id, "approval id"), identity.actor(as_email), until), as_json)


@approvals_app.command("wake")
def wake(approval_id: str, as_email: str = AS, as_json: bool = JSON) -> None:
    """Bring a request you snoozed back to your inbox now."""
    emit(approvals_service.wake(get_engine(), parse_id(approval_id, "approval id"), identity.actor(as_email)), as_json)


@approvals_app.command("snoozed")
def snoozed(as_email: str = AS, as_json: bool = JSON) -> None:
    """The requests you snoozed, soonest back first."""
    engine = get_engine()
    actor = identity.actor(as_email)
    emit(review.with_context(engine, actor.tenant_id, approvals_service.snoozed(engine, actor)), as_json)


@approvals_app.command("rebuild-queue")
def rebuild_queue(as_json: bool = JSON) -> None:
    """Restore every Redis approval queue from the pending rows in PostgreSQL."""
    emit(approvals_service.rebuild_queues(get_engine()), as_json)


@approvals_app.command("sweep")
def sweep(as_json: bool = JSON) -> None:
    """Time out overdue requests and escalate them (the worker does this continuously)."""
    emit(approvals_service.sweep(get_engine()), as_json)


# -- actions, undo, chart ------------------------------------------------------------------

@actions.command("list")
def actions_list(as_email: str = AS, as_json: bool = JSON) -> None:
    """Actions the user can still undo."""
    emit(actions_service.undoable(get_engine(), identity.actor(as_email)), as_json)


def undo_command(action_id: str, as_email: str = AS, reason: str = typer.Option(None), as_json: bool = JSON) -> None:
    """Undo an action within its 5-minute window."""
    emit(actions_service.undo(get_engine(), parse_id(action_id, "action id"), identity.actor(as_email), reason), as_json)


@chart.command("show")
def chart_show(patient: str = typer.Option(..., "--patient"), as_email: str = typer.Option(None, "--as"),
               tenant: str = typer.Option(None, "--tenant"), as_json: bool = JSON) -> None:
    """The patient's current chart, teeth keyed by FDI number."""
    who = identity.actor(as_email) if as_email else None
    emit(patients_service.chart(get_engine(), who.tenant_id if who else identity.tenant(tenant), parse_id(patient, "patient id"),
                                user_id=who.user_id if who else None), as_json)


def worker(
    concurrency: int = typer.Option(2, min=1, max=32, help="Runs executed at once by this worker."),
    interval_s: float = typer.Option(5.0, min=0.5, max=3600, help="Seconds between maintenance ticks."),
    once: bool = typer.Option(False, "--once", help="Run one maintenance tick, print what it did, and exit."),
    as_json: bool = JSON,
) -> None:
    """Execute queued runs; time out approvals, clean up undo rows and recover runs on a timer."""
    if once:
        emit(worker_service.tick(), as_json)
        return
    typer.echo(f"queues restored: {approvals_service.rebuild_queues(get_engine()).queued} pending requests")
    worker_service.run(concurrency, interval_s)
