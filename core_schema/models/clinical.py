"""Patients, encounters, charting, perio, diagnoses and procedures."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core_schema.models.base import Base
from core_schema.statuses import EncounterStatus, ProcedureStatus, RecordStatus

__all__ = ["Patient", "Encounter", "ClinicalNote", "ToothChartSnapshot", "PerioMeasurement", "PatientIdentifier", "PatientAddress", "PatientInsurancePolicy", "PatientRelationship", "PatientCondition", "PatientMedication", "PatientAllergy", "PatientSocialHistory", "EncounterDiagnosis", "VitalSign", "Procedure", "ProcedureMaterial", "ClinicalOutcome"]


class Patient(Base):
    """Tenant-scoped patient master record."""

    __tablename__ = "patients"
    __table_args__ = (
        Index("idx_patients_tenant_name_dob", "tenant_id", "last_name", "dob"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    primary_location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("locations.id"))
    first_name: Mapped[str]
    last_name: Mapped[str]
    dob: Mapped[date | None]
    sex_at_birth: Mapped[str | None]
    gender_identity: Mapped[str | None]
    contact_email: Mapped[str | None]
    phone_mobile: Mapped[str | None]
    phone_home: Mapped[str | None]
    preferred_locale: Mapped[str | None]
    preferred_language: Mapped[str | None]
    preferred_contact_method: Mapped[str | None]
    status: Mapped[str] = mapped_column(server_default=RecordStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class Encounter(Base):
    """A clinical visit/appointment with a patient."""

    __tablename__ = "encounters"
    __table_args__ = (
        Index("idx_encounters_tenant_patient_time", "tenant_id", "patient_id", "scheduled_start_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    location_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("locations.id"))
    provider_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    encounter_type: Mapped[str]
    status: Mapped[str] = mapped_column(server_default=EncounterStatus.SCHEDULED)
    scheduled_start_at: Mapped[datetime | None]
    check_in_at: Mapped[datetime | None]
    check_out_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class ClinicalNote(Base):
    """Encounter-linked clinical note authored by provider/system workflows."""

    __tablename__ = "clinical_notes"
    __table_args__ = (
        Index("idx_clinical_notes_tenant_patient", "tenant_id", "patient_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    encounter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("encounters.id"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    note_type: Mapped[str]
    content: Mapped[str]
    language: Mapped[str | None]
    locale: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class ToothChartSnapshot(Base):
    """Full dental chart snapshot at a point in time."""

    __tablename__ = "tooth_chart_snapshots"
    __table_args__ = (
        Index("idx_tooth_chart_snapshots_tenant_patient_time", "tenant_id", "patient_id", "created_at"),
        Index("idx_tooth_chart_snapshots_encounter", "encounter_id", postgresql_where=text("encounter_id IS NOT NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    encounter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("encounters.id"))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    source: Mapped[str] = mapped_column(server_default="MANUAL")
    chart_json: Mapped[Any] = mapped_column(JSONB, nullable=False)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class PerioMeasurement(Base):
    """Normalized periodontal probing data for analytics and trend views."""

    __tablename__ = "perio_measurements"
    __table_args__ = (
        Index("idx_perio_tenant_patient_time", "tenant_id", "patient_id", "measured_at"),
        Index("idx_perio_patient_tooth_site_time", "patient_id", "tooth_number", "site", "measured_at"),
        Index("idx_perio_encounter", "encounter_id", postgresql_where=text("encounter_id IS NOT NULL")),
        Index("uq_perio_measurement_point", "patient_id", "encounter_id", "tooth_number", "site", "measured_at", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    encounter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("encounters.id"))
    measured_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    measured_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    tooth_number: Mapped[str]
    site: Mapped[str]
    pocket_depth_mm: Mapped[int | None]
    gingival_margin_mm: Mapped[int | None]
    bleeding_on_probing: Mapped[bool | None]
    mobility_grade: Mapped[str | None]
    furcation_involvement: Mapped[str | None]
    notes: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class PatientIdentifier(Base):
    """External/internal patient identity values (MRN, payer member ID, etc.)."""

    __tablename__ = "patient_identifiers"
    __table_args__ = (
        Index("idx_patient_identifiers_tenant_patient", "tenant_id", "patient_id"),
        Index("uq_patient_identifiers_patient_system_value", "patient_id", "system", "value", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    system: Mapped[str]
    value: Mapped[str]
    is_primary: Mapped[bool] = mapped_column(server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class PatientAddress(Base):
    """Structured addresses for patients."""

    __tablename__ = "patient_addresses"
    __table_args__ = (
        Index("idx_patient_addresses_tenant_patient", "tenant_id", "patient_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    type: Mapped[str] = mapped_column(server_default="HOME")
    line1: Mapped[str]
    line2: Mapped[str | None]
    city: Mapped[str | None]
    state: Mapped[str | None]
    postal_code: Mapped[str | None]
    country: Mapped[str | None]
    is_primary: Mapped[bool] = mapped_column(server_default=text("false"))
    status: Mapped[str] = mapped_column(server_default="ACTIVE")
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class PatientInsurancePolicy(Base):
    """Patient coverage and policy metadata."""

    __tablename__ = "patient_insurance_policies"
    __table_args__ = (
        Index("idx_patient_insurance_tenant_patient", "tenant_id", "patient_id"),
        Index("idx_patient_insurance_policy", "policy_number"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    payer_name: Mapped[str]
    plan_name: Mapped[str | None]
    policy_number: Mapped[str]
    group_number: Mapped[str | None]
    member_id: Mapped[str | None]
    coverage_start: Mapped[date | None]
    coverage_end: Mapped[date | None]
    is_primary: Mapped[bool] = mapped_column(server_default=text("true"))
    status: Mapped[str] = mapped_column(server_default="ACTIVE")
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class PatientRelationship(Base):
    """Relationships and emergency contacts for patients."""

    __tablename__ = "patient_relationships"
    __table_args__ = (
        Index("idx_patient_relationships_patient", "tenant_id", "patient_id"),
        Index("idx_patient_relationships_related", "related_patient_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    related_patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patients.id"))
    external_contact_name: Mapped[str | None]
    relationship_type: Mapped[str]
    is_emergency_contact: Mapped[bool] = mapped_column(server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class PatientCondition(Base):
    """Problem list and chronic/acute condition entries."""

    __tablename__ = "patient_conditions"
    __table_args__ = (
        Index("idx_patient_conditions_tenant_patient", "tenant_id", "patient_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    code_value_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("code_values.id"))
    condition_code: Mapped[str | None]
    onset_date: Mapped[date | None]
    resolved_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(server_default=RecordStatus.ACTIVE)
    notes: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class PatientMedication(Base):
    """Medication history and current medications."""

    __tablename__ = "patient_medications"
    __table_args__ = (
        Index("idx_patient_medications_tenant_patient", "tenant_id", "patient_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    medication_name: Mapped[str]
    dosage: Mapped[str | None]
    frequency: Mapped[str | None]
    route: Mapped[str | None]
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    prescribed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    source: Mapped[str] = mapped_column(server_default="PATIENT_REPORTED")
    status: Mapped[str] = mapped_column(server_default=RecordStatus.ACTIVE)
    notes: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class PatientAllergy(Base):
    """Allergies and reaction severity profile."""

    __tablename__ = "patient_allergies"
    __table_args__ = (
        Index("idx_patient_allergies_tenant_patient", "tenant_id", "patient_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    substance: Mapped[str]
    reaction: Mapped[str | None]
    severity: Mapped[str | None]
    status: Mapped[str] = mapped_column(server_default=RecordStatus.ACTIVE)
    identified_at: Mapped[datetime | None]
    notes: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class PatientSocialHistory(Base):
    """Structured social history observations."""

    __tablename__ = "patient_social_history"
    __table_args__ = (
        Index("idx_patient_social_history_tenant_patient", "tenant_id", "patient_id", "history_type"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    history_type: Mapped[str]
    value_text: Mapped[str | None]
    value_json: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    observed_at: Mapped[datetime | None]
    notes: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class EncounterDiagnosis(Base):
    """Diagnosis entries associated with an encounter."""

    __tablename__ = "encounter_diagnoses"
    __table_args__ = (
        Index("idx_encounter_diagnoses_tenant_encounter", "tenant_id", "encounter_id"),
        Index("uq_encounter_diagnoses_encounter_sequence", "encounter_id", "sequence", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    encounter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("encounters.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    code_value_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("code_values.id"))
    diagnosis_code: Mapped[str | None]
    diagnosis_type: Mapped[str | None]
    sequence: Mapped[int] = mapped_column(server_default=text("1"))
    is_primary: Mapped[bool] = mapped_column(server_default=text("false"))
    notes: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class VitalSign(Base):
    """Time-stamped vital signs linked to patient and optional encounter."""

    __tablename__ = "vital_signs"
    __table_args__ = (
        Index("idx_vital_signs_tenant_patient_time", "tenant_id", "patient_id", "recorded_at"),
        Index("idx_vital_signs_encounter", "encounter_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    encounter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("encounters.id"))
    recorded_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    systolic_bp: Mapped[int | None]
    diastolic_bp: Mapped[int | None]
    heart_rate: Mapped[int | None]
    respiratory_rate: Mapped[int | None]
    temperature_c: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    spo2: Mapped[int | None]
    height_cm: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    bmi: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    pain_score: Mapped[int | None]
    notes: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class Procedure(Base):
    """Executed or planned procedure records linked to encounters and patients."""

    __tablename__ = "procedures"
    __table_args__ = (
        Index("idx_procedures_tenant_patient", "tenant_id", "patient_id", "created_at"),
        Index("idx_procedures_encounter", "encounter_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    encounter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("encounters.id"))
    provider_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    cdt_code: Mapped[str]
    tooth_number: Mapped[str | None]
    surface: Mapped[str | None]
    start_at: Mapped[datetime | None]
    end_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(server_default=ProcedureStatus.PLANNED)
    notes: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class ProcedureMaterial(Base):
    """Material usage records per procedure."""

    __tablename__ = "procedure_materials"
    __table_args__ = (
        Index("idx_procedure_materials_procedure", "procedure_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    procedure_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("procedures.id"))
    material_code: Mapped[str]
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    unit: Mapped[str | None]
    notes: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class ClinicalOutcome(Base):
    """Outcome and complication capture for procedures/encounters."""

    __tablename__ = "clinical_outcomes"
    __table_args__ = (
        Index("idx_clinical_outcomes_tenant_time", "tenant_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    procedure_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("procedures.id"))
    encounter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("encounters.id"))
    outcome_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    complications: Mapped[str | None]
    success_flag: Mapped[bool | None]
    notes: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
