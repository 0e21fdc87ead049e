"""``interpret``, ``transcribe`` and ``dictate`` (voice-contract.md, "Command line").

Thin over ``voice``. Input refused before anything runs (``InvalidInput``) prints
as ``invalid input: ...``; other refusals (unusable audio, unknown patient) print as they are.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

import typer

from api.cli.output import JSON, emit, fail
from api.cli.runtime_commands import parse_id
from core_schema import actors as identity
from core_schema.errors import DomainError, InvalidInput
from core_schema.settings import get_settings
from core_schema.statuses import ExecutionStatus
from runtime.process import get_engine
from voice import service as dictation


def _read(path: str, as_json: bool) -> bytes:
    p = Path(path)
    if not p.is_file():
        fail(f"no such audio file: {path}", as_json)
    if p.stat().st_size > get_settings().max_audio_bytes:
        fail(f"{path} is {p.stat().st_size} bytes; the limit is {get_settings().max_audio_bytes} bytes", as_json)
    return p.read_bytes()


def _refused(exc: DomainError, as_json: bool) -> NoReturn:
    fail(f"invalid input: {exc.message}" if isinstance(exc, InvalidInput) else exc.message, as_json)


def interpret_command(
    text: str = typer.Option(None, "--text", help="The utterance."),
    jsonl: Path = typer.Option(None, "--jsonl", help="A JSONL file of {id, text, notation?, context?}."),
    audio: str = typer.Option(None, "--audio", help="Transcribe this audio file first."),
    notation: str = typer.Option("FDI", "--notation", help="FDI or UNIVERSAL."),
    tooth_in_focus: str = typer.Option(None, "--tooth-in-focus", help="FDI tooth in focus (session context)."),
    as_json: bool = JSON,
) -> None:
    """Interpret an utterance into commands (no database needed)."""
    from voice.interpreter import interpret_jsonl

    if sum(x is not None for x in (text, jsonl, audio)) != 1:
        fail("give exactly one of --text, --jsonl or --audio", as_json)
    if jsonl is not None:
        if not jsonl.is_file():
            fail(f"no such file: {jsonl}", as_json)
        with jsonl.open() as fh:
            for line in interpret_jsonl(fh):
                typer.echo(line)
        return
    recording = _read(audio, as_json) if audio is not None else None
    try:
        out = dictation.interpret(text=text, audio=recording, notation=notation, tooth_in_focus=tooth_in_focus)
    except DomainError as exc:
        _refused(exc, as_json)
    emit(out, as_json)


def transcribe_command(files: list[str], as_json: bool = JSON) -> None:
    """Transcribe audio files with the local Whisper model."""
    transcriber = dictation.transcriber()
    failed = False
    for path in files:
        try:
            r = transcriber.transcribe(_read(path, as_json))
            row = {"file": path, "text": r.text, "duration_s": round(r.duration_s, 3),
                   "latency_ms": round(r.latency_ms, 1), "model": r.model}
        except DomainError as exc:  # unusable audio: reported per file, the others still run
            row, failed = {"file": path, "error": exc.message}, True
        if as_json:
            typer.echo(json.dumps(row))
        else:
            typer.echo(f"{path}: {row.get('text', 'error: ' + str(row.get('error')))}")
    if failed:
        sys.exit(2)


def dictate_command(
    file: str = typer.Argument(None, help="Audio file (WAV, FLAC, OGG/Opus, MP3, WebM)."),
    text: str = typer.Option(None, "--text", help="Dictated text (skips speech recognition)."),
    patient: str = typer.Option(..., "--patient", help="Patient id."),
    as_email: str = typer.Option(None, "--as", help="Acting clinician (default DENTALAGENT_USER)."),
    session: str = typer.Option(None, "--session", help="Continue this voice session or exam (keeps the tooth in focus)."),
    as_json: bool = JSON,
) -> None:
    """Run voice-to-chart up to the approval queue."""
    if (file is None) == (text is None):
        fail("give an audio FILE or --text, not both", as_json)
    who = identity.actor(as_email)
    try:
        result = dictation.dictate(get_engine(),
            who, parse_id(patient, "patient id"), text=text,
            audio=_read(file, as_json) if file else None, audio_format=Path(file).suffix.lstrip(".") if file else "wav",
            session_id=parse_id(session, "session id") if session else None,
        )
    except DomainError as exc:
        _refused(exc, as_json)
    emit(result, as_json)
    if result.status == ExecutionStatus.FAILED:
        sys.exit(1)
