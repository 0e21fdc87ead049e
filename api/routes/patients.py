"""Patients and their charts (``patients list``, ``chart show``)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends

from api.auth.deps import current_principal
from api.auth.principal import Principal
from api.schemas import ChartOut, ErrorOut, PatientOut
from core_schema.directory import require_patient
from patients import service
from runtime.process import get_engine

__all__ = ["router", "require_patient"]  # require_patient: re-exported for the other routers

router = APIRouter(tags=["patients"])


@router.get("/patients", response_model=list[PatientOut])
def patients(p: Principal = Depends(current_principal)) -> list[PatientOut]:
    """The caller's tenant's patients."""
    p.require("patients:read")
    return service.list_patients(p.tenant_id)


@router.get("/patients/{patient_id}/chart", response_model=ChartOut,
            responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}})
def chart(patient_id: uuid.UUID, p: Principal = Depends(current_principal)) -> ChartOut:
    """The patient's current chart, ``teeth`` keyed by FDI number (read through the executor, audited)."""
    p.require("chart:read")
    return service.chart(get_engine(), p.tenant_id, patient_id, user_id=p.actor.user_id, api_client_id=p.api_client_id)
