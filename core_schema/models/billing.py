"""Treatment plans, claims, subscription billing and usage metering."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core_schema.models.base import Base
from core_schema.statuses import PlanStatus

__all__ = ["TreatmentPlan", "TreatmentPlanItem", "Claim", "ClaimLine", "BillingPlan", "TenantBillingAccount", "UsageMeter", "UsageMeterReading", "Invoice", "InvoiceLineItem", "ClaimStatusEvent"]


class TreatmentPlan(Base):
    """High-level treatment plan for a patient."""

    __tablename__ = "treatment_plans"
    __table_args__ = (
        Index("idx_treatment_plans_tenant_patient", "tenant_id", "patient_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(server_default=PlanStatus.DRAFT)
    total_estimated_cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    estimated_insurance_coverage: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    notes: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class TreatmentPlanItem(Base):
    """Planned procedure within a treatment plan."""

    __tablename__ = "treatment_plan_items"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("treatment_plans.id"))
    cdt_code: Mapped[str]
    tooth_number: Mapped[str | None]
    surface: Mapped[str | None]
    phase: Mapped[int | None]
    sequence_order: Mapped[int | None]
    estimated_fee: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    estimated_patient_portion: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))


class Claim(Base):
    """Insurance claim header."""

    __tablename__ = "claims"
    __table_args__ = (
        Index("idx_claims_tenant_patient", "tenant_id", "patient_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    payer_id: Mapped[uuid.UUID | None]
    claim_number: Mapped[str | None]
    status: Mapped[str] = mapped_column(server_default="DRAFT")
    submitted_at: Mapped[datetime | None]
    total_billed_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    total_allowed_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    total_paid_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class ClaimLine(Base):
    """Individual service line within an insurance claim."""

    __tablename__ = "claim_lines"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    claim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("claims.id"))
    procedure_id: Mapped[uuid.UUID | None]
    cdt_code: Mapped[str]
    billed_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    allowed_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    paid_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    denial_reason: Mapped[str | None]


class BillingPlan(Base):
    """Platform billing plans defining subscription price and included quotas."""

    __tablename__ = "billing_plans"
    __table_args__ = (
        Index("billing_plans_code_unique", "code", unique=True),
        Index("idx_billing_plans_active", "is_active"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    code: Mapped[str]
    name: Mapped[str]
    billing_cycle: Mapped[str] = mapped_column(server_default="MONTHLY")
    currency: Mapped[str] = mapped_column(server_default="USD")
    base_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    included_seats: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    included_ai_calls: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    included_storage_gb: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    overage_policy: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class TenantBillingAccount(Base):
    """Tenant billing profile and payment account binding."""

    __tablename__ = "tenant_billing_accounts"
    __table_args__ = (
        Index("tenant_billing_accounts_tenant_unique", "tenant_id", unique=True),
        Index("idx_tenant_billing_accounts_status", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    billing_plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("billing_plans.id"))
    status: Mapped[str] = mapped_column(server_default="ACTIVE")
    billing_email: Mapped[str | None]
    billing_address: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    payment_provider: Mapped[str | None]
    payment_customer_ref: Mapped[str | None]
    payment_method_ref: Mapped[str | None]
    tax_id: Mapped[str | None]
    next_billing_date: Mapped[date | None]
    auto_pay: Mapped[bool] = mapped_column(server_default=text("true"))
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class UsageMeter(Base):
    """Meter definitions for billable usage dimensions."""

    __tablename__ = "usage_meters"
    __table_args__ = (
        Index("uq_usage_meters_scope_key", "tenant_id", "meter_key", unique=True),
        Index("idx_usage_meters_active", "tenant_id", "is_active"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"))
    meter_key: Mapped[str]
    unit: Mapped[str]
    aggregation_type: Mapped[str] = mapped_column(server_default="SUM")
    reset_period: Mapped[str] = mapped_column(server_default="MONTHLY")
    is_billable: Mapped[bool] = mapped_column(server_default=text("true"))
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class UsageMeterReading(Base):
    """Period-bound usage facts for billing reconciliation."""

    __tablename__ = "usage_meter_readings"
    __table_args__ = (
        Index("uq_usage_meter_readings_period", "usage_meter_id", "period_start", "period_end", unique=True),
        Index("idx_usage_meter_readings_tenant_meter", "tenant_id", "usage_meter_id", "period_start"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    usage_meter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("usage_meters.id"))
    period_start: Mapped[date]
    period_end: Mapped[date]
    reading_value: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    source: Mapped[str | None]
    captured_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class Invoice(Base):
    """Tenant invoice header for subscription and usage charges."""

    __tablename__ = "invoices"
    __table_args__ = (
        Index("uq_invoices_tenant_number", "tenant_id", "invoice_number", unique=True),
        Index("idx_invoices_tenant_status", "tenant_id", "status", "created_at"),
        Index("idx_invoices_billing_account", "tenant_billing_account_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    tenant_billing_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenant_billing_accounts.id"))
    invoice_number: Mapped[str | None]
    period_start: Mapped[date]
    period_end: Mapped[date]
    status: Mapped[str] = mapped_column(server_default="DRAFT")
    currency: Mapped[str] = mapped_column(server_default="USD")
    subtotal_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), server_default=text("0"))
    tax_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), server_default=text("0"))
    total_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), server_default=text("0"))
    outstanding_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), server_default=text("0"))
    issued_at: Mapped[datetime | None]
    due_date: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    notes: Mapped[str | None]
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class InvoiceLineItem(Base):
    """Invoice itemized charges."""

    __tablename__ = "invoice_line_items"
    __table_args__ = (
        Index("idx_invoice_line_items_invoice", "invoice_id"),
        Index("idx_invoice_line_items_usage_reading", "usage_meter_reading_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"))
    usage_meter_reading_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("usage_meter_readings.id"))
    line_type: Mapped[str] = mapped_column(server_default="SUBSCRIPTION")
    description: Mapped[str]
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 4), server_default=text("1"))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2), server_default=text("0"))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), server_default=text("0"))
    currency: Mapped[str] = mapped_column(server_default="USD")
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class ClaimStatusEvent(Base):
    """Append-only claim status transition events."""

    __tablename__ = "claim_status_events"
    __table_args__ = (
        Index("idx_claim_status_events_claim_time", "claim_id", "event_at"),
        Index("idx_claim_status_events_tenant_to_status", "tenant_id", "to_status", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    claim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("claims.id"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    from_status: Mapped[str | None]
    to_status: Mapped[str]
    status_code: Mapped[str | None]
    payer_message: Mapped[str | None]
    event_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    raw_payload: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
