"""``reconcile`` and ``fhir``: thin over ``reconciliation.service`` and ``interop.service``."""

from __future__ import annotations

import json
import sys

import typer

from api.cli.output import JSON, emit
from api.cli.runtime_commands import parse_id
from core_schema import actors as identity
from core_schema.statuses import ExecutionStatus
from interop.service import export_patient
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


def fhir_command(
    patient: str = typer.Option(..., "--patient", help="Patient id."),
    as_email: str = typer.Option(None, "--as", help="Acting user (default DENTALAGENT_USER)."),
) -> None:
    """Print a patient's record as a validated FHIR R4 (R4B) Bundle (and store its resources)."""
    who = identity.actor(as_email)
    typer.echo(json.dumps(export_patient(who.tenant_id, parse_id(patient, "patient id")), indent=2))
