"""Runtime fixtures: the engine of the session platform and helpers to make proposals."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from approvals.chart_change import propose
from core_schema.models import ToothChartSnapshot
from core_schema.seed.demo import DEMO_PATIENT_IDS, DEMO_TENANT_ID, sid

DENTIST = "dentist@demo.clinic"
DENTIST_ID = sid("user", DENTIST)


def chart_call(tooth: str, label: str = "caries", surfaces: list[str] | None = None,
               patient: uuid.UUID = DEMO_PATIENT_IDS[0]) -> tuple[str, dict[str, Any]]:
    return ("update_dental_chart", {"patient_id": str(patient),
                                    "changes": [{"tooth": tooth, "label": label, "surfaces": surfaces or []}]})


def propose_chart(engine, *calls: tuple[str, dict[str, Any]], patient: uuid.UUID = DEMO_PATIENT_IDS[0]):
    return propose(engine, tenant_id=DEMO_TENANT_ID, user_id=DENTIST_ID, calls=list(calls), patient_id=patient)


def current_chart(engine, patient: uuid.UUID = DEMO_PATIENT_IDS[0]) -> dict[str, Any]:
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        row = s.scalars(select(ToothChartSnapshot).where(ToothChartSnapshot.patient_id == patient)
                        .order_by(ToothChartSnapshot.created_at.desc(), ToothChartSnapshot.id.desc()).limit(1)).first()
        return (row.chart_json if row else {"teeth": {}}) or {"teeth": {}}


def snapshot_count(engine, patient: uuid.UUID = DEMO_PATIENT_IDS[0]) -> int:
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        return s.scalar(select(func.count()).select_from(ToothChartSnapshot).where(ToothChartSnapshot.patient_id == patient))
