"""``dentalagent exam start|show|finish`` (voice-contract.md, "Exam sessions and voice control").

Thin over ``voice.exam.service``; utterances go in with ``dentalagent dictate ... --session ID``.
"""

from __future__ import annotations

import typer

from api.cli.output import JSON, emit, fail
from api.cli.runtime_commands import parse_id
from core_schema import actors as identity
from core_schema.errors import DomainError
from runtime.process import get_engine
from voice.exam import service

exam_app = typer.Typer(help="Hands-free exam sessions: start, show, finish.", no_args_is_help=True)


@exam_app.command("start")
def start(
    patient: str = typer.Option(..., "--patient", help="Patient id."),
    mode: str = typer.Option("charting", "--mode", help="perio or charting."),
    as_email: str = typer.Option(None, "--as", help="Examining clinician (default DENTALAGENT_USER)."),
    as_json: bool = JSON,
) -> None:
    """Open an exam session; prints session_id, mode and the cursor."""
    try:
        emit(service.start(get_engine(), identity.actor(as_email), parse_id(patient, "patient id"), mode, channel="DEVICE"), as_json)
    except DomainError as exc:
        fail(exc.message, as_json)


@exam_app.command("show")
def show(session: str = typer.Argument(..., help="Exam session id."),
         as_email: str = typer.Option(None, "--as", help="Acting user (default DENTALAGENT_USER)."),
         as_json: bool = JSON) -> None:
    """The exam's cursor, pause state and pending perio grid."""
    try:
        emit(service.view(get_engine(), identity.actor(as_email), parse_id(session, "session id")), as_json)
    except DomainError as exc:
        fail(exc.message, as_json)


@exam_app.command("finish")
def finish(session: str = typer.Argument(..., help="Exam session id."),
           as_email: str = typer.Option(None, "--as", help="Examining clinician (default DENTALAGENT_USER)."),
           as_json: bool = JSON) -> None:
    """Close the exam; a perio grid becomes one approval request. Prints session_id, approval_ids, proposals."""
    try:
        emit(service.finish(get_engine(), identity.actor(as_email), parse_id(session, "session id")), as_json)
    except DomainError as exc:
        fail(exc.message, as_json)
