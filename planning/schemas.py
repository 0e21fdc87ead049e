"""A plan draft as both faces return it (``plan draft --json``, ``POST .../plan-drafts``)."""

from __future__ import annotations

from typing import Any

from core_schema.responses import Out


class MessageOut(Out):
    sequence_no: int
    agent: str
    to: str | None
    message_type: str
    content: str | None
    function_call: Any = None


class PlanItemOut(Out):
    tool_execution_id: str
    approval_id: str | None
    approval_status: str | None  # the reviewer's decision: PENDING, APPROVED, REJECTED, TIMEOUT
    label: str
    code: str | None
    tooth: str | None
    surfaces: list[str]
    phase: int | None
    phase_name: str | None
    fee: str | None
    proposed_by: str | None
    rationale: str | None
    cites: list[dict[str, Any]]
    alternatives: list[str]
    status: str  # the call's: PENDING (awaiting the reviewer), SUCCEEDED (written), CANCELLED (rejected)


class PlanDraftOut(Out):
    run_id: str
    status: str
    patient_id: str
    conversation_id: str | None
    approval_ids: list[str]
    items: list[PlanItemOut]
    messages: list[MessageOut]
    error: str | None = None
