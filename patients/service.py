"""Patient list and chart reads, for the CLI and the API alike."""

from __future__ import annotations

import uuid

from core_schema.db import get_database
from core_schema.directory import list_patients as _list_patients
from core_schema.directory import require_patient
from core_schema.errors import DomainError
from core_schema.identities import SYSTEM_USER_ID
from core_schema.rows import present
from patients.chart_extras import latest_perio, planned_items
from patients.schemas import ChartOut, PatientOut
from tools.executor import Call
from workflows.engine import Engine


def list_patients(tenant_id: uuid.UUID) -> list[PatientOut]:
    """The tenant's active patients, by name."""
    with get_database().tenant_session(tenant_id) as s:
        return [PatientOut.model_validate(p) for p in _list_patients(s)]


def chart(engine: Engine, tenant_id: uuid.UUID, patient_id: uuid.UUID, *, user_id: uuid.UUID | None = None,
          api_client_id: uuid.UUID | None = None) -> ChartOut:
    """The patient's current chart, ``teeth`` keyed by FDI number.

    Read through the executor (``get_dental_chart``), so the read is recorded like any tool
    call, as ``user_id`` (the system user when none is given) or the API client.
    """
    require_patient(tenant_id, patient_id)
    outcome = engine.executor.run(Call(
        tool="get_dental_chart", args={"patient_id": str(patient_id)}, tenant_id=tenant_id,
        user_id=user_id or SYSTEM_USER_ID, api_client_id=api_client_id, idempotency_key=f"read:{uuid.uuid4()}"))
    if not outcome.ok:  # the patient exists: a rate limit or a timeout refused the read
        raise DomainError("tool_refused", outcome.error or f"the chart read ended {outcome.status}")
    with get_database().tenant_session(tenant_id) as s:
        extras = {"planned": planned_items(s, tenant_id, patient_id), "perio": latest_perio(s, tenant_id, patient_id)}
    return ChartOut.model_validate({**present(outcome.output, "the chart read's output"), **extras})
