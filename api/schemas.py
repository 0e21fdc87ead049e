"""Request and response models of the HTTP API: the CLI's ``--json`` shapes, so ``/openapi.json``
describes what is really sent. Responses allow extra keys (the contract extends only by adding)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorOut(BaseModel):
    error: str = Field(description="One line for a person.")
    code: str = Field(description="Stable code for programs, e.g. not_found, forbidden.")


class LoginIn(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    scope: str | None = None
    csrf_token: str | None = Field(default=None, description="Send as X-CSRF-Token with cookie-authenticated changes.")


class MeOut(Out):
    kind: Literal["user", "client"]
    tenant_id: str
    user_id: str | None
    email: str | None
    client_id: str | None
    role: str | None
    roles: list[str]
    scopes: list[str]
    permissions: list[str]


class PatientOut(Out):
    id: str
    name: str
    dob: str | None
    tenant_id: str


class ChartOut(Out):
    patient_id: str
    snapshot_id: str | None
    recorded_at: str | None
    teeth: dict[str, Any] = Field(description="Keyed by FDI tooth number.")


class DictationIn(BaseModel):
    patient_id: uuid.UUID
    text: str
    session_id: uuid.UUID | None = None


class DictationOut(Out):
    run_id: str
    status: str
    session_id: str
    utterance_id: str
    transcript: str | None
    kind: str | None
    proposals: list[dict[str, Any]]
    clarify: Any = None
    problems: list[Any]
    approval_ids: list[str]
    context: Any = None
    latency_ms: float


class ApprovalOut(Out):
    id: str
    execution_id: str
    requested_action: str | None
    priority: str | None
    status: str
    reason: str | None
    tool: str | None
    arguments: Any = None
    risk_tier: int | None
    assigned_to_user_id: str | None
    timeout_at: str | None
    tool_execution_id: str | None


class CommentIn(BaseModel):
    comment: str | None = Field(default=None, max_length=4000)


class EditIn(CommentIn):
    set: dict[str, Any] = Field(description="Corrected arguments of the proposed action.")


class BatchIn(CommentIn):
    ids: list[uuid.UUID] = Field(min_length=1, max_length=500)
    verdict: Literal["approve", "reject"]


class DecisionOut(Out):
    id: str
    status: str
    run_id: str
    run_status: str


class ActionOut(Out):
    id: str
    entity_type: str
    entity_id: str
    action_type: str | None
    summary: Any = None
    undo_expires_at: str
    execution_id: str | None


class UndoIn(BaseModel):
    reason: str | None = Field(default=None, max_length=4000)


class UndoOut(Out):
    action_id: str
    entity_type: str
    entity_id: str
    undone: bool
    summary: Any = None


class RunOut(Out):
    id: str
    workflow: str
    status: str
    current_node: str | None
    started_at: str
    completed_at: str | None


class StepOut(Out):
    seq: int
    node: str | None
    type: str | None
    status: str | None
    duration_ms: int | None
    edge: Any = None
    tool: str | None


class ToolExecutionOut(Out):
    id: str
    step_id: str | None
    status: str | None
    duration_ms: int | None
    retry_count: int | None
    error: str | None


class RunApprovalOut(Out):
    id: str
    status: str
    requested_action: str | None


class RunDetailOut(Out):
    id: str
    status: str
    current_node: str | None
    checkpoint_id: str | None
    started_at: str
    completed_at: str | None
    error: Any = None
    trace_id: str | None
    steps: list[StepOut]
    tool_executions: list[ToolExecutionOut]
    approvals: list[RunApprovalOut]
