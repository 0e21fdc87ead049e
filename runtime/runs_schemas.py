"""Runs as people read them (``runs list``, ``runs show``, ``runs recover``)."""

from __future__ import annotations

from typing import Any

from core_schema.responses import Out


class RunOut(Out):
    id: str
    workflow: str
    status: str
    current_node: str | None
    started_at: str
    completed_at: str | None
    patient_id: str | None = None
    patient_name: str | None = None
    user_id: str | None = None  # who started it (dictated)
    user_name: str | None = None
    undone: bool = False  # every change it applied was undone since


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


class FieldChangeOut(Out):
    """One field a reviewer corrected: its path in the arguments, the proposed and the approved value."""

    field: list[str]
    before: Any = None
    after: Any = None


class EditOut(Out):
    """A reviewer's correction of a proposal before deciding it."""

    by: str | None
    at: str
    reason: str | None = None
    fields: list[FieldChangeOut] = []


class UtteranceOut(Out):
    """What was said in the run (read from the utterance rows when asked)."""

    id: str
    seq: int
    speaker: str | None
    text: str
    at: str


class RunApprovalOut(Out):
    id: str
    status: str
    requested_action: str | None
    requested_at: str | None = None
    edits: list[EditOut] = []


class RunDetailOut(Out):
    id: str
    status: str
    current_node: str | None
    checkpoint_id: str | None
    started_at: str
    completed_at: str | None
    error: Any = None
    trace_id: str | None
    undone: bool = False  # every change it applied was undone since
    requested_by: str | None = None  # who started it (dictated)
    patient_id: str | None = None
    patient_name: str | None = None
    transcript: list[UtteranceOut] = []
    steps: list[StepOut]
    tool_executions: list[ToolExecutionOut]
    approvals: list[RunApprovalOut]


class RecoveryOut(Out):
    """What one recovery pass found and did (ids only)."""

    stalled_jobs: int
    requeued: list[str]
    resumed: list[str]
    abandoned: list[str]
    tool_executions_closed: int
