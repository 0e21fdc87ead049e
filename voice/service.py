"""Dictation for both faces: interpret text or audio (no database), or dictate into a patient's
chart (records the utterance, runs voice-to-chart, queues the proposals for approval).

Audio is decoded and validated before anything is written, so malformed, silent, over-long
or oversized input is refused with a clear error and leaves no half-made session behind.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from core_schema.db import get_database
from core_schema.directory import Actor, require_patient
from core_schema.errors import InvalidInput
from core_schema.models import AgentApprovalRequest, VoiceUtterance
from core_schema.rows import get_row
from core_schema.settings import get_settings
from voice import sessions as voice_store
from voice.brains import transcriber_for
from voice.exam import controls
from voice.exam import service as exam_service
from voice.graph import SPEC
from voice.interpreter import InterpretContext, Proposal
from voice.interpreter import interpret as run_interpreter
from voice.interpreter.input_guard import clean_dictation_text
from voice.schemas import DictationOut, InterpretOut
from workflows.engine import Engine


def transcriber():
    """A transcriber without a database (the seeded catalog's vocabulary), with the configured limits."""
    from voice.asr import Transcriber

    s = get_settings()
    return Transcriber(model=s.asr_model, device=s.asr_device, max_seconds=s.max_audio_seconds, max_bytes=s.max_audio_bytes)


def tenant_transcriber(tenant_id: uuid.UUID):
    """The transcriber with this clinic's vocabulary (its catalog and tooth notation), as dictation uses it."""
    with get_database().tenant_session(tenant_id) as s:
        return transcriber_for(s, tenant_id)


def interpret(*, text: str | None = None, audio: bytes | None = None, notation: str = "FDI",
              tooth_in_focus: str | None = None) -> InterpretOut:
    """Interpret one utterance into commands; audio is transcribed first (``asr`` tells how).

    Raises ``AudioError`` for unusable audio and ``InvalidInput`` for a bad notation, tooth or text.
    """
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


def dictate(engine: Engine, actor: Actor, patient_id: uuid.UUID, *, text: str | None = None, audio: bytes | None = None,
            audio_format: str = "wav", session_id: uuid.UUID | None = None,
            api_client_id: uuid.UUID | None = None) -> DictationOut:
    """Run one dictation (text or audio) up to the approval queue.

    ``NotFound`` for a patient of another clinic (before anything else), ``InvalidInput`` /
    ``AudioError`` for input refused before anything is written.
    """
    require_patient(actor.tenant_id, patient_id)
    return DictationOut.model_validate(run_dictation(
        engine, actor, patient_id, text=text, audio=audio, audio_format=audio_format, session_id=session_id,
        api_client_id=api_client_id))


@dataclass(frozen=True)
class OpenedDictation:
    """A dictation recorded and ready to run: its session, utterance, visit, recording and the
    run's inputs (ids only)."""

    session_id: uuid.UUID
    utterance_id: uuid.UUID
    encounter_id: uuid.UUID | None
    recording_id: uuid.UUID | None

    @property
    def inputs(self) -> dict[str, Any]:
        return {"voice_utterance_id": str(self.utterance_id),
                "recording_id": str(self.recording_id) if self.recording_id else None, "mode": "voice"}


def open_dictation(engine: Engine, actor: Actor, patient_id: uuid.UUID, *, text: str | None = None,
                   audio: bytes | None = None, audio_format: str = "wav", session_id: uuid.UUID | None = None,
                   channel: str | None = None) -> OpenedDictation:
    """Check the input, then record the utterance (and its audio) in the voice session, ready for a
    voice-to-chart run; ``InvalidInput`` / ``AudioError`` before anything is written."""
    text = None if text is None else clean_dictation_text(text)  # size limit, escape codes: before any write
    if (text is None) == (audio is None):
        raise InvalidInput("give either text or audio")
    if text is not None and not text.strip():
        raise InvalidInput("the dictation text is empty")
    decoded = None
    if audio is not None:
        with engine.db.tenant_session(actor.tenant_id) as s:
            decoded = transcriber_for(s, actor.tenant_id).load(audio)  # raises AudioError: nothing written yet
    with engine.db.tenant_session(actor.tenant_id) as s:
        vs = voice_store.start_or_continue(s, tenant_id=actor.tenant_id, user_id=actor.user_id, patient_id=patient_id,
                                           session_id=session_id,
                                           channel=channel or ("AUDIO_FILE" if audio is not None else "TEXT"))
        utterance = voice_store.add_utterance(s, vs.id, text.strip() if text is not None else None)
        recording = None
        if audio is not None and decoded is not None:
            recording = voice_store.store_recording(
                s, tenant_id=actor.tenant_id, session_id=vs.id, utterance_id=utterance.id, audio=audio,
                fmt=_extension(decoded.source_format, audio_format), duration_s=decoded.duration_s,
                sample_rate=decoded.sample_rate)
        return OpenedDictation(vs.id, utterance.id, vs.encounter_id, recording.id if recording else None)


def run_dictation(engine: Engine, actor: Actor, patient_id: uuid.UUID, *, text: str | None = None, audio: bytes | None = None,
            audio_format: str = "wav", session_id: uuid.UUID | None = None, api_client_id: uuid.UUID | None = None) -> dict[str, Any]:
    """Run one dictation (text or audio) up to the approval queue; returns the contract's fields."""
    t0 = time.perf_counter()
    opened = open_dictation(engine, actor, patient_id, text=text, audio=audio, audio_format=audio_format,
                            session_id=session_id)
    session_id, utterance_id = opened.session_id, opened.utterance_id
    run = engine.start(
        SPEC.name, tenant_id=actor.tenant_id, user_id=actor.user_id, patient_id=patient_id,
        encounter_id=opened.encounter_id, voice_session_id=session_id, api_client_id=api_client_id, inputs=opened.inputs,
    )
    with engine.db.tenant_session(actor.tenant_id) as s:
        u = get_row(s, VoiceUtterance, utterance_id)
        approvals = s.scalars(select(AgentApprovalRequest.id).where(AgentApprovalRequest.execution_id == run.execution_id)
                              .order_by(AgentApprovalRequest.created_at, AgentApprovalRequest.id)).all()
        entities = dict(u.entities or {})
        transcript = u.transcript
        context = voice_store.session_context(s, session_id)
    interpretation = entities.get("interpretation") or {}
    order = {aid: i for i, aid in enumerate(run.state.get("approval_ids", []))}
    out: dict[str, Any] = {
        "run_id": str(run.execution_id), "status": run.status, "session_id": str(session_id),
        "utterance_id": str(utterance_id), "transcript": transcript,
        "kind": interpretation.get("kind"), "proposals": [_in_contract_order(p) for p in interpretation.get("proposals", [])],
        "clarify": interpretation.get("clarify"), "problems": entities.get("problems", []),
        "approval_ids": sorted((str(a) for a in approvals), key=lambda a: order.get(a, len(order))),
        "context": context, "latency_ms": round((time.perf_counter() - t0) * 1000, 1),
    }
    if "asr" in entities:
        out["asr"] = entities["asr"]
    if interpretation.get("kind") == "control" and interpretation.get("control"):
        out["control"] = controls.carry_out(engine, actor, session_id, interpretation["control"])
        out["approval_ids"] = [a for a in out["approval_ids"] if a not in out["control"].get("approved", [])]
    exam = exam_service.state_of(engine, actor.tenant_id, session_id)
    if exam is not None:
        out["exam"] = {**exam_service.summary(exam), **({"heard": entities["exam"]} if entities.get("exam") else {})}
        out["context"] = {**{k: v for k, v in (out["context"] or {}).items() if k != "exam"}, **exam.context()}
    if run.error:
        out["error"] = run.error
    return out


def _extension(demuxer: str, fallback: str) -> str:
    """A file extension for a demuxer name ("matroska,webm" -> "webm")."""
    names = demuxer.split(",")
    for ext in ("webm", "ogg", "mp3", "flac", "wav"):
        if ext in names:
            return ext
    return fallback


def _in_contract_order(proposal: dict[str, Any]) -> dict[str, Any]:
    """JSONB sorts keys; give them back in the contract's order (extra keys last)."""
    return {**{k: proposal[k] for k in Proposal.model_fields if k in proposal}, **proposal}
