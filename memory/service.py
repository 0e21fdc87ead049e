"""Memory operations the CLI and the API share: search, list, forget, index the clinic's protocols.

Thin over ``MemoryRepository`` with the process's database and embedder; clinicians are
named by email and resolved inside the clinic (another clinic's user is "not found").
"""

from __future__ import annotations

import uuid
from typing import Any

from core_schema.db import get_database
from core_schema.directory import find_actor
from core_schema.errors import InvalidInput
from memory import knowledge
from memory.records import Scope
from memory.repository import MemoryFilter
from memory.writers import repository_for


def _id(value: str | uuid.UUID, what: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise InvalidInput(f"{what} must be a UUID, got {value!r}") from None


def _filter(tenant_id: uuid.UUID, patient: str | None, clinician_email: str | None, kinds: list[str] | None) -> MemoryFilter:
    scopes: list[Scope] = []
    if patient:
        scopes.append(Scope.patient(_id(patient, "patient id")))
    if clinician_email:
        with get_database().system_session() as s:
            scopes.append(Scope.clinician(find_actor(s, clinician_email, tenant_id).user_id))
    return MemoryFilter(scopes=tuple(scopes), kinds=tuple(kinds or ()))


def search(tenant_id: uuid.UUID, query: str, *, patient: str | None = None, clinician_email: str | None = None,
           kinds: list[str] | None = None, mode: str = "hybrid", limit: int = 10) -> list[dict[str, Any]]:
    """``[{"id", "memory_type", "scope", "content", "score"}]``, best first (each counted as read)."""
    if not query.strip():
        raise InvalidInput("the search query is empty")
    found = repository_for(get_database()).search(tenant_id, query, _filter(tenant_id, patient, clinician_email, kinds),
                                                  limit=limit, mode=mode)
    return [{k: m.as_json()[k] for k in ("id", "memory_type", "scope", "content", "score")} for m in found]


def list_memories(tenant_id: uuid.UUID, *, patient: str | None = None, clinician_email: str | None = None,
                  kinds: list[str] | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Newest first, with scope ids, importance, access counts and expiry."""
    found = repository_for(get_database()).list(tenant_id, _filter(tenant_id, patient, clinician_email, kinds), limit=limit)
    return [m.as_json() for m in found]


def forget_patient(tenant_id: uuid.UUID, patient: str) -> dict[str, Any]:
    """Erase every memory of a patient (its embedding is in the same row)."""
    pid = _id(patient, "patient id")
    return {"patient_id": str(pid), "memories_deleted": repository_for(get_database()).forget_patient(tenant_id, pid)}


def index_knowledge(tenant_id: uuid.UUID) -> dict[str, int]:
    return knowledge.index(repository_for(get_database()), tenant_id)


def purge_expired(tenant_id: uuid.UUID) -> dict[str, int]:
    return {"memories_deleted": repository_for(get_database()).purge_expired(tenant_id)}


def evaluate(tenant_id: uuid.UUID) -> dict[str, Any]:
    """The memory eval (``memory.evaluation``): retrieval by mode, and habit learning."""
    from memory import evaluation

    db = get_database()
    return {"retrieval": evaluation.retrieval(db, repository_for(db), tenant_id), "habits": evaluation.habit_learning()}
