"""Memories as both faces return them (``memory search|list|forget --json`` and ``/api/v1/memory``)."""

from __future__ import annotations

from core_schema.responses import Out


class MemoryHitOut(Out):
    """One search result: the issue's contract shape, nothing more (ids only, never names)."""

    id: str
    memory_type: str  # FACT (semantic), SUMMARY (episodic), PROCEDURE (procedural)
    scope: str  # GLOBAL (the clinic), CLINICIAN, PATIENT, WORKFLOW
    content: str
    score: float | None


class MemoryOut(MemoryHitOut):
    """One listed memory, with where it belongs, how much it matters and when it lapses."""

    kind: str
    scope_id: str | None
    importance: float
    access_count: int
    created_at: str
    expires_at: str | None
    source_type: str | None
    source_id: str | None


class ForgetOut(Out):
    patient_id: str
    memories_deleted: int
    objects_deleted: int = 0
