"""add_encounter_diagnosis: a contract diagnosis label -> its ICD-10 code value, on this patient's visit."""

from __future__ import annotations

import re
import uuid
from typing import Any

from pydantic import Field, field_validator
from sqlalchemy import func, select

from core_schema.catalog import DIAGNOSIS_LABELS
from core_schema.models import EncounterDiagnosis
from tools.clinical.common import (
    CHART_WRITE,
    StrictModel,
    diagnosis_code_value,
    load_encounter,
    load_patient,
    lock,
    open_encounter,
    tooth_to_str,
)
from tools.clinical.teeth import check_tooth
from tools.context import Mutation, ToolContext, ToolError, ToolResult
from tools.registry import Category, tool

DIAGNOSIS_TYPE = "CLINICAL"
_TOOTH_NOTE = re.compile(r"^tooth (\d\d)\b")


class AddEncounterDiagnosisInput(StrictModel):
    patient_id: uuid.UUID = Field(description="The patient's id.")
    encounter_id: uuid.UUID | None = Field(default=None, description="The visit (must be this patient's); defaults to the patient's open visit.")
    label: str | None = Field(
        default=None, description="Diagnosis: " + ", ".join(sorted(DIAGNOSIS_LABELS)) + ".",
        json_schema_extra={"enum": [*sorted(DIAGNOSIS_LABELS)]},
    )
    code: str | None = Field(default=None, description="Optional explicit ICD-10-CM code (e.g. 'K04.02'); must be one of the clinic's diagnosis codes.")
    tooth: str | None = Field(default=None, description="Optional FDI tooth the diagnosis concerns, e.g. '36'.")
    is_primary: bool | None = Field(default=None, description="Mark as the visit's primary diagnosis (default: only when it is the first).")
    notes: str | None = Field(default=None, max_length=2000, description="Optional free-text remark.")

    @field_validator("tooth", mode="before")
    @classmethod
    def _tooth(cls, v: Any) -> Any:
        return tooth_to_str(v)


@tool(
    "add_encounter_diagnosis",
    description=(
        "Add a diagnosis to a patient's visit (needs approval). Give the diagnosis label (e.g. "
        "irreversible_pulpitis, apical_periodontitis, gingivitis); it is coded with the clinic's ICD-10 "
        "code. Optionally the FDI tooth it concerns. The visit must be this patient's; without one, the "
        "patient's open visit is used."
    ),
    category=Category.DATA_MUTATION,
    input_model=AddEncounterDiagnosisInput,
    risk_tier=3,
    **CHART_WRITE,
)
def add_encounter_diagnosis(ctx: ToolContext, args: AddEncounterDiagnosisInput) -> ToolResult:
    s, tid = ctx.session, ctx.tenant_id
    load_patient(s, tid, args.patient_id)
    if args.encounter_id is not None:
        encounter = load_encounter(s, tid, args.patient_id, args.encounter_id)
    else:
        open_one = open_encounter(s, tid, args.patient_id)
        if open_one is None:
            raise ToolError(f"patient {args.patient_id} has no open encounter; give encounter_id")
        encounter = open_one
    tooth = check_tooth(args.tooth) if args.tooth not in (None, "") else None
    cv, label = diagnosis_code_value(s, tid, label=args.label, code=args.code)
    lock(s, "diagnoses", encounter.id)  # the next sequence number is this call's alone

    existing = list(s.scalars(select(EncounterDiagnosis).where(
        EncounterDiagnosis.tenant_id == tid, EncounterDiagnosis.encounter_id == encounter.id)))
    for d in existing:
        m = _TOOTH_NOTE.match(d.notes or "")
        if d.diagnosis_code == cv.code and (m.group(1) if m else None) == tooth:
            raise ToolError(f"diagnosis {cv.code}{f' on tooth {tooth}' if tooth else ''} is already recorded for this encounter")
    is_primary = (not existing) if args.is_primary is None else args.is_primary
    demoted = [d for d in existing if d.is_primary] if is_primary else []
    for d in demoted:
        d.is_primary = False
        d.updated_at = func.now()
    sequence = max((d.sequence for d in existing), default=0) + 1
    note_parts = [f"tooth {tooth}"] if tooth else []
    if args.notes and args.notes.strip():
        note_parts.append(args.notes.strip())
    row = EncounterDiagnosis(
        id=uuid.uuid4(), tenant_id=tid, encounter_id=encounter.id, patient_id=args.patient_id, code_value_id=cv.id,
        diagnosis_code=cv.code, diagnosis_type=DIAGNOSIS_TYPE, sequence=sequence, is_primary=is_primary,
        notes="; ".join(note_parts) or None,
    )
    s.add(row)
    s.flush()
    name = (label or cv.display).replace("_", " ")
    summary = f"Diagnosis {cv.code} {name}{f' on tooth {tooth}' if tooth else ''} added" + (" as primary" if is_primary else "")
    return ToolResult(
        output={"patient_id": str(args.patient_id), "encounter_id": str(encounter.id), "diagnosis_id": str(row.id),
                "code": cv.code, "display": cv.display, "tooth": tooth, "sequence": sequence, "is_primary": is_primary},
        mutation=Mutation(
            entity_type="ENCOUNTER_DIAGNOSIS", entity_id=row.id, action_type="CREATE",
            previous_state={"patient_id": str(args.patient_id), "encounter_id": str(encounter.id),
                            "primary_diagnosis_ids": [str(d.id) for d in demoted]},
            new_state={"patient_id": str(args.patient_id), "encounter_id": str(encounter.id), "diagnosis_id": str(row.id),
                       "code": cv.code, "label": label, "tooth": tooth, "sequence": sequence, "is_primary": is_primary,
                       "demoted_diagnosis_ids": [str(d.id) for d in demoted]},
            summary=summary,
        ),
    )
