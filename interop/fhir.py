"""A patient's dental record as a FHIR Bundle (R4B models of ``fhir.resources``), every resource validated.

``fhir.resources`` 7 and later model R5 by default and R4B in ``fhir.resources.R4B``; R4 itself is
not shipped any more (its last release, 6.x, is built on pydantic 1, which this platform cannot
load beside pydantic 2). R4B (4.3) is R4 with the same Patient, Condition, Procedure, Observation,
CarePlan and Provenance structure and the same JSON, so R4 consumers read these resources as they
are; validating with R4B is the closest maintained validation of R4 JSON.

| resource | from |
| --- | --- |
| Patient | ``patients`` |
| Condition | each condition of the current chart (tooth and surfaces in ``bodySite``), each missing tooth, each ``encounter_diagnoses`` row (ICD-10-CM) |
| Procedure | each restoration of the current chart (completed), each ``procedures`` row (CDT) |
| Observation | each probing depth of the latest perio exam (mm, tooth in ``bodySite``) |
| CarePlan | the open treatment plan, one activity per item (CDT) |
| Provenance | each applied change (``action_history``, not undone): who made it, the reviewer who approved it, its sources (the utterance with its span, words and recogniser; the radiograph prediction with its label, confidence and model version; the approval request; the run) and the resources it produced |

Resource ids are stable (a name-based UUID of what they describe), so an export of an unchanged
record is the same Bundle.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core_schema.models import (
    ActionHistory,
    AgentApprovalRequest,
    AIInferenceJob,
    AIModel,
    AIModelVersion,
    AIPrediction,
    EncounterDiagnosis,
    Patient,
    PerioMeasurement,
    Procedure,
    ToothChartSnapshot,
    TreatmentPlan,
    TreatmentPlanItem,
    User,
    VoiceUtterance,
)
from core_schema.statuses import PlanStatus, ProcedureStatus
from interop import codes
from tools.clinical.chart import normalise_chart

NAMESPACE = uuid.UUID("4f2b7f0e-5d1c-4b8e-9a51-0c6d2a7e3f10")
PROCEDURE_STATUS = {ProcedureStatus.PLANNED: "preparation", ProcedureStatus.IN_PROGRESS: "in-progress",
                    ProcedureStatus.COMPLETED: "completed"}
PLAN_STATUS = {PlanStatus.DRAFT: "draft", PlanStatus.ACTIVE: "active"}


def rid(*parts: Any) -> str:
    """A stable resource id for what ``parts`` name."""
    return str(uuid.uuid5(NAMESPACE, "|".join(str(p) for p in parts)))


def ref(resource_id: str) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource_id}"}


def ident(kind: str, value: Any) -> dict[str, str]:
    return {"system": f"{codes.ID_SYSTEM}{kind}", "value": str(value)}


def _instant(value: datetime) -> str:
    return value.isoformat()


def tooth_site(tooth: str, surfaces: Iterable[str] = (), text: str | None = None) -> dict[str, Any]:
    """``bodySite``: the ISO 3950 tooth, then each surface's SNOMED CT and FDI codes."""
    coding: list[dict[str, str]] = [{"system": codes.TOOTH_SYSTEM, "code": tooth, "display": f"tooth {tooth} (ISO 3950)"}]
    for s in surfaces:
        if s in codes.SURFACE_SNOMED:
            code, display = codes.SURFACE_SNOMED[s]
            coding.append({"system": codes.SNOMED, "code": code, "display": display})
        if s in codes.SURFACE_FDI:
            code, display = codes.SURFACE_FDI[s]
            coding.append({"system": codes.FDI_SURFACE_SYSTEM, "code": code, "display": display})
    joined = "".join(surfaces)
    return {"coding": coding, "text": text or (f"{tooth} {joined}" if joined else tooth)}


def _label_code(label: str) -> dict[str, Any]:
    coding = [{"system": codes.CHART_LABEL_SYSTEM, "code": label}]
    if label in codes.LABEL_SNOMED:
        code, display = codes.LABEL_SNOMED[label]
        coding.insert(0, {"system": codes.SNOMED, "code": code, "display": display})
    return {"coding": coding, "text": label.replace("_", " ")}


