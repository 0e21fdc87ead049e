"""Voice records: sessions (with their charting context), utterances and recordings.

Recordings are stored in the object store (``core_schema.storage``) under a tenant-prefixed key
named by their SHA-256, so the same audio is stored once, its integrity can be checked against
its name, and a worker on another host reads it back through the store.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core_schema.encounters import open_encounter
from core_schema.errors import DomainError
from core_schema.models import Patient, VoiceRecording, VoiceSession, VoiceUtterance
from core_schema.storage import blobs
from voice.exam.state import ExamMode, exam_of, save


class VoiceInputError(DomainError, ValueError):
    """A dictation that cannot be taken (unknown patient, session of another patient...)."""

    def __init__(self, message: str, code: str = "not_found") -> None:
        super().__init__(code, message)


def start_or_continue(s: Session, *, tenant_id: uuid.UUID, user_id: uuid.UUID, patient_id: uuid.UUID,
                      session_id: uuid.UUID | None, channel: str) -> VoiceSession:
    """The voice session to dictate into: the given one (same patient) or a new one."""
    if s.get(Patient, patient_id) is None:
        raise VoiceInputError(f"patient {patient_id} not found in this clinic")
    if session_id is not None:
        vs = s.get(VoiceSession, session_id)
        if vs is None or vs.patient_id != patient_id:
            raise VoiceInputError(f"voice session {session_id} not found for this patient")
        return vs
    encounter = open_encounter(s, tenant_id, patient_id)  # dictation attaches to the patient's open visit
    vs = VoiceSession(tenant_id=tenant_id, user_id=user_id, patient_id=patient_id,
                      encounter_id=encounter.id if encounter else None, channel=channel, input_locale="en-US",
                      asr_language="en", meta={"perio_mode": False, "tooth_in_focus": None})
    s.add(vs)
    s.flush()
    return vs


def add_utterance(s: Session, session_id: uuid.UUID, transcript: str | None) -> VoiceUtterance:
    """Append the next utterance of the session.

    The session row is locked first (held to commit), so dictations into one session from
    several processes take turns and never compute the same ``max + 1`` sequence number.
    """
    if s.scalar(select(VoiceSession.id).where(VoiceSession.id == session_id).with_for_update()) is None:
        raise VoiceInputError(f"voice session {session_id} not found")
    seq = s.scalar(select(func.coalesce(func.max(VoiceUtterance.sequence_no), 0)).where(VoiceUtterance.session_id == session_id))
    u = VoiceUtterance(session_id=session_id, sequence_no=int(seq or 0) + 1, speaker="CLINICIAN", transcript=transcript,
                       transcript_locale="en-US", is_final=transcript is not None)
    s.add(u)
    s.flush()
    return u


def store_recording(s: Session, *, tenant_id: uuid.UUID, session_id: uuid.UUID, utterance_id: uuid.UUID,
                    audio: bytes, fmt: str, duration_s: float, sample_rate: int) -> VoiceRecording:
    """Store the audio (content-addressed, before its row commits) and its row, which keeps the key."""
    key = blobs.put(tenant_id, "recordings", audio, fmt)
    rec = VoiceRecording(session_id=session_id, utterance_id=utterance_id, tenant_id=tenant_id, audio_uri=key,
                         format=fmt, duration_ms=int(duration_s * 1000), sample_rate_hz=sample_rate, is_redacted=False)
    s.add(rec)
    s.flush()
    return rec


def session_context(s: Session, session_id: uuid.UUID) -> dict[str, Any]:
    vs = s.get(VoiceSession, session_id)
    return dict((vs.meta or {}) if vs else {})


def update_context(s: Session, session_id: uuid.UUID, focus: dict[str, Any]) -> None:
    """Keep what the last dictation put in focus; in an exam the cursor follows a tooth named in charting
    mode, and in perio mode the cursor alone says where the exam is."""
    vs = s.get(VoiceSession, session_id)
    if vs is None or not focus:
        return
    exam = exam_of(vs)
    if exam is not None:
        if exam.mode == ExamMode.PERIO:
            focus = {k: v for k, v in focus.items() if k not in ("tooth_in_focus", "perio_mode")}
        elif named := focus.get("tooth_in_focus") or (focus.get("last_item") or {}).get("tooth"):
            cursor = exam.cursor
            cursor.go(str(named))
            exam.moved(cursor)
            save(vs, exam)
        focus = {k: v for k, v in focus.items() if k != "perio_mode"}
    vs.meta = {**(vs.meta or {}), **{k: v for k, v in focus.items() if v is not None}}


def keep_question(s: Session, session_id: uuid.UUID, question: dict[str, Any] | None) -> None:
    """The question the last utterance asked (``None``: nothing is waiting for an answer)."""
    vs = s.get(VoiceSession, session_id)
    if vs is not None and (vs.meta or {}).get("clarify") != question:
        vs.meta = {**(vs.meta or {}), "clarify": question}
