"""``reconcile``: thin over ``reconciliation.service``."""

from __future__ import annotations

import sys

import typer

from api.cli.output import JSON, emit
from api.cli.runtime_commands import parse_id
from core_schema import actors as identity
from core_schema.statuses import ExecutionStatus
from reconciliation import service
from runtime.process import get_engine


def reconcile_command(
    patient: str = typer.Option(..., "--patient", help="Patient id."),
    encounter: str = typer.Option(None, "--encounter", help="The visit resolutions belong to (optional)."),
    as_email: str = typer.Option(None, "--as", help="Acting clinician (default DENTALAGENT_USER)."),
    as_json: bool = JSON,
) -> None:
    """Compare a patient's chart, radiographs, perio and dictations; disagreements to the approval queue."""
    result = service.reconcile(get_engine(), identity.actor(as_email), parse_id(patient, "patient id"),
                               encounter_id=parse_id(encounter, "encounter id") if encounter else None)
    emit(result, as_json)
    if result.status == ExecutionStatus.FAILED:
        sys.exit(1)