def _validated(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource as its FHIR model serialises it (refused, ``ValidationError``, when it is not valid)."""
    model = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    out: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return out


class _Builder:
    def __init__(self, s: Session, tenant_id: uuid.UUID, patient: Patient) -> None:
        self.s, self.tenant_id, self.patient = s, tenant_id, patient
        self.pid = rid("Patient", patient.id)
        self.resources: list[dict[str, Any]] = []
        self.chart_ids: dict[tuple[str, str, tuple[str, ...]], str] = {}  # (tooth, label, surfaces) -> resource id

    def add(self, resource: dict[str, Any]) -> str:
        self.resources.append(_validated(resource))
        return str(resource["id"])

    def patient_resource(self) -> None:
        p = self.patient
        self.add({"resourceType": "Patient", "id": self.pid, "identifier": [ident("patient", p.id)],
                  "name": [{"family": p.last_name, "given": [p.first_name]}],
                  **({"birthDate": p.dob.isoformat()} if p.dob else {})})

    def chart(self) -> None:
        snap = self.s.scalar(select(ToothChartSnapshot).where(
            ToothChartSnapshot.tenant_id == self.tenant_id, ToothChartSnapshot.patient_id == self.patient.id)
            .order_by(ToothChartSnapshot.created_at.desc(), ToothChartSnapshot.id.desc()).limit(1))
        if snap is None:
            return
        for tooth, entry in normalise_chart(snap.chart_json)["teeth"].items():
            if entry["status"] in ("missing", "extracted"):
                key = (tooth, entry["status"], ())
                self.chart_ids[key] = self.add({
                    "resourceType": "Condition", "id": rid("Condition", self.patient.id, *key),
                    "clinicalStatus": _clinical("active"), "verificationStatus": _verification("confirmed"),
                    "code": {"coding": [{"system": codes.CHART_LABEL_SYSTEM, "code": entry["status"]}],
                             "text": f"tooth {entry['status']}"},
                    "bodySite": [tooth_site(tooth)], "subject": ref(self.pid), "recordedDate": _instant(snap.created_at)})
            for c in entry["conditions"]:
                surfaces = tuple(c.get("surfaces") or [])
                key = (tooth, c["label"], surfaces)
                self.chart_ids[key] = self.add({
                    "resourceType": "Condition", "id": rid("Condition", self.patient.id, *key),
                    "clinicalStatus": _clinical("active"), "verificationStatus": _verification("confirmed"),
                    "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-category",
                                              "code": "problem-list-item"}]}],
                    "code": _label_code(c["label"]), "bodySite": [tooth_site(tooth, surfaces)],
                    "subject": ref(self.pid), "recordedDate": _instant(snap.created_at)})
            for r in entry["restorations"]:
                surfaces = tuple(r.get("surfaces") or [])
                key = (tooth, r["label"], surfaces)
                self.chart_ids[key] = self.add({
                    "resourceType": "Procedure", "id": rid("Procedure", "chart", self.patient.id, *key),
                    "status": "completed", "code": _label_code(r["label"]), "bodySite": [tooth_site(tooth, surfaces)],
                    "subject": ref(self.pid)})

    def diagnoses(self) -> None:
        for d in self.s.scalars(select(EncounterDiagnosis).where(
                EncounterDiagnosis.tenant_id == self.tenant_id, EncounterDiagnosis.patient_id == self.patient.id)
                .order_by(EncounterDiagnosis.created_at, EncounterDiagnosis.id)):
            tooth = (d.notes or "").split(";")[0].removeprefix("tooth ").strip() if (d.notes or "").startswith("tooth ") else None
            self.add({"resourceType": "Condition", "id": rid("Condition", "dx", d.id), "identifier": [ident("encounter_diagnosis", d.id)],
                      "clinicalStatus": _clinical("active"), "verificationStatus": _verification("confirmed"),
                      "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-category",
                                                "code": "encounter-diagnosis"}]}],
                      "code": {"coding": [{"system": codes.ICD10CM_SYSTEM, "code": d.diagnosis_code or "unknown"}]},
                      **({"bodySite": [tooth_site(tooth)]} if tooth else {}),
                      "subject": ref(self.pid), "recordedDate": _instant(d.created_at)})

    def procedures(self) -> None:
        for p in self.s.scalars(select(Procedure).where(Procedure.tenant_id == self.tenant_id, Procedure.patient_id == self.patient.id)
                                .order_by(Procedure.created_at, Procedure.id)):
            surfaces = list(p.surface or "")
            self.add({"resourceType": "Procedure", "id": rid("Procedure", p.id), "identifier": [ident("procedure", p.id)],
                      "status": PROCEDURE_STATUS.get(ProcedureStatus(p.status), "unknown"),
                      "code": {"coding": [{"system": codes.CDT_SYSTEM, "code": p.cdt_code}]},
                      **({"bodySite": [tooth_site(p.tooth_number, surfaces)]} if p.tooth_number else {}),
                      "subject": ref(self.pid), **({"performedDateTime": _instant(p.end_at)} if p.end_at else {})})

    def perio(self) -> None:
        last = self.s.scalar(select(func.max(func.date(PerioMeasurement.measured_at))).where(
            PerioMeasurement.tenant_id == self.tenant_id, PerioMeasurement.patient_id == self.patient.id))
        if last is None:
            return
        for m in self.s.scalars(select(PerioMeasurement).where(
                PerioMeasurement.tenant_id == self.tenant_id, PerioMeasurement.patient_id == self.patient.id,
                func.date(PerioMeasurement.measured_at) == last, PerioMeasurement.pocket_depth_mm.is_not(None))
                .order_by(PerioMeasurement.tooth_number, PerioMeasurement.site)):
            self.add({"resourceType": "Observation", "id": rid("Observation", m.id), "identifier": [ident("perio_measurement", m.id)],
                      "status": "final",
                      "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "exam"}]}],
                      "code": {"coding": [{"system": codes.OBSERVATION_SYSTEM, "code": "pocket-depth"}],
                               "text": "Periodontal probing depth"},
                      "subject": ref(self.pid), "effectiveDateTime": _instant(m.measured_at),
                      "valueQuantity": {"value": m.pocket_depth_mm, "unit": "mm", "system": codes.UCUM, "code": "mm"},
                      "bodySite": tooth_site(m.tooth_number, text=f"{m.tooth_number} {m.site}")})

    def care_plan(self) -> None:
        plan = self.s.scalar(select(TreatmentPlan).where(
            TreatmentPlan.tenant_id == self.tenant_id, TreatmentPlan.patient_id == self.patient.id,
            TreatmentPlan.status.in_(tuple(PLAN_STATUS))).order_by(TreatmentPlan.created_at.desc(), TreatmentPlan.id).limit(1))
        if plan is None:
            return
        items = self.s.scalars(select(TreatmentPlanItem).where(TreatmentPlanItem.plan_id == plan.id)
                               .order_by(TreatmentPlanItem.sequence_order.asc().nulls_last(), TreatmentPlanItem.id)).all()
        activities = [{"detail": {
            "kind": "ServiceRequest", "code": {"coding": [{"system": codes.CDT_SYSTEM, "code": i.cdt_code}]},
            "status": "not-started",
            "description": " ".join(x for x in (f"phase {i.phase}" if i.phase else "", f"tooth {i.tooth_number}" if i.tooth_number else "",
                                                i.surface or "", f"fee {i.estimated_fee}" if i.estimated_fee is not None else "") if x) or i.cdt_code}}
            for i in items]
        self.add({"resourceType": "CarePlan", "id": rid("CarePlan", plan.id), "identifier": [ident("treatment_plan", plan.id)],
                  "status": PLAN_STATUS[PlanStatus(plan.status)], "intent": "plan", "title": "Dental treatment plan",
                  "subject": ref(self.pid), "created": _instant(plan.created_at), **({"activity": activities} if activities else {})})

    def provenance(self) -> None:
        rows = self.s.execute(
            select(ActionHistory, AgentApprovalRequest.reviewer_id, AgentApprovalRequest.reviewed_at)
            .join(AgentApprovalRequest, AgentApprovalRequest.id == ActionHistory.approval_request_id, isouter=True)
            .where(ActionHistory.tenant_id == self.tenant_id, ActionHistory.is_undone.is_(False),
                   ActionHistory.new_state["patient_id"].astext == str(self.patient.id))
            .order_by(ActionHistory.created_at, ActionHistory.id)).all()
        users = {u.id: u.email for u in self.s.scalars(select(User).where(
            User.id.in_({r[0].user_id for r in rows} | {r[1] for r in rows if r[1]})))} if rows else {}
        for action, reviewer, reviewed_at in rows:
            targets, sources = self._produced(action)
            agents = [{"type": _participant("author"), "who": {"identifier": ident("user", action.user_id),
                                                               "display": users.get(action.user_id) or "user"}}]
            if reviewer is not None:
                agents.append({"type": _participant("verifier"), "who": {"identifier": ident("user", reviewer),
                                                                       "display": users.get(reviewer) or "reviewer"}})
            if action.voice_utterance_id:
                sources.append(("voice_utterance", str(action.voice_utterance_id)))
            if action.approval_request_id:
                sources.append(("approval_request", str(action.approval_request_id)))
            if action.agent_execution_id:
                sources.append(("agent_execution", str(action.agent_execution_id)))
            details = self._source_details(sources)
            self.add({"resourceType": "Provenance", "id": rid("Provenance", action.id),
                      "target": [ref(t) for t in targets or [self.pid]], "recorded": _instant(action.created_at),
                      "activity": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-DataOperation",
                                               "code": "CREATE" if action.action_type == "CREATE" else "UPDATE"}],
                                   "text": action.change_summary or action.entity_type.lower()},
                      "agent": agents,
                      "entity": [{"role": "source", "what": {"identifier": ident(kind, value),
                                                            **({"display": details[value]} if value in details else {})}}
                                 for kind, value in sources],
                      **({"occurredDateTime": _instant(reviewed_at)} if reviewed_at else {})})

    def _source_details(self, sources: list[tuple[str, str]]) -> dict[str, str]:
        """In words, what each source was: the utterance's span, words and recogniser; the prediction's
        label, confidence and model version."""
        out: dict[str, str] = {}
        utterances = [uuid.UUID(v) for k, v in sources if k == "voice_utterance"]
        for u in self.s.scalars(select(VoiceUtterance).where(VoiceUtterance.id.in_(utterances))) if utterances else []:
            asr = (u.entities or {}).get("asr") or {}
            span = f"0.00-{float(asr['duration_s']):.2f} s of its recording, " if asr.get("duration_s") is not None else ""
            heard = f"recognised by {asr['model']}, " if asr.get("model") else "typed, "
            out[str(u.id)] = f"dictation: {span}{heard}words \"{u.transcript or ''}\""
        predictions = [uuid.UUID(v) for k, v in sources if k == "ai_prediction"]
        if predictions:
            rows = self.s.execute(select(AIPrediction, AIModel.name, AIModelVersion.version_tag)
                                  .join(AIInferenceJob, AIInferenceJob.id == AIPrediction.job_id)
                                  .join(AIModelVersion, AIModelVersion.id == AIInferenceJob.model_version_id)
                                  .join(AIModel, AIModel.id == AIModelVersion.model_id)
                                  .where(AIPrediction.id.in_(predictions))).all()
            for p, model, tag in rows:
                confidence = f" at {float(p.confidence):.2f}" if p.confidence is not None else ""
                out[str(p.id)] = f"radiograph prediction: {p.prediction_type}{confidence} by {model} {tag}"
        return out

    def _produced(self, action: ActionHistory) -> tuple[list[str], list[tuple[str, str]]]:
        """The exported resources an action produced, and the sources its chart entries name."""
        targets: list[str] = []
        sources: list[tuple[str, str]] = []
        if action.entity_type == "DENTAL_CHART":
            before = normalise_chart((action.previous_state or {}).get("chart"))["teeth"]
            after = normalise_chart((action.new_state or {}).get("chart"))["teeth"]
            for tooth, entry in after.items():
                old = before.get(tooth) or {}
                for kind in ("conditions", "restorations"):
                    for item in entry[kind]:
                        if item in (old.get(kind) or []):
                            continue
                        key = (tooth, item["label"], tuple(item.get("surfaces") or []))
                        if key in self.chart_ids:
                            targets.append(self.chart_ids[key])
                        src = item.get("source") or {}
                        if src.get("prediction_id"):
                            sources.append(("ai_prediction", str(src["prediction_id"])))
                if entry["status"] != (old.get("status") or "present") and (tooth, entry["status"], ()) in self.chart_ids:
                    targets.append(self.chart_ids[(tooth, entry["status"], ())])
        elif action.entity_type == "ENCOUNTER_DIAGNOSIS":
            targets.append(rid("Condition", "dx", action.entity_id))
        elif action.entity_type == "TREATMENT_PLAN":
            plan_id = (action.new_state or {}).get("plan_id")
            if plan_id and any(r["resourceType"] == "CarePlan" and r["id"] == rid("CarePlan", plan_id) for r in self.resources):
                targets.append(rid("CarePlan", plan_id))
        known = {r["id"] for r in self.resources}
        return [t for t in dict.fromkeys(targets) if t in known], sources


def _clinical(code: str) -> dict[str, Any]:
    return {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": code}]}


def _verification(code: str) -> dict[str, Any]:
    return {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": code}]}


def _participant(code: str) -> dict[str, Any]:
    return {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type", "code": code}]}


def build_bundle(s: Session, tenant_id: uuid.UUID, patient: Patient, timestamp: datetime) -> Bundle:
    """The patient's record as a validated ``collection`` Bundle (Patient first, Provenance last)."""
    b = _Builder(s, tenant_id, patient)
    b.patient_resource()
    b.chart()
    b.diagnoses()
    b.procedures()
    b.perio()
    b.care_plan()
    b.provenance()
    return Bundle.model_validate({
        "resourceType": "Bundle", "id": rid("Bundle", patient.id), "type": "collection", "timestamp": _instant(timestamp),
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in b.resources]})
