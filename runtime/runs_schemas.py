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
    undone: bool = False  # every change it applied was undone since
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
