"""Patients and charts as both faces return them (``patients list``, ``chart show``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from core_schema.responses import Out


class PatientOut(Out):
    id: str
    name: str
    dob: str | None
    tenant_id: str


class PlannedItemOut(Out):
    id: str
    code: str | None
    label: str | None
    tooth: str | None
    surfaces: list[str]
    phase: int | None
    order: int | None
    fee: str | None
    plan_status: str | None


class PerioSiteOut(Out):
    depth: int | None = None
    bleeding: bool | None = None
    measured_at: str | None = None


class ChartOut(Out):
    patient_id: str
    snapshot_id: str | None
    recorded_at: str | None
    teeth: dict[str, Any] = Field(description="Keyed by FDI tooth number.")
    planned: list[PlannedItemOut] = Field(default_factory=list, description="Items of the patient's open plans, in order.")
    perio: dict[str, dict[str, PerioSiteOut]] = Field(
        default_factory=dict, description="Latest probing per FDI tooth and site (MB, B, DB, ML, L, DL).")
