"""A patient's sources written as the slices write them (rows, no mocks), for reconciliation and FHIR tests."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from core_schema.models import (
    AIInferenceJob,
    AIPrediction,
    Encounter,
    PerioMeasurement,
    TreatmentPlan,
    TreatmentPlanItem,
    VoiceSession,
    VoiceUtterance,
)
from core_schema.seed.demo import DEMO_TENANT_ID, sid
from core_schema.statuses import EncounterStatus, InferenceJobStatus
from imaging import registry

DENTIST_ID = sid("user", "dentist@demo.clinic")


class Seed:
    """Writes one patient's sources: radiograph findings, dictations, perio, plan items."""

    def __init__(self, engine: Any, patient: uuid.UUID) -> None:
        self.engine, self.patient = engine, patient
        self._job: uuid.UUID | None = None

    def encounter(self) -> uuid.UUID:
        with self.engine.db.system_session() as s:
            row = Encounter(tenant_id=DEMO_TENANT_ID, patient_id=self.patient, location_id=sid("location", "demo"),
                            provider_id=DENTIST_ID, encounter_type="EXAM", status=EncounterStatus.IN_PROGRESS)
            s.add(row)
            s.flush()
            return row.id

    def radiograph(self, tooth: str, label: str, surfaces: list[str], confidence: float,
                   triage: str = "proposed") -> uuid.UUID:
        """One finding of a vendor model's review (the job completed; its finding proposed to a reviewer)."""
        version = registry.vendor_version(self.engine.db, "acme-caries", "2.1")
        with self.engine.db.system_session() as s:
            if self._job is None:
                job = AIInferenceJob(tenant_id=DEMO_TENANT_ID, model_version_id=version, input_type="IMAGING_OBJECT",
                                     input_ref_id=uuid.uuid4(), status=InferenceJobStatus.COMPLETED,
                                     compute_env={"role": "ACTIVE"})
                s.add(job)
                s.flush()
                self._job = job.id
            p = AIPrediction(job_id=self._job, tenant_id=DEMO_TENANT_ID, patient_id=self.patient, prediction_type=label,
                             confidence=Decimal(str(confidence)),
                             raw_output={"assignment": {"tooth": tooth, "surfaces": surfaces}, "triage": triage})
            s.add(p)
            s.flush()
            return p.id

    def dictation(self, *texts: str) -> list[uuid.UUID]:
        with self.engine.db.system_session() as s:
            vs = VoiceSession(tenant_id=DEMO_TENANT_ID, user_id=DENTIST_ID, patient_id=self.patient, channel="WEB")
            s.add(vs)
            s.flush()
            rows = [VoiceUtterance(session_id=vs.id, sequence_no=n, speaker="CLINICIAN", transcript=t,
                                   normalized_transcript=t) for n, t in enumerate(texts)]
            s.add_all(rows)
            s.flush()
            return [r.id for r in rows]

    def perio(self, encounter: uuid.UUID | None, depths: dict[tuple[str, str], int]) -> None:
        with self.engine.db.system_session() as s:
            s.add_all([PerioMeasurement(tenant_id=DEMO_TENANT_ID, patient_id=self.patient, encounter_id=encounter,
                                        measured_by_id=DENTIST_ID, tooth_number=t, site=site, pocket_depth_mm=mm)
                       for (t, site), mm in depths.items()])

    def plan_item(self, cdt: str, tooth: str) -> uuid.UUID:
        with self.engine.db.system_session() as s:
            plan = TreatmentPlan(tenant_id=DEMO_TENANT_ID, patient_id=self.patient, created_by_id=DENTIST_ID)
            s.add(plan)
            s.flush()
            item = TreatmentPlanItem(plan_id=plan.id, cdt_code=cdt, tooth_number=tooth, phase=1, sequence_order=1,
                                     estimated_fee=Decimal("1150.00"))
            s.add(item)
            s.flush()
            return item.id
