"""Dictation for both faces: interpret text or audio (no database), or dictate into a patient's
chart (records the utterance, runs voice-to-chart, queues the proposals for approval)."""

from __future__ import annotations

import uuid

from core_schema.directory import Actor
from core_schema.errors import InvalidInput
from core_schema.settings import get_settings
from services.base import engine
from services.dictation.schemas import DictationOut, InterpretOut
from services.patients.service import require_patient


def transcriber():
    """A transcriber without a database (the seeded catalog's vocabulary), with the configured limits."""
    from agents.asr import Transcriber

    s = get_settings()
    return Transcriber(model=s.asr_model, device=s.asr_device, max_seconds=s.max_audio_seconds, max_bytes=s.max_audio_bytes)


def tenant_transcriber(tenant_id: uuid.UUID):
    """The transcriber with this clinic's vocabulary (its catalog and tooth notation), as dictation uses it."""
    from core_schema.db import get_database
    from workflows.voice import transcriber_for

    with get_database().tenant_session(tenant_id) as s:
        return transcriber_for(s, tenant_id)


def interpret(*, text: str | None = None, audio: bytes | None = None, notation: str = "FDI",
              tooth_in_focus: str | None = None) -> InterpretOut:
    """Interpret one utterance into commands; audio is transcribed first (``asr`` tells how).

    Raises ``AudioError`` for unusable audio and ``InvalidInput`` for a bad notation, tooth or text.
    """
    from agents.interpreter import InterpretContext
    from agents.interpreter import interpret as run_interpreter

    if (text is None) == (audio is None):
        raise InvalidInput("give either text or audio")
    asr = None
    if audio is not None:
        result = transcriber().transcribe(audio)
        text = result.text
        asr = {"latency_ms": round(result.latency_ms, 1), "asr_ms": round(result.asr_ms, 1),
               "duration_s": round(result.duration_s, 3), "model": result.model}
    try:
        context = InterpretContext(tooth=tooth_in_focus, perio_mode=False) if tooth_in_focus else None
        out = run_interpreter(text or "", notation, context)
    except InvalidInput:
        raise
    except ValueError as exc:  # an unknown notation, a context tooth that is not FDI
        raise InvalidInput(str(exc)) from None
    return InterpretOut.model_validate({**out.model_dump(), **({"asr": asr} if asr is not None else {})})


def dictate(actor: Actor, patient_id: uuid.UUID, *, text: str | None = None, audio: bytes | None = None,
            audio_format: str = "wav", session_id: uuid.UUID | None = None,
            api_client_id: uuid.UUID | None = None) -> DictationOut:
    """Run one dictation (text or audio) up to the approval queue.

    ``NotFound`` for a patient of another clinic (before anything else), ``InvalidInput`` /
    ``AudioError`` for input refused before anything is written.
    """
    from workflows.dictation import dictate as run_dictation

    require_patient(actor.tenant_id, patient_id)
    return DictationOut.model_validate(run_dictation(
        engine(), actor, patient_id, text=text, audio=audio, audio_format=audio_format, session_id=session_id,
        api_client_id=api_client_id))
