"""Drug reference, custom fields and configurable workflows."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core_schema.models.base import Base

__all__ = ["DrugReference", "CustomFieldDefinition", "CustomFieldValue", "Workflow", "WorkflowInstance"]


class DrugReference(Base):
    """Tenant-scoped or global medication reference coding."""

    __tablename__ = "drug_reference"
    __table_args__ = (
        Index("uq_drug_reference_scope_code", "tenant_id", "rxnorm_code", unique=True),
        Index("idx_drug_reference_name", "name", "is_active"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"))
    rxnorm_code: Mapped[str]
    name: Mapped[str]
    generic_name: Mapped[str | None]
    strength: Mapped[str | None]
    form: Mapped[str | None]
    route: Mapped[str | None]
    is_controlled: Mapped[bool] = mapped_column(server_default=text("false"))
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class CustomFieldDefinition(Base):
    """Tenant and entity scoped custom-field contracts."""

    __tablename__ = "custom_field_definitions"
    __table_args__ = (
        Index("uq_custom_field_definitions_scope", "tenant_id", "entity_type", "field_key", unique=True),
        Index("idx_custom_field_definitions_tenant_status", "tenant_id", "status", "updated_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    entity_type: Mapped[str]
    field_key: Mapped[str]
    label: Mapped[str]
    value_type: Mapped[str]
    is_required: Mapped[bool] = mapped_column(server_default=text("false"))
    is_indexed: Mapped[bool] = mapped_column(server_default=text("false"))
    validation_rules: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    default_value: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    status: Mapped[str] = mapped_column(server_default="ACTIVE")
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class CustomFieldValue(Base):
    """Runtime custom field values bound to polymorphic entities."""

    __tablename__ = "custom_field_values"
    __table_args__ = (
        Index("uq_custom_field_values_entity", "definition_id", "entity_type", "entity_id", unique=True),
        Index("idx_custom_field_values_tenant_entity", "tenant_id", "entity_type", "entity_id"),
        Index("idx_custom_field_values_definition", "definition_id", "recorded_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    definition_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("custom_field_definitions.id"))
    entity_type: Mapped[str]
    entity_id: Mapped[uuid.UUID]
    value_json: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    value_text: Mapped[str | None]
    value_number: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    value_boolean: Mapped[bool | None]
    value_date: Mapped[date | None]
    recorded_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class Workflow(Base):
    """Reusable configurable workflow definitions."""

    __tablename__ = "workflows"
    __table_args__ = (
        Index("uq_workflows_tenant_key_version", "tenant_id", "key", "version", unique=True),
        Index("idx_workflows_tenant_active", "tenant_id", "is_active", "updated_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    key: Mapped[str]
    name: Mapped[str]
    description: Mapped[str | None]
    workflow_type: Mapped[str] = mapped_column(server_default="OPERATIONAL")
    version: Mapped[int] = mapped_column(server_default=text("1"))
    definition: Mapped[Any] = mapped_column(JSONB, nullable=False)
    trigger_type: Mapped[str | None]
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class WorkflowInstance(Base):
    """Runtime workflow execution state records."""

    __tablename__ = "workflow_instances"
    __table_args__ = (
        Index("idx_workflow_instances_tenant_status", "tenant_id", "status", "created_at"),
        Index("idx_workflow_instances_workflow", "workflow_id", "created_at"),
        Index("idx_workflow_instances_entity", "entity_type", "entity_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    workflow_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workflows.id"))
    entity_type: Mapped[str | None]
    entity_id: Mapped[uuid.UUID | None]
    status: Mapped[str] = mapped_column(server_default="PENDING")
    input_payload: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    context: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    current_step: Mapped[str | None]
    started_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    error_message: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
