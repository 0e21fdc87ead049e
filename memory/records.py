"""The vocabulary of memory: scopes, kinds, what is written and what comes back.

A memory lives in one scope of a clinic (the clinic itself, a clinician, a patient, a
workflow) and is one of three kinds. The kinds map onto the spec's ``memory_type`` values,
the scopes onto ``scope`` / ``scope_id``; LangGraph namespaces are spelled from both:
``("tenant", "semantic")``, ``("clinician", <user id>, "procedural")``,
``("patient", <patient id>, "episodic")``, ``("workflow", <workflow id>, "semantic")``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core_schema.errors import InvalidInput

# kind (issue's words) <-> memory_type (spec's values)
KIND_TO_TYPE = {"semantic": "FACT", "episodic": "SUMMARY", "procedural": "PROCEDURE"}
TYPE_TO_KIND = {v: k for k, v in KIND_TO_TYPE.items()}
# namespace root <-> scope (GLOBAL is the spec's name for "the whole clinic")
ROOT_TO_SCOPE = {"tenant": "GLOBAL", "clinician": "CLINICIAN", "patient": "PATIENT", "workflow": "WORKFLOW"}
SCOPE_TO_ROOT = {v: k for k, v in ROOT_TO_SCOPE.items()}
MAX_CONTENT_CHARS = 4000


@dataclass(frozen=True)
class Scope:
    """Where a memory belongs: ``GLOBAL`` (no id) or a clinician, patient or workflow id."""

    scope: str
    scope_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        if self.scope not in SCOPE_TO_ROOT:
            raise InvalidInput(f"unknown memory scope {self.scope!r}: use one of {', '.join(SCOPE_TO_ROOT)}")
        if (self.scope == "GLOBAL") != (self.scope_id is None):
            raise InvalidInput("a GLOBAL memory has no scope id; every other scope needs one")

    @classmethod
    def tenant(cls) -> Scope:
        return cls("GLOBAL")

    @classmethod
    def patient(cls, patient_id: uuid.UUID | str) -> Scope:
        return cls("PATIENT", _uuid(patient_id))

    @classmethod
    def clinician(cls, user_id: uuid.UUID | str) -> Scope:
        return cls("CLINICIAN", _uuid(user_id))

    @classmethod
    def workflow(cls, workflow_id: uuid.UUID | str) -> Scope:
        return cls("WORKFLOW", _uuid(workflow_id))

    def label(self) -> str:
        return SCOPE_TO_ROOT[self.scope] + (f":{self.scope_id}" if self.scope_id else "")


def namespace_of(scope: Scope, kind: str) -> tuple[str, ...]:
    root = SCOPE_TO_ROOT[scope.scope]
    return (root, kind) if scope.scope_id is None else (root, str(scope.scope_id), kind)


def parse_namespace(namespace: tuple[str, ...]) -> tuple[Scope, str]:
    """(scope, kind) of a full namespace; InvalidInput for anything else."""
    if len(namespace) == 2 and namespace[0] == "tenant":
        scope, kind = Scope.tenant(), namespace[1]
    elif len(namespace) == 3 and namespace[0] in ROOT_TO_SCOPE and namespace[0] != "tenant":
        scope, kind = Scope(ROOT_TO_SCOPE[namespace[0]], _uuid(namespace[1])), namespace[2]
    else:
        raise InvalidInput(f"memory namespace {namespace!r} is not (tenant, KIND) or (clinician|patient|workflow, ID, KIND)")
    if kind not in KIND_TO_TYPE:
        raise InvalidInput(f"unknown memory kind {kind!r}: use one of {', '.join(KIND_TO_TYPE)}")
    return scope, kind


def _uuid(value: uuid.UUID | str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise InvalidInput(f"{value!r} is not an id") from None


@dataclass
class MemoryWrite:
    """One memory to remember. ``importance`` 0..1; ``expires_at`` None keeps it until forgotten."""

    scope: Scope
    kind: str
    content: str
    importance: float = 0.5
    source_type: str | None = None
    source_id: uuid.UUID | None = None
    expires_at: datetime | None = None
    language: str | None = "en"
    api_client_id: uuid.UUID | None = None
    id: uuid.UUID | None = None  # a stable id (LangGraph keys): an existing row with it is replaced

    def __post_init__(self) -> None:
        if self.kind not in KIND_TO_TYPE:
            raise InvalidInput(f"unknown memory kind {self.kind!r}: use one of {', '.join(KIND_TO_TYPE)}")
        self.content = " ".join((self.content or "").split())
        if not self.content:
            raise InvalidInput("a memory needs some content")
        if len(self.content) > MAX_CONTENT_CHARS:
            raise InvalidInput(f"a memory holds at most {MAX_CONTENT_CHARS} characters")
        if not 0.0 <= float(self.importance) <= 1.0:
            raise InvalidInput("importance is between 0 and 1")


@dataclass
class Memory:
    """A stored memory as read back (without its vector)."""

    id: uuid.UUID
    scope: Scope
    kind: str
    content: str
    importance: float
    access_count: int
    last_accessed_at: datetime | None
    expires_at: datetime | None
    created_at: datetime
    source_type: str | None = None
    source_id: uuid.UUID | None = None
    score: float | None = None
    merged: bool = False
    signals: dict[str, Any] = field(default_factory=dict)

    @property
    def memory_type(self) -> str:
        return KIND_TO_TYPE[self.kind]

    @property
    def namespace(self) -> tuple[str, ...]:
        return namespace_of(self.scope, self.kind)

    def as_json(self) -> dict[str, Any]:
        """The CLI / API shape: ``{"id", "memory_type", "scope", "content", "score", ...}``."""
        return {
            "id": str(self.id), "memory_type": self.memory_type, "kind": self.kind, "scope": self.scope.scope,
            "scope_id": str(self.scope.scope_id) if self.scope.scope_id else None, "content": self.content,
            "score": None if self.score is None else round(self.score, 6), "importance": round(self.importance, 2),
            "access_count": self.access_count, "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "source_type": self.source_type, "source_id": str(self.source_id) if self.source_id else None,
        }
