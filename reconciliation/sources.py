"""The evidence a reconciliation run reads for one patient, as plain rows (ids kept on each).

``gather`` lists the ids of what the run will compare (the run's state carries these ids, never
text); ``load`` reads exactly those rows back, so a resumed run compares the same evidence.

| source | rows |
| --- | --- |
| chart | the latest ``tooth_chart_snapshots`` row |
| radiograph | the predictions of the patient's latest ACTIVE inference job that were proposed, charted or confirmed (rejected and below-threshold ones are left out) |
| perio | ``perio_measurements`` of the latest exam (latest ``measured_at`` day) |
| dictation | every final ``voice_utterances`` row of the patient's voice sessions (this visit and earlier ones: the clinic's memory of what was said) |
| plan | items of the patient's open treatment plans |
| diagnosis | ``encounter_diagnoses`` and active ``patient_conditions`` codes |
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core_schema.models import (
    AIInferenceJob,
    AIModel,
    AIModelVersion,
    AIPrediction,
    AIReviewEvent,
    EncounterDiagnosis,
    PatientCondition,
    PerioMeasurement,
    ToolExecution,
    ToothChartSnapshot,
    TreatmentPlan,
    TreatmentPlanItem,
    VoiceSession,
    VoiceUtterance,
)
from core_schema.statuses import InferenceJobStatus, PlanStatus, RecordStatus, ReviewAction, ToolExecutionStatus
from tools.clinical.chart import normalise_chart

PROPOSABLE = ("proposed", "duplicate")  # triage outcomes a reviewer saw or the chart already holds


@dataclass(frozen=True)
class RadiographFinding:
    prediction_id: str
    tooth: str | None
    label: str
    surfaces: tuple[str, ...]
    confidence: float
    review: str  # "confirmed" (a reviewer confirmed or edited it) or "pending" (proposed, not decided yet)
    model: str


@dataclass(frozen=True)
class Utterance:
    utterance_id: str
    session_id: str
    text: str
    said_at: datetime


@dataclass(frozen=True)
class PerioSite:
    measurement_id: str
    tooth: str
    site: str
    depth_mm: int | None
    encounter_id: str | None


@dataclass(frozen=True)
class PlanItem:
    item_id: str
    plan_id: str
    cdt_code: str
    tooth: str | None
    surface: str | None


@dataclass(frozen=True)
class Diagnosis:
    row_id: str
    code: str
    kind: str  # "encounter_diagnosis" or "patient_condition"


@dataclass
class Evidence:
    snapshot_id: str | None = None
    chart: dict[str, Any] = field(default_factory=lambda: {"teeth": {}})
    radiograph: list[RadiographFinding] = field(default_factory=list)
    perio: list[PerioSite] = field(default_factory=list)
    dictations: list[Utterance] = field(default_factory=list)
    plan: list[PlanItem] = field(default_factory=list)
    diagnoses: list[Diagnosis] = field(default_factory=list)


def _s(value: Any) -> str | None:
    return str(value) if value is not None else None


def gather(s: Session, tenant_id: uuid.UUID, patient_id: uuid.UUID) -> dict[str, Any]:
    """The ids of every source row the run compares (the state's ``*_ids`` and ``snapshot_id``)."""
    snap = s.scalar(select(ToothChartSnapshot.id).where(ToothChartSnapshot.tenant_id == tenant_id,
                                                        ToothChartSnapshot.patient_id == patient_id)
                    .order_by(ToothChartSnapshot.created_at.desc(), ToothChartSnapshot.id.desc()).limit(1))
    job = s.scalar(select(AIInferenceJob.id).join(AIPrediction, AIPrediction.job_id == AIInferenceJob.id)
                   .where(AIPrediction.patient_id == patient_id, AIInferenceJob.status == InferenceJobStatus.COMPLETED,
                          AIInferenceJob.compute_env["role"].astext == "ACTIVE")
                   .order_by(AIInferenceJob.created_at.desc(), AIInferenceJob.id.desc()).limit(1))
    predictions: list[str] = []
    if job is not None:
        rejected = set(s.scalars(select(AIReviewEvent.prediction_id).join(AIPrediction, AIPrediction.id == AIReviewEvent.prediction_id)
                                 .where(AIPrediction.job_id == job, AIReviewEvent.review_action == ReviewAction.REJECTED)))
        for p in s.scalars(select(AIPrediction).where(AIPrediction.job_id == job, AIPrediction.prediction_type != "tooth")
                           .order_by(AIPrediction.created_at, AIPrediction.id)):
            if p.id not in rejected and (p.raw_output or {}).get("triage") in PROPOSABLE:
                predictions.append(str(p.id))
    last_day = s.scalar(select(func.max(func.date(PerioMeasurement.measured_at)))
                        .where(PerioMeasurement.tenant_id == tenant_id, PerioMeasurement.patient_id == patient_id))
    perio = [str(i) for i in s.scalars(select(PerioMeasurement.id).where(
        PerioMeasurement.tenant_id == tenant_id, PerioMeasurement.patient_id == patient_id,
        func.date(PerioMeasurement.measured_at) == last_day).order_by(PerioMeasurement.tooth_number, PerioMeasurement.site))
    ] if last_day is not None else []
    utterances = [str(i) for i in s.scalars(
        select(VoiceUtterance.id).join(VoiceSession, VoiceSession.id == VoiceUtterance.session_id)
        .where(VoiceSession.tenant_id == tenant_id, VoiceSession.patient_id == patient_id, VoiceUtterance.is_final.is_(True))
        .order_by(VoiceUtterance.created_at, VoiceUtterance.sequence_no))]
    items = [str(i) for i in s.scalars(
        select(TreatmentPlanItem.id).join(TreatmentPlan, TreatmentPlan.id == TreatmentPlanItem.plan_id)
        .where(TreatmentPlan.tenant_id == tenant_id, TreatmentPlan.patient_id == patient_id,
               TreatmentPlan.status.in_((PlanStatus.DRAFT, PlanStatus.ACTIVE)))
        .order_by(TreatmentPlanItem.sequence_order.asc().nulls_last(), TreatmentPlanItem.id))]
    diagnoses = [str(i) for i in s.scalars(select(EncounterDiagnosis.id).where(
        EncounterDiagnosis.tenant_id == tenant_id, EncounterDiagnosis.patient_id == patient_id))]
    conditions = [str(i) for i in s.scalars(select(PatientCondition.id).where(
        PatientCondition.tenant_id == tenant_id, PatientCondition.patient_id == patient_id,
        PatientCondition.status == RecordStatus.ACTIVE))]
    return {"snapshot_id": _s(snap), "prediction_ids": predictions, "perio_ids": perio, "utterance_ids": utterances,
            "plan_item_ids": items, "diagnosis_ids": diagnoses, "condition_ids": conditions}


def fingerprint(kind: str, tooth: str | None, label: str | None, source_ids: list[str | None]) -> str:
    """One disagreement on its sources (kind, tooth, label and the ids it rests on)."""
    return "|".join([kind, tooth or "", label or "", ",".join(sorted(i for i in source_ids if i))])


def decided_fingerprints(s: Session, tenant_id: uuid.UUID, patient_id: uuid.UUID, tool_id: uuid.UUID) -> frozenset[str]:
    """Disagreements of this patient a reviewer already resolved or rejected (their calls ran or were cancelled)."""
    rows = s.scalars(select(ToolExecution.input_params["arguments"]).where(
        ToolExecution.tenant_id == tenant_id, ToolExecution.tool_id == tool_id,
        ToolExecution.status.in_((ToolExecutionStatus.SUCCEEDED, ToolExecutionStatus.CANCELLED)),
        ToolExecution.input_params["arguments"]["patient_id"].astext == str(patient_id)))
    return frozenset(fingerprint(a["kind"], a.get("tooth"), a.get("label"), [x.get("id") for x in a.get("sources") or []])
                     for a in rows)


def _ids(state: Any, key: str) -> list[uuid.UUID]:
    return [uuid.UUID(i) for i in state.get(key) or []]


def load(s: Session, ids: Any) -> Evidence:
    """The rows named by ``gather``'s ids (``ids``: the run's state)."""
    ev = Evidence(snapshot_id=ids.get("snapshot_id"))
    if ev.snapshot_id:
        snap = s.get(ToothChartSnapshot, uuid.UUID(ev.snapshot_id))
        ev.chart = normalise_chart(snap.chart_json if snap else None)
    pred_ids = _ids(ids, "prediction_ids")
    if pred_ids:
        confirmed = set(s.scalars(select(AIReviewEvent.prediction_id).where(
            AIReviewEvent.prediction_id.in_(pred_ids),
            AIReviewEvent.review_action.in_((ReviewAction.CONFIRMED, ReviewAction.EDITED)))))
        rows = s.execute(select(AIPrediction, AIModel.name, AIModelVersion.version_tag)
                         .join(AIInferenceJob, AIInferenceJob.id == AIPrediction.job_id)
                         .join(AIModelVersion, AIModelVersion.id == AIInferenceJob.model_version_id)
                         .join(AIModel, AIModel.id == AIModelVersion.model_id)
                         .where(AIPrediction.id.in_(pred_ids)).order_by(AIPrediction.created_at, AIPrediction.id)).all()
        for p, model, tag in rows:
            raw: dict[str, Any] = p.raw_output or {}
            a: dict[str, Any] = raw.get("assignment") or {}
            tooth = a.get("tooth") or raw.get("tooth")
            surfaces = a["surfaces"] if a.get("surfaces") is not None else raw.get("surfaces") or []
            ev.radiograph.append(RadiographFinding(
                str(p.id), str(tooth) if tooth else None, p.prediction_type, tuple(surfaces),
                float(p.confidence if p.confidence is not None else Decimal(0)),
                "confirmed" if p.id in confirmed or raw.get("triage") == "duplicate" else "pending", f"{model} {tag}"))
    perio_ids = _ids(ids, "perio_ids")
    if perio_ids:
        for m in s.scalars(select(PerioMeasurement).where(PerioMeasurement.id.in_(perio_ids))
                           .order_by(PerioMeasurement.tooth_number, PerioMeasurement.site)):
            ev.perio.append(PerioSite(str(m.id), m.tooth_number, m.site, m.pocket_depth_mm, _s(m.encounter_id)))
    utt_ids = _ids(ids, "utterance_ids")
    if utt_ids:
        for u in s.scalars(select(VoiceUtterance).where(VoiceUtterance.id.in_(utt_ids))
                           .order_by(VoiceUtterance.created_at, VoiceUtterance.sequence_no)):
            ev.dictations.append(Utterance(str(u.id), str(u.session_id), u.normalized_transcript or u.transcript or "",
                                           u.created_at))
    item_ids = _ids(ids, "plan_item_ids")
    if item_ids:
        for i in s.scalars(select(TreatmentPlanItem).where(TreatmentPlanItem.id.in_(item_ids))
                           .order_by(TreatmentPlanItem.sequence_order.asc().nulls_last(), TreatmentPlanItem.id)):
            ev.plan.append(PlanItem(str(i.id), str(i.plan_id), i.cdt_code, i.tooth_number, i.surface))
    dx_ids = _ids(ids, "diagnosis_ids")
    if dx_ids:
        for d in s.scalars(select(EncounterDiagnosis).where(EncounterDiagnosis.id.in_(dx_ids))):
            ev.diagnoses.append(Diagnosis(str(d.id), d.diagnosis_code or "", "encounter_diagnosis"))
    cond_ids = _ids(ids, "condition_ids")
    if cond_ids:
        for c in s.scalars(select(PatientCondition).where(PatientCondition.id.in_(cond_ids))):
            ev.diagnoses.append(Diagnosis(str(c.id), c.condition_code or "", "patient_condition"))
    return ev
