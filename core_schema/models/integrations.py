"""External systems, sync jobs, FHIR/DICOM exchange and webhooks."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core_schema.models.base import Base

__all__ = ["ExternalSystem", "TenantIntegration", "IntegrationCredential", "SyncJob", "SyncJobLog", "FhirResource", "DicomTransaction", "WebhookSubscription"]


class ExternalSystem(Base):
    """Registry of supported external systems and integration adapters."""

    __tablename__ = "external_systems"
    __table_args__ = (
        Index("external_systems_key_unique", "key", unique=True),
        Index("idx_external_systems_type_status", "system_type", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    key: Mapped[str]
    system_type: Mapped[str]
    name: Mapped[str]
    vendor: Mapped[str | None]
    version: Mapped[str | None]
    docs_url: Mapped[str | None]
    auth_type: Mapped[str | None]
    status: Mapped[str] = mapped_column(server_default="ACTIVE")
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class TenantIntegration(Base):
    """Tenant-level configured integrations bound to external systems."""

    __tablename__ = "tenant_integrations"
    __table_args__ = (
        Index("uq_tenant_integrations_scope", "tenant_id", "external_system_id", "display_name", unique=True),
        Index("idx_tenant_integrations_tenant_status", "tenant_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    external_system_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("external_systems.id"))
    system_type: Mapped[str]
    display_name: Mapped[str]
    status: Mapped[str] = mapped_column(server_default="ACTIVE")
    sync_mode: Mapped[str] = mapped_column(server_default="UNIDIRECTIONAL")
    config: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    last_synced_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class IntegrationCredential(Base):
    """Credential references and secure auth material metadata for integrations."""

    __tablename__ = "integration_credentials"
    __table_args__ = (
        Index("idx_integration_credentials_integration", "tenant_integration_id", "status"),
        Index("uq_integration_credentials_ref", "tenant_integration_id", "credential_type", "secret_ref", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_integration_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenant_integrations.id"))
    credential_type: Mapped[str]
    secret_ref: Mapped[str]
    auth_config: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    expires_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(server_default="ACTIVE")
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class SyncJob(Base):
    """Execution record for import/export sync workloads."""

    __tablename__ = "sync_jobs"
    __table_args__ = (
        Index("idx_sync_jobs_tenant_status", "tenant_id", "status", "created_at"),
        Index("idx_sync_jobs_integration", "tenant_integration_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    tenant_integration_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenant_integrations.id"))
    job_type: Mapped[str]
    direction: Mapped[str] = mapped_column(server_default="IMPORT")
    status: Mapped[str] = mapped_column(server_default="QUEUED")
    triggered_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    payload: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    processed_count: Mapped[int] = mapped_column(server_default=text("0"))
    success_count: Mapped[int] = mapped_column(server_default=text("0"))
    failure_count: Mapped[int] = mapped_column(server_default=text("0"))
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    error_summary: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class SyncJobLog(Base):
    """Log lines emitted by sync jobs."""

    __tablename__ = "sync_job_logs"
    __table_args__ = (
        Index("idx_sync_job_logs_job_time", "sync_job_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    sync_job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sync_jobs.id"))
    level: Mapped[str] = mapped_column(server_default="INFO")
    message: Mapped[str]
    details: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class FhirResource(Base):
    """Canonical storage for synchronized FHIR resources."""

    __tablename__ = "fhir_resources"
    __table_args__ = (
        Index("idx_fhir_resources_tenant_type", "tenant_id", "resource_type", "created_at"),
        Index("uq_fhir_resources_identity", "tenant_id", "resource_type", "resource_id", "resource_version", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patients.id"))
    resource_type: Mapped[str]
    resource_id: Mapped[str]
    resource_version: Mapped[str | None]
    source_system: Mapped[str | None]
    payload: Mapped[Any] = mapped_column(JSONB, nullable=False)
    hash: Mapped[str | None]
    last_synced_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class DicomTransaction(Base):
    """DICOM import/export transaction tracking for studies and objects."""

    __tablename__ = "dicom_transactions"
    __table_args__ = (
        Index("idx_dicom_transactions_tenant_status", "tenant_id", "status", "created_at"),
        Index("idx_dicom_transactions_study", "imaging_study_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    imaging_study_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("imaging_studies.id"))
    imaging_object_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("imaging_objects.id"))
    transaction_type: Mapped[str]
    direction: Mapped[str] = mapped_column(server_default="OUTBOUND")
    status: Mapped[str] = mapped_column(server_default="QUEUED")
    source_system: Mapped[str | None]
    request_payload: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    response_payload: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    received_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class WebhookSubscription(Base):
    """Outbound webhook subscription endpoints by tenant and event type."""

    __tablename__ = "webhook_subscriptions"
    __table_args__ = (
        Index("idx_webhook_subscriptions_tenant_active", "tenant_id", "is_active"),
        Index("uq_webhook_subscriptions_target", "tenant_id", "event_type", "target_url", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    event_type: Mapped[str]
    target_url: Mapped[str]
    secret_ref: Mapped[str | None]
    auth_config: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    retry_policy: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
