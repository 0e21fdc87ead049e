"""Code systems, code values, the procedure catalog and fee schedules."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core_schema.models.base import Base

__all__ = ["CodeSystem", "CodeValue", "ProcedureCatalog", "FeeSchedule", "FeeScheduleItem"]


class CodeSystem(Base):
    """Code system registry (CDT, ICD10, SNOMED, internal)."""

    __tablename__ = "code_systems"
    __table_args__ = (
        Index("idx_code_systems_active", "tenant_id", "system_key", "is_active"),
        Index("uq_code_systems_scope_key_version", "tenant_id", "system_key", "version", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"))
    system_key: Mapped[str]
    name: Mapped[str]
    version: Mapped[str | None]
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class CodeValue(Base):
    """Code dictionary entries used for diagnosis, findings, and procedures."""

    __tablename__ = "code_values"
    __table_args__ = (
        Index("idx_code_values_lookup", "tenant_id", "system_id", "code", "is_active"),
        Index("idx_code_values_category", "tenant_id", "category", "is_active"),
        Index("idx_code_values_display_search", "system_id", "display"),
        Index("uq_code_values_scope_system_code", "tenant_id", "system_id", "code", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"))
    system_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("code_systems.id"))
    code: Mapped[str]
    display: Mapped[str]
    description: Mapped[str | None]
    category: Mapped[str | None]
    is_billable: Mapped[bool] = mapped_column(server_default=text("false"))
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    effective_from: Mapped[date | None]
    effective_to: Mapped[date | None]
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class ProcedureCatalog(Base):
    """Procedure metadata linked to code values for planning and billing."""

    __tablename__ = "procedure_catalog"
    __table_args__ = (
        Index("idx_procedure_catalog_active", "tenant_id", "is_active"),
        Index("idx_procedure_catalog_code", "code_value_id"),
        Index("uq_procedure_catalog_scope_code", "tenant_id", "code_value_id", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"))
    code_value_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("code_values.id"))
    procedure_type: Mapped[str | None]
    default_duration_min: Mapped[int | None]
    requires_tooth: Mapped[bool] = mapped_column(server_default=text("false"))
    requires_surface: Mapped[bool] = mapped_column(server_default=text("false"))
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class FeeSchedule(Base):
    """Fee schedule header for tenant/location/payer scopes."""

    __tablename__ = "fee_schedules"
    __table_args__ = (
        Index("idx_fee_schedules_active", "tenant_id", "is_active", "effective_from"),
        Index("uq_fee_schedules_scope_name_effective", "tenant_id", "scope_type", "scope_id", "name", "effective_from", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    name: Mapped[str]
    scope_type: Mapped[str] = mapped_column(server_default="TENANT")
    scope_id: Mapped[uuid.UUID | None]
    currency: Mapped[str] = mapped_column(server_default="USD")
    effective_from: Mapped[date]
    effective_to: Mapped[date | None]
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class FeeScheduleItem(Base):
    """Fee rows mapping procedures to monetary amounts per schedule."""

    __tablename__ = "fee_schedule_items"
    __table_args__ = (
        Index("idx_fee_schedule_items_schedule", "fee_schedule_id"),
        Index("idx_fee_schedule_items_procedure", "procedure_catalog_id"),
        Index("uq_fee_schedule_items_unique", "fee_schedule_id", "procedure_catalog_id", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    fee_schedule_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("fee_schedules.id"))
    procedure_catalog_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("procedure_catalog.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    min_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    max_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    unit: Mapped[str] = mapped_column(server_default="EACH")
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
