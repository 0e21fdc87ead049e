"""A patient's dental record as a FHIR Bundle (``application/fhir+json``): thin over ``interop``."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from api.auth.deps import current_principal
from api.auth.principal import Principal
from api.schemas import ErrorOut
from interop.service import export_patient

router = APIRouter(tags=["fhir"], responses={404: {"model": ErrorOut}})
_BUNDLE: dict[int | str, dict[str, Any]] = {200: {"content": {"application/fhir+json": {"schema": {"type": "object"}}},
                                                  "description": "a FHIR R4 (R4B) Bundle of type collection"}}


@router.get("/patients/{patient_id}/fhir", response_class=JSONResponse, responses=_BUNDLE)
def fhir_bundle(patient_id: uuid.UUID, p: Principal = Depends(current_principal)) -> JSONResponse:
    """The patient's record as a validated FHIR Bundle: Patient, Condition and Procedure (tooth and
    surfaces in bodySite), Observation (probing depths), CarePlan (the open plan), Provenance (each change)."""
    p.require("patients:read")  # the Bundle holds the Patient resource as well as the chart
    p.require("chart:read")
    return JSONResponse(export_patient(p.tenant_id, patient_id), media_type="application/fhir+json")
