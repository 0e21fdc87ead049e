"""What a tool function receives and returns.

A tool never commits: it works inside the executor's transaction (a tenant session under
row-level security) and, when it changes clinical data, returns a ``Mutation`` so the executor
can write ``action_history`` and ``audit_events`` in that same transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session


class ToolError(Exception):
    """A tool refused its input (unknown tooth, patient of another clinic...): a clear reason."""


@dataclass(frozen=True)
class ToolContext:
    """Who is calling, for which tenant, inside which run; and the open transaction."""

    session: Session
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    execution_id: uuid.UUID | None = None
    step_id: uuid.UUID | None = None
    api_client_id: uuid.UUID | None = None
    voice_session_id: uuid.UUID | None = None
    voice_utterance_id: uuid.UUID | None = None
    approval_request_id: uuid.UUID | None = None


@dataclass
class Mutation:
    """A change to one clinical entity, with the state before and after (for undo and audit)."""

    entity_type: str  # DENTAL_CHART | PERIO_CHART | ENCOUNTER_DIAGNOSIS | TREATMENT_PLAN | CLINICAL_NOTE | PROCEDURE
    entity_id: uuid.UUID
    action_type: str  # CREATE | UPDATE | DELETE
    previous_state: dict[str, Any] | None
    new_state: dict[str, Any]
    summary: str


@dataclass
class ToolResult:
    """What a tool returns: JSON-able output (ids, not names) and, for writes, the mutation."""

    output: dict[str, Any]
    mutation: Mutation | None = None
    extra: dict[str, Any] = field(default_factory=dict)
