"""``interpret``, ``transcribe`` and ``dictate`` (voice-contract.md, "Command line")."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from api.cli.output import emit, fail
from api.cli.platform_commands import JSON
from api.cli.runtime_commands import actor, engine, parse_id
from core_schema.settings import get_settings


def _transcriber():  # type: ignore[no-untyped-def]
    """A transcriber without a database: the seeded catalog's vocabulary."""
    from agents.asr import Transcriber

    s = get_settings()
    return Transcriber(model=s.asr_model, device=s.asr_device, max_seconds=s.max_audio_seconds, max_bytes=s.max_audio_bytes)


def _read(path: str, as_json: bool) -> bytes:
    p = Path(path)
    if not p.is_file():
        fail(f"no such audio file: {path}", as_json)
    if p.stat().st_size > get_settings().max_audio_bytes:
        fail(f"{path} is {p.stat().st_size} bytes; the limit is {get_settings().max_audio_bytes} bytes", as_json)
    return p.read_bytes()


def interpret_command(
    text: str = typer.Option(None, "--text", help="The utterance."),
    jsonl: Path = typer.Option(None, "--jsonl", help="A JSONL file of {id, text, notation?, context?}."),
    audio: str = typer.Option(None, "--audio", help="Transcribe this audio file first."),
    notation: str = typer.Option("FDI", "--notation", help="FDI or UNIVERSAL."),
    tooth_in_focus: str = typer.Option(None, "--tooth-in-focus", help="FDI tooth in focus (session context)."),
    as_json: bool = JSON,
) -> None:
    """Interpret an utterance into commands (no database needed)."""
    from agents.asr import AudioError
    from agents.interpreter import InterpretContext, interpret, interpret_jsonl

    if sum(x is not None for x in (text, jsonl, audio)) != 1:
        fail("give exactly one of --text, --jsonl or --audio", as_json)
    if jsonl is not None:
        if not jsonl.is_file():
            fail(f"no such file: {jsonl}", as_json)
        with jsonl.open() as fh:
            for line in interpret_jsonl(fh):
                typer.echo(line)
        return
    try:
        context = InterpretContext(tooth=tooth_in_focus, perio_mode=False) if tooth_in_focus else None
        asr = None
        if audio is not None:
            try:
                result = _transcriber().transcribe(_read(audio, as_json))
            except AudioError as exc:
                fail(str(exc), as_json)
            text = result.text
            asr = {"latency_ms": round(result.latency_ms, 1), "asr_ms": round(result.asr_ms, 1),
                   "duration_s": round(result.duration_s, 3), "model": result.model}
        out = interpret(text, notation, context).model_dump()
    except ValueError as exc:
        fail(f"invalid input: {exc}", as_json)
    if asr is not None:
        out["asr"] = asr
    emit(out, as_json)


def transcribe_command(files: list[str], as_json: bool = JSON) -> None:
    """Transcribe audio files with the local Whisper model."""
    from agents.asr import AudioError

    transcriber = _transcriber()
    failed = False
    for path in files:
        try:
            r = transcriber.transcribe(_read(path, as_json))
            row = {"file": path, "text": r.text, "duration_s": round(r.duration_s, 3),
                   "latency_ms": round(r.latency_ms, 1), "model": r.model}
        except AudioError as exc:
            row, failed = {"file": path, "error": str(exc)}, True
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
    session: str = typer.Option(None, "--session", help="Continue this voice session (keeps the tooth in focus)."),
    as_json: bool = JSON,
) -> None:
    """Run voice-to-chart up to the approval queue."""
    from agents.asr import AudioError
    from workflows.dictation import dictate
    from workflows.voice_store import VoiceInputError

    if (file is None) == (text is None):
        fail("give an audio FILE or --text, not both", as_json)
    who = actor(as_email or get_settings().user)
    try:
        result = dictate(
            engine(), who, parse_id(patient, "patient id"), text=text,
            audio=_read(file, as_json) if file else None, audio_format=Path(file).suffix.lstrip(".") if file else "wav",
            session_id=parse_id(session, "session id") if session else None,
        )
    except (AudioError, VoiceInputError) as exc:
        fail(str(exc), as_json)
    except ValueError as exc:
        fail(f"invalid input: {exc}", as_json)
    emit(result, as_json)
    if result["status"] == "FAILED":
        sys.exit(1)
