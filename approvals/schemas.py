"""Approval requests and decisions as both faces return them (``approvals ... --json``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from core_schema.responses import Out


class ReviewContextOut(Out):
    """The dictation a request came from, shown beside it: the utterance's transcript, the
    ``[start, end]`` character spans naming the request's teeth, surfaces and label, and where
    its recording plays (None: no recording kept)."""

    utterance_id: str
    transcript: str
    highlights: list[list[int]] = []
    recording_url: str | None = None


class ChartConflictOut(Out):
    """A pending change at odds with the chart as it is now (``tooth_gone``, ``already_charted``)."""

    tooth: str
    kind: str
    message: str


class ThreadMessageOut(Out):
    """One question (a reviewer's) or answer (the dictating clinician's) on a pending request."""

    id: str
    approval_id: str
    kind: str  # QUESTION | ANSWER
    author_id: str | None
    author: str | None  # the author's name
    text: str
    at: str


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
    timeout_at: str | None  # None: it waits until someone decides (no clinic timeout, or already overdue)
    overdue: bool = False  # its timeout passed and nobody else may decide it: it stayed with its reviewer
    tool_execution_id: str | None
    conflicts: list[ChartConflictOut] = []  # with the patient's chart now, before the decision
    context: ReviewContextOut | None = None  # dictated requests only (GET /api/v1/approvals, approvals list)
    messages: list[ThreadMessageOut] = []  # questions asked on it (respond) and the clinician's answers
    awaiting_answer: bool = False  # the last message is a question the clinician has not answered
    snoozed_until: str | None = None  # the caller's own snooze (GET /api/v1/approvals/snoozed only)


class QuestionOut(Out):
    """A pending request of the caller's dictation that a reviewer asked about, with the thread."""

    approval_id: str
    execution_id: str
    patient_id: str | None
    requested_action: str | None
    tool: str | None
    arguments: Any = None
    messages: list[ThreadMessageOut]
    awaiting_answer: bool


class SnoozeOut(Out):
    """A request hidden from the caller's inbox until ``until`` (None: back now)."""

    approval_id: str
    until: str | None


class DecisionOut(Out):
    id: str
    status: str
    run_id: str
    run_status: str
    result: str | None = None  # what the approved change did; "no change: ..." when it altered nothing


class DecisionReport(BaseModel):
    """A decided batch: one ``DecisionOut`` per request, and ``failure`` naming every run whose
    approved change then failed to apply (the decisions stand; the faces report it as an error)."""

    decisions: list[DecisionOut]
    failure: str | None = None


class QueuesOut(Out):
    queued: int


class SweepOut(Out):
    timed_out: list[str]
    snoozes_ended: list[str] = []
