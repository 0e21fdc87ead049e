"""Agent memory (``memory search``, ``memory list``, ``memory forget``): thin over ``memory``."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Depends, Query

from api.auth.deps import current_principal
from api.auth.principal import Principal
from api.schemas import ErrorOut
from memory import service
from memory.schemas import ForgetOut, MemoryHitOut, MemoryOut

router = APIRouter(tags=["memory"])

Kind = Literal["semantic", "episodic", "procedural"]
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL: 422 at the door
PATIENT = Query(None, description="Only this patient's memories (404 unless a patient of this clinic).")
CLINICIAN = Query(None, max_length=320, pattern=NO_NUL, description="Only this clinician's memories (email).")
KINDS = Query(None, description="semantic, episodic or procedural (repeatable).")


@router.get("/memory/search", response_model=list[MemoryHitOut], responses={404: {"model": ErrorOut}})
def search(q: str = Query("", max_length=1000, pattern=NO_NUL, description="What to recall (empty: nothing is found)."),
           patient_id: uuid.UUID | None = PATIENT, clinician: str | None = CLINICIAN, kind: list[Kind] | None = KINDS,
           mode: Literal["hybrid", "fts", "vector"] = "hybrid", limit: int = Query(10, ge=1, le=200),
           p: Principal = Depends(current_principal)) -> list[MemoryHitOut]:
    """Memories ranked for ``q`` (full text + vectors), best first: ``[{id, memory_type, scope, content, score}]``."""
    p.require("patients:read")
    return service.search(p.tenant_id, q, patient=patient_id, clinician_email=clinician, kinds=kind, mode=mode,
                          limit=limit, blank_finds_nothing=True)


@router.get("/memory", response_model=list[MemoryOut], responses={404: {"model": ErrorOut}})
def memories(patient_id: uuid.UUID | None = PATIENT, clinician: str | None = CLINICIAN, kind: list[Kind] | None = KINDS,
             limit: int = Query(50, ge=1, le=500), p: Principal = Depends(current_principal)) -> list[MemoryOut]:
    """The clinic's memories, newest first (scope ids, importance, access counts, expiry)."""
    p.require("patients:read")
    return service.list_memories(p.tenant_id, patient=patient_id, clinician_email=clinician, kinds=kind, limit=limit)


@router.delete("/patients/{patient_id}/memories", response_model=ForgetOut, responses={404: {"model": ErrorOut}})
def forget(patient_id: uuid.UUID, p: Principal = Depends(current_principal)) -> ForgetOut:
    """Erase the patient's memories and their embeddings (the supervisor permission; no API client)."""
    p.require("memory:forget")
    return service.forget_patient(p.tenant_id, patient_id)
