"""Patients and their charts (``patients list``, ``chart show``)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends

from api.auth.deps import current_principal
from api.auth.principal import Principal
from api.routes.errors import refusal
from api.schemas import ChartOut, PatientOut
from core_schema.db import get_database
from core_schema.directory import list_patients
from core_schema.errors import DomainError
from core_schema.models import Patient

router = APIRouter(tags=["patients"])


def require_patient(tenant_id: uuid.UUID, patient_id: uuid.UUID) -> None:
    """404 unless the patient is one of this tenant's (another clinic's is invisible, not forbidden)."""
    with get_database().tenant_session(tenant_id) as s:
        if s.get(Patient, patient_id) is None:
            raise DomainError("not_found", f"patient {patient_id} not found in this clinic", 404)


@router.get("/patients", response_model=list[PatientOut])
def patients(p: Principal = Depends(current_principal)) -> list[dict[str, Any]]:
    """The caller's tenant's patients."""
    p.require("patients:read")
    with get_database().tenant_session(p.tenant_id) as s:
        return list_patients(s)


@router.get("/patients/{patient_id}/chart", response_model=ChartOut)
def chart(patient_id: uuid.UUID, p: Principal = Depends(current_principal)) -> dict[str, Any]:
    """The patient's current chart, ``teeth`` keyed by FDI number (read through the executor, audited)."""
    from tools.executor import Call
    from workflows.runtime import get_engine

    p.require("chart:read")
    require_patient(p.tenant_id, patient_id)
    outcome = get_engine().executor.run(Call(
        tool="get_dental_chart", args={"patient_id": str(patient_id)}, tenant_id=p.tenant_id,
        user_id=p.actor.user_id, api_client_id=p.api_client_id, idempotency_key=f"read:{uuid.uuid4()}"))
    if not outcome.ok:
        raise refusal(outcome.error or outcome.status)
    return dict(outcome.output)
