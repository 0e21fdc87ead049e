"""What a chart holds beside the charted findings: the open plans' items and the latest perio
probing per site. Read in the caller's tenant session (row-level security applies)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from core_schema.dentition import PERIO_SITES
from core_schema.models import CodeValue, PerioMeasurement, TreatmentPlan, TreatmentPlanItem
from tools.clinical.plan import OPEN_PLAN_STATUSES


def _labels(s: Any, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = s.execute(select(CodeValue.code, CodeValue.display).where(CodeValue.code.in_(codes))).all()
    return {code: display for code, display in rows if display}


def planned_items(s: Any, tenant_id: uuid.UUID, patient_id: uuid.UUID) -> list[dict[str, Any]]:
    """Items of the patient's open plans, in plan order."""
    rows = s.execute(
        select(TreatmentPlanItem, TreatmentPlan.status)
        .join(TreatmentPlan, TreatmentPlan.id == TreatmentPlanItem.plan_id)
        .where(TreatmentPlan.tenant_id == tenant_id, TreatmentPlan.patient_id == patient_id)
        .order_by(TreatmentPlan.created_at, TreatmentPlanItem.sequence_order.asc().nulls_last(), TreatmentPlanItem.id)
    ).all()
    items = [(i, status) for i, status in rows if status in OPEN_PLAN_STATUSES]
    names = _labels(s, {i.cdt_code for i, _ in items})
    return [{"id": str(i.id), "code": i.cdt_code, "label": names.get(i.cdt_code), "tooth": i.tooth_number,
             "surfaces": list(i.surface or ""), "phase": i.phase, "order": i.sequence_order,
             "fee": str(i.estimated_fee) if i.estimated_fee is not None else None, "plan_status": status}
            for i, status in items]


def latest_perio(s: Any, tenant_id: uuid.UUID, patient_id: uuid.UUID) -> dict[str, dict[str, Any]]:
    """Per tooth, per site: the latest depth and bleeding (``{"16": {"MB": {"depth": 3, "bleeding": true}}}``)."""
    rows = s.scalars(
        select(PerioMeasurement).where(PerioMeasurement.tenant_id == tenant_id, PerioMeasurement.patient_id == patient_id)
        .order_by(PerioMeasurement.measured_at, PerioMeasurement.created_at)
    ).all()
    out: dict[str, dict[str, Any]] = {}
    for m in rows:  # later rows overwrite earlier ones
        if m.site not in PERIO_SITES:
            continue
        site = out.setdefault(m.tooth_number, {}).setdefault(m.site, {})
        if m.pocket_depth_mm is not None:
            site["depth"] = m.pocket_depth_mm
        if m.bleeding_on_probing is not None:
            site["bleeding"] = m.bleeding_on_probing
        site["measured_at"] = m.measured_at.isoformat()
    return out
