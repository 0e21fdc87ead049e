"""Voice sessions, utterances and recordings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core_schema.models.base import Base

__all__ = ["VoiceSession", "VoiceUtterance", "VoiceRecording"]


class VoiceSession(Base):
    """High-level container for a voice interaction session (agent + user)."""

    __tablename__ = "voice_sessions"
    __table_args__ = (
        Index("idx_voice_sessions_tenant_time", "tenant_id", "started_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patients.id"))
    encounter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("encounters.id"))
    channel: Mapped[str]
    input_locale: Mapped[str | None]
    output_locale: Mapped[str | None]
    asr_language: Mapped[str | None]
    tts_voice_id: Mapped[str | None]
    started_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    ended_at: Mapped[datetime | None]
    meta: Mapped[Any | None] = mapped_column(JSONB, nullable=True)


class VoiceUtterance(Base):
    """Individual utterance in a voice session, with transcript and intent."""

    __tablename__ = "voice_utterances"
    __table_args__ = (
        Index("idx_voice_utterances_session_seq", "session_id", "sequence_no", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("voice_sessions.id"))
    sequence_no: Mapped[int]
    speaker: Mapped[str]
    transcript: Mapped[str | None]
    transcript_locale: Mapped[str | None]
    normalized_transcript: Mapped[str | None]
    is_final: Mapped[bool] = mapped_column(server_default=text("true"))
    intent: Mapped[str | None]
    entities: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class VoiceRecording(Base):
    """Optional persisted audio blobs for voice utterances/sessions."""

    __tablename__ = "voice_recordings"
    __table_args__ = (
        Index("idx_voice_recordings_tenant_session", "tenant_id", "session_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("voice_sessions.id"))
    utterance_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("voice_utterances.id"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    audio_uri: Mapped[str]
    format: Mapped[str]
    duration_ms: Mapped[int | None]
    sample_rate_hz: Mapped[int | None]
    is_redacted: Mapped[bool] = mapped_column(server_default=text("false"))
    storage_class: Mapped[str] = mapped_column(server_default="HOT")
    retention_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
