"""Imaging studies and objects, AI models, inference jobs, predictions and reviews."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Numeric, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core_schema.models.base import Base
from core_schema.statuses import InferenceJobStatus

__all__ = ["ImagingStudy", "ImagingObject", "ImagingSeries", "ImageAnnotation", "AIModel", "AIModelVersion", "AIInferenceJob", "AIModelDeployment", "AIPrediction", "AIReviewEvent", "AIOutcomeLink"]


class ImagingStudy(Base):
    """Logical grouping for imaging acquisitions (DICOM Study)."""

    __tablename__ = "imaging_studies"
    __table_args__ = (
        Index("idx_imaging_studies_tenant_patient", "tenant_id", "patient_id", "acquisition_datetime"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    encounter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("encounters.id"))
    study_uid: Mapped[str | None]
    modality: Mapped[str]
    body_part: Mapped[str | None]
    acquisition_datetime: Mapped[datetime | None]
    source_system: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class ImagingObject(Base):
    """Individual image, series instance, or 3D volume file."""

    __tablename__ = "imaging_objects"
    __table_args__ = (
        Index("idx_imaging_objects_study", "study_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    study_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("imaging_studies.id"))
    series_id: Mapped[uuid.UUID | None]
    sop_instance_uid: Mapped[str | None]
    object_type: Mapped[str]
    storage_uri: Mapped[str]
    hash: Mapped[str | None]
    byte_size: Mapped[int | None] = mapped_column(BigInteger)
    width: Mapped[int | None]
    height: Mapped[int | None]
    depth_slices: Mapped[int | None]
    is_original: Mapped[bool] = mapped_column(server_default=text("true"))
    processing_pipeline: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class ImagingSeries(Base):
    """Series-level grouping for study acquisitions."""

    __tablename__ = "imaging_series"
    __table_args__ = (
        Index("idx_imaging_series_study", "study_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    study_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("imaging_studies.id"))
    series_uid: Mapped[str | None]
    series_number: Mapped[str | None]
    modality: Mapped[str | None]
    body_part: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class ImageAnnotation(Base):
    """ROI and label annotations for imaging objects by AI or human users."""

    __tablename__ = "image_annotations"
    __table_args__ = (
        Index("idx_image_annotations_object", "imaging_object_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    imaging_object_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("imaging_objects.id"))
    annotation_type: Mapped[str]
    annotation_data: Mapped[Any] = mapped_column(JSONB, nullable=False)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class AIModel(Base):
    """Logical AI model family (e.g., caries detection, perio)."""

    __tablename__ = "ai_models"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    name: Mapped[str]
    domain: Mapped[str]
    vendor: Mapped[str]
    regulatory_class: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class AIModelVersion(Base):
    """Concrete version of an AI model, with performance metadata."""

    __tablename__ = "ai_model_versions"
    __table_args__ = (
        Index("idx_ai_model_versions_model_version", "model_id", "version_tag", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    model_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ai_models.id"))
    version_tag: Mapped[str]
    artifact_uri: Mapped[str]
    input_types: Mapped[Any] = mapped_column(JSONB, nullable=False)
    output_types: Mapped[Any] = mapped_column(JSONB, nullable=False)
    performance_metrics: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    validated_on: Mapped[datetime | None]
    validation_summary_uri: Mapped[str | None]
    sbom_uri: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class AIInferenceJob(Base):
    """A single AI inference run on a given input (study, patient snapshot, etc.)."""

    __tablename__ = "ai_inference_jobs"
    __table_args__ = (
        Index("idx_ai_jobs_tenant_model_status", "tenant_id", "model_version_id", "status", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    model_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ai_model_versions.id"))
    input_type: Mapped[str]
    input_ref_id: Mapped[uuid.UUID]
    requested_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(server_default=InferenceJobStatus.QUEUED)
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    compute_env: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    error_details: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class AIModelDeployment(Base):
    """Deployment state and rollout strategy per model version."""

    __tablename__ = "ai_model_deployments"
    __table_args__ = (
        Index("idx_ai_model_deployments_tenant_status", "tenant_id", "status", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"))
    model_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ai_model_versions.id"))
    status: Mapped[str] = mapped_column(server_default="ROLLED_OUT")
    rollout_strategy: Mapped[str | None]
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class AIPrediction(Base):
    """Atomic AI prediction/finding produced by an inference job."""

    __tablename__ = "ai_predictions"
    __table_args__ = (
        Index("idx_ai_predictions_tenant_patient", "tenant_id", "patient_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ai_inference_jobs.id"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patients.id"))
    imaging_object_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("imaging_objects.id"))
    prediction_type: Mapped[str]
    code: Mapped[str | None]
    confidence: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    severity: Mapped[str | None]
    roi_annotation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("image_annotations.id"))
    raw_output: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class AIReviewEvent(Base):
    """Human review actions on AI predictions."""

    __tablename__ = "ai_review_events"
    __table_args__ = (
        Index("idx_ai_review_events_prediction", "prediction_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    prediction_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ai_predictions.id"))
    reviewer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    review_action: Mapped[str]
    reason_code: Mapped[str | None]
    comment: Mapped[str | None]
    use_for_training: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class AIOutcomeLink(Base):
    """Link prediction outputs with ground-truth clinical outcomes."""

    __tablename__ = "ai_outcome_links"
    __table_args__ = (
        Index("idx_ai_outcome_links_prediction", "prediction_id", "evaluation_timestamp"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    prediction_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ai_predictions.id"))
    encounter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("encounters.id"))
    procedure_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("procedures.id"))
    ground_truth_code: Mapped[str | None]
    ground_truth_source: Mapped[str | None]
    evaluation_timestamp: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
