"""Memory operations the CLI and the API share: search, list, forget, index the clinic's protocols.

Thin over ``MemoryRepository`` with the process's database and embedder. A patient filter or
erasure names a patient of the caller's clinic (another clinic's is "not found", as everywhere);
clinicians are named by email and resolved inside the clinic.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from core_schema.db import get_database
from core_schema.directory import find_actor, require_patient
from core_schema.errors import InvalidInput
from core_schema.storage import blob_store, lifecycle
from memory import knowledge
from memory.records import Scope
from memory.repository import MemoryFilter
from memory.schemas import ForgetOut, MemoryHitOut, MemoryOut
from memory.writers import repository_for

HIT_KEYS = ("id", "memory_type", "scope", "content", "score")


def _id(value: str | uuid.UUID, what: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise InvalidInput(f"{what} must be a UUID, got {value!r}") from None


def _text(value: str, what: str) -> str:
    """PostgreSQL text cannot hold NUL: refuse it here rather than fail in the database."""
    if "\x00" in value:
        raise InvalidInput(f"the {what} contains a NUL character")
    return value


def _filter(tenant_id: uuid.UUID, patient: str | uuid.UUID | None, clinician_email: str | None,
            kinds: Sequence[str] | None) -> MemoryFilter:
    scopes: list[Scope] = []
    if patient:
        pid = _id(patient, "patient id")
        require_patient(tenant_id, pid)
        scopes.append(Scope.patient(pid))
    if clinician_email:
        with get_database().system_session() as s:
            scopes.append(Scope.clinician(find_actor(s, _text(clinician_email, "clinician email"), tenant_id).user_id))
    return MemoryFilter(scopes=tuple(scopes), kinds=tuple(kinds or ()))


def search(tenant_id: uuid.UUID, query: str, *, patient: str | uuid.UUID | None = None, clinician_email: str | None = None,
           kinds: Sequence[str] | None = None, mode: str = "hybrid", limit: int = 10,
           blank_finds_nothing: bool = False) -> list[MemoryHitOut]:
    """``[{"id", "memory_type", "scope", "content", "score"}]``, best first (each counted as read).

    A blank query is refused, or (``blank_finds_nothing``: the API's bare ``GET``) finds nothing
    once the filters are checked.
    """
    flt = _filter(tenant_id, patient, clinician_email, kinds)
    if not _text(query, "search query").strip():
        if blank_finds_nothing:
            return []
        raise InvalidInput("the search query is empty")
    found = repository_for(get_database()).search(tenant_id, query, flt, limit=limit, mode=mode)
    return [MemoryHitOut(**{k: m.as_json()[k] for k in HIT_KEYS}) for m in found]


def list_memories(tenant_id: uuid.UUID, *, patient: str | uuid.UUID | None = None, clinician_email: str | None = None,
                  kinds: Sequence[str] | None = None, limit: int = 50) -> list[MemoryOut]:
    """Newest first, with scope ids, importance, access counts and expiry."""
    found = repository_for(get_database()).list(tenant_id, _filter(tenant_id, patient, clinician_email, kinds), limit=limit)
    return [MemoryOut(**m.as_json()) for m in found]


def forget_patient(tenant_id: uuid.UUID, patient: str | uuid.UUID) -> ForgetOut:
    """Erase every memory of one of the clinic's patients (its embedding is in the same row), and
    the patient's stored objects: recordings, radiographs and their renderings (their rows are kept,
    marked erased)."""
    pid = _id(patient, "patient id")
    require_patient(tenant_id, pid)
    db = get_database()
    memories = repository_for(db).forget_patient(tenant_id, pid)
    return ForgetOut(patient_id=str(pid), memories_deleted=memories,
                     objects_deleted=lifecycle.erase_patient(db, blob_store(), tenant_id, pid))


def index_knowledge(tenant_id: uuid.UUID) -> dict[str, int]:
    return knowledge.index(repository_for(get_database()), tenant_id)


def purge_expired(tenant_id: uuid.UUID) -> dict[str, int]:
    return {"memories_deleted": repository_for(get_database()).purge_expired(tenant_id)}
