"""A reconciliation run as both faces return it (``reconcile --json``, ``POST .../reconcile``)."""

from __future__ import annotations

from core_schema.responses import Out


class SourceOut(Out):
    type: str
    id: str | None
    text: str


class FindingOut(Out):
    tool_execution_id: str
    approval_id: str | None
    approval_status: str | None  # the reviewer's decision: PENDING, APPROVED, REJECTED, TIMEOUT
    kind: str
    finding: str
    resolution: str
    tooth: str | None
    sources: list[SourceOut]
    status: str  # the call's: PENDING (awaiting the reviewer), SUCCEEDED (resolved), CANCELLED (rejected)...


class ReconcileOut(Out):
    run_id: str
    status: str
    patient_id: str
    approval_ids: list[str]
    findings: list[FindingOut]
    error: str | None = None
