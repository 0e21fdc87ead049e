"""``plan``: treatment-plan drafts, thin over ``planning.service``."""

from __future__ import annotations

import sys

import typer

from api.cli.output import JSON, emit
from api.cli.runtime_commands import parse_id
from core_schema import actors as identity
from core_schema.statuses import ExecutionStatus
from planning import service
from runtime.process import get_engine

plan_app = typer.Typer(help="Treatment plans drafted by a conversation of agents.", no_args_is_help=True)


@plan_app.command("draft")
def draft_command(
    patient: str = typer.Option(..., "--patient", help="Patient id."),
    as_email: str = typer.Option(None, "--as", help="Acting clinician (default DENTALAGENT_USER)."),
    as_json: bool = JSON,
) -> None:
    """Draft a phased plan (supervisor and specialist agents); each item to the approval queue."""
    result = service.draft(get_engine(), identity.actor(as_email), parse_id(patient, "patient id"))
    emit(result, as_json)
    if result.status == ExecutionStatus.FAILED:
        sys.exit(1)
