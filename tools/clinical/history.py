"""get_patient_history: the clinical facts an agent needs before it proposes anything.

Ids and clinical facts only (allergies, medications, conditions, visits, diagnoses, plans,
procedures); never the patient's name, birth date or contact details.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field
from sqlalchemy import ColumnElement, select, true

from core_schema.models import (
    ClinicalNote,
    CodeValue,
    Encounter,
    EncounterDiagnosis,
    PatientAllergy,
    PatientCondition,
    PatientMedication,
    Procedure,
    TreatmentPlan,
    TreatmentPlanItem,
)
from core_schema.statuses import RecordStatus
from memory.writers import recent_visit_summaries
from tools.clinical.chart import latest_snapshot
from tools.clinical.common import READ_ONLY, StrictModel, jsonable, load_patient, money
from tools.clinical.plan import plan_items
from tools.context import ToolContext, ToolResult
from tools.registry import Category, tool


class GetPatientHistoryInput(StrictModel):
    patient_id: uuid.UUID = Field(description="The patient's id.")
    max_encounters: int = Field(default=5, ge=1, le=50, description="How many recent visits (with their diagnoses) to include.")
    include_inactive: bool = Field(default=False, description="Also list resolved conditions, stopped medications and inactive allergies.")


@tool(
    "get_patient_history",
    description=(
        "Read a patient's clinical history by id: allergies, current medications, medical conditions, "
        "recent encounters with their diagnoses (ICD-10), treatment plans with their items (CDT code, "
        "tooth, surfaces, order, fee), procedures and recent clinical note ids. Check allergies and "
        "medications before proposing treatment. Contains no name or birth date."
    ),
    category=Category.DATA_RETRIEVAL,
    input_model=GetPatientHistoryInput,
    **READ_ONLY,
    scope="patients:read",
)
def get_patient_history(ctx: ToolContext, args: GetPatientHistoryInput) -> ToolResult:
    s, tid, pid = ctx.session, ctx.tenant_id, args.patient_id
    patient = load_patient(s, tid, pid)

    def active(col: Any) -> ColumnElement[bool]:
        return true() if args.include_inactive else col == RecordStatus.ACTIVE

    allergies = [
        {"id": a.id, "substance": a.substance, "reaction": a.reaction, "severity": a.severity, "status": a.status}
        for a in s.scalars(select(PatientAllergy).where(PatientAllergy.tenant_id == tid, PatientAllergy.patient_id == pid,
                                                        active(PatientAllergy.status)).order_by(PatientAllergy.substance))
    ]
    medications = [
        {"id": m.id, "name": m.medication_name, "dosage": m.dosage, "frequency": m.frequency, "route": m.route,
         "status": m.status, "start_date": m.start_date, "end_date": m.end_date}
        for m in s.scalars(select(PatientMedication).where(PatientMedication.tenant_id == tid, PatientMedication.patient_id == pid,
                                                           active(PatientMedication.status)).order_by(PatientMedication.medication_name))
    ]
    conditions = [
        {"id": c.id, "code": c.condition_code, "notes": c.notes, "status": c.status, "onset_date": c.onset_date,
         "resolved_date": c.resolved_date}
        for c in s.scalars(select(PatientCondition).where(PatientCondition.tenant_id == tid, PatientCondition.patient_id == pid,
                                                          active(PatientCondition.status)).order_by(PatientCondition.created_at))
    ]
    encounters = list(s.scalars(
        select(Encounter).where(Encounter.tenant_id == tid, Encounter.patient_id == pid)
        .order_by(Encounter.scheduled_start_at.desc().nulls_last(), Encounter.created_at.desc())
        .limit(args.max_encounters)
    ))
    enc_ids = [e.id for e in encounters]
    diagnoses_by_encounter: dict[uuid.UUID, list[dict[str, object]]] = {e: [] for e in enc_ids}
    if enc_ids:
        rows = s.execute(
            select(EncounterDiagnosis, CodeValue.display)
            .join(CodeValue, CodeValue.id == EncounterDiagnosis.code_value_id, isouter=True)
            .where(EncounterDiagnosis.tenant_id == tid, EncounterDiagnosis.encounter_id.in_(enc_ids))
            .order_by(EncounterDiagnosis.sequence)
        )
        for d, display in rows:
            diagnoses_by_encounter[d.encounter_id].append({
                "id": d.id, "code": d.diagnosis_code, "display": display, "sequence": d.sequence,
                "is_primary": d.is_primary, "type": d.diagnosis_type, "notes": d.notes,
            })
    plans = []
    for plan in s.scalars(select(TreatmentPlan).where(TreatmentPlan.tenant_id == tid, TreatmentPlan.patient_id == pid)
                          .order_by(TreatmentPlan.created_at.desc())):
        plans.append({
            "id": plan.id, "status": plan.status, "total_estimated_cost": money(plan.total_estimated_cost),
            "items": [_item(i) for i in plan_items(s, plan.id)],
        })
    procedures = [
        {"id": p.id, "encounter_id": p.encounter_id, "code": p.cdt_code, "tooth": p.tooth_number,
         "surfaces": list(p.surface or ""), "status": p.status, "start_at": p.start_at, "end_at": p.end_at}
        for p in s.scalars(select(Procedure).where(Procedure.tenant_id == tid, Procedure.patient_id == pid)
                           .order_by(Procedure.created_at.desc()).limit(50))
    ]
    notes = [
        {"id": n.id, "encounter_id": n.encounter_id, "note_type": n.note_type, "created_at": n.created_at}
        for n in s.scalars(select(ClinicalNote).where(ClinicalNote.tenant_id == tid, ClinicalNote.patient_id == pid)
                           .order_by(ClinicalNote.created_at.desc()).limit(10))
    ]
    snap = latest_snapshot(s, tid, pid)
    output = {
        "patient_id": pid,
        "status": patient.status,
        "allergies": allergies,
        "medications": medications,
        "conditions": conditions,
        "encounters": [
            {"id": e.id, "type": e.encounter_type, "status": e.status, "scheduled_start_at": e.scheduled_start_at,
             "provider_id": e.provider_id, "diagnoses": diagnoses_by_encounter[e.id]}
            for e in encounters
        ],
        "treatment_plans": plans,
        "procedures": procedures,
        "notes": notes,
        "chart_snapshot_id": snap.id if snap else None,
        # "show the last visit": the run summaries in memory (ids, teeth, codes, dates), newest first
        "visit_summaries": recent_visit_summaries(s, pid),
    }
    return ToolResult(output=jsonable(output))


def _item(i: TreatmentPlanItem) -> dict[str, object]:
    return {"id": i.id, "code": i.cdt_code, "tooth": i.tooth_number, "surfaces": list(i.surface or ""),
            "phase": i.phase, "sequence_order": i.sequence_order, "estimated_fee": money(i.estimated_fee)}
