"""Tenancy, identity, access control, consent and compliance logs."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, text
from sqlalchemy.dialects.postgresql import INET, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core_schema.models.base import Base
from core_schema.statuses import RecordStatus

__all__ = ["Tenant", "Location", "TenantSetting", "TenantBranding", "SubscriptionPlan", "TenantSubscription", "TenantFeature", "TenantQuota", "Team", "TeamMember", "UserAuthIdentity", "UserRole", "User", "ApiClient", "AuthSession", "UserTenant", "Role", "Permission", "RolePermission", "AuditEvent", "Consent", "PHIAccessLog", "DataRetentionPolicy", "LegalHold", "LegalHoldLink"]


class Tenant(Base):
    """Top-level organization (solo practice, group, DSO, academic, payer, regulator, AI vendor)."""

    __tablename__ = "tenants"
    __table_args__ = (
        Index("idx_tenants_parent", "parent_tenant_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    name: Mapped[str]
    type: Mapped[str]
    parent_tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"))
    primary_region: Mapped[str | None]
    default_locale: Mapped[str] = mapped_column(server_default="en-US")
    supported_locales: Mapped[Any] = mapped_column(JSONB, nullable=False, server_default=text('\'["en-US"]\'::jsonb'))
    supported_languages: Mapped[Any] = mapped_column(JSONB, nullable=False, server_default=text('\'["en"]\'::jsonb'))
    partition_strategy: Mapped[str] = mapped_column(server_default="ROW_LEVEL")
    status: Mapped[str] = mapped_column(server_default="ACTIVE")
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class Location(Base):
    """Physical or virtual clinic sites belonging to a tenant."""

    __tablename__ = "locations"
    __table_args__ = (
        Index("idx_locations_tenant", "tenant_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    name: Mapped[str]
    address: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    timezone: Mapped[str | None]
    status: Mapped[str] = mapped_column(server_default="ACTIVE")
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class TenantSetting(Base):
    """Per-tenant operational configuration and defaults."""

    __tablename__ = "tenant_settings"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    data_residency_region: Mapped[str | None]
    default_retention_policy: Mapped[str | None]
    localization_defaults: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    clinical_workflow_options: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class TenantBranding(Base):
    """White-label branding assets and communication identity."""

    __tablename__ = "tenant_branding"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    logo_uri: Mapped[str | None]
    icon_uri: Mapped[str | None]
    primary_color: Mapped[str | None]
    secondary_color: Mapped[str | None]
    email_from_name: Mapped[str | None]
    email_reply_to: Mapped[str | None]
    custom_css_uri: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class SubscriptionPlan(Base):
    """Catalog of commercial subscription plans."""

    __tablename__ = "subscription_plans"
    __table_args__ = (
        Index("subscription_plans_code_unique", "code", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    code: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    tier: Mapped[str]
    monthly_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    annual_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    features: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class TenantSubscription(Base):
    """Subscription instances per tenant."""

    __tablename__ = "tenant_subscriptions"
    __table_args__ = (
        Index("idx_tenant_subscriptions_tenant_status", "tenant_id", "status", "start_at"),
        Index("idx_tenant_subscriptions_plan", "plan_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subscription_plans.id"))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(server_default="ACTIVE")
    billing_cycle: Mapped[str] = mapped_column(server_default="MONTHLY")
    trial_ends_at: Mapped[datetime | None]
    auto_renew: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class TenantFeature(Base):
    """Feature flag assignments for tenant capabilities."""

    __tablename__ = "tenant_features"
    __table_args__ = (
        Index("idx_tenant_features_tenant_enabled", "tenant_id", "is_enabled"),
        Index("uq_tenant_features_tenant_feature", "tenant_id", "feature_key", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    feature_key: Mapped[str]
    is_enabled: Mapped[bool] = mapped_column(server_default=text("true"))
    source: Mapped[str] = mapped_column(server_default="PLAN")
    expires_at: Mapped[datetime | None]
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class TenantQuota(Base):
    """Configurable limits per tenant."""

    __tablename__ = "tenant_quotas"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    max_users: Mapped[int | None]
    max_storage_bytes: Mapped[Decimal | None] = mapped_column(Numeric(20, 0))
    max_ai_inferences_per_month: Mapped[int | None]
    api_rate_limit_per_minute: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class Team(Base):
    """Logical team structure within a tenant."""

    __tablename__ = "teams"
    __table_args__ = (
        Index("idx_teams_tenant_location", "tenant_id", "location_id"),
        Index("uq_teams_tenant_name", "tenant_id", "name", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("locations.id"))
    name: Mapped[str]
    description: Mapped[str | None]
    status: Mapped[str] = mapped_column(server_default="ACTIVE")
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class TeamMember(Base):
    """Assignment of users to teams with optional location scope."""

    __tablename__ = "team_members"
    __table_args__ = (
        Index("idx_team_members_user", "user_id"),
        Index("idx_team_members_team_status", "team_id", "status"),
    )

    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("locations.id"))
    role_in_team: Mapped[str | None]
    joined_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    status: Mapped[str] = mapped_column(server_default="ACTIVE")


class UserAuthIdentity(Base):
    """Authentication identities and provider mappings per user."""

    __tablename__ = "user_auth_identities"
    __table_args__ = (
        Index("idx_user_auth_identities_user", "user_id"),
        Index("uq_user_auth_identities_provider_uid", "provider", "provider_user_id", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    provider: Mapped[str]
    provider_user_id: Mapped[str]
    email: Mapped[str | None]
    password_hash: Mapped[str | None]
    mfa_secret: Mapped[str | None]
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class UserRole(Base):
    """Role assignments with tenant and optional location/team scope."""

    __tablename__ = "user_roles"
    __table_args__ = (
        Index("idx_user_roles_user_tenant", "user_id", "tenant_id"),
        Index("idx_user_roles_role_tenant", "role_id", "tenant_id"),
        Index("uq_user_roles_assignment", "user_id", "role_id", "tenant_id", "location_id", "team_id", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("roles.id"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("locations.id"))
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teams.id"))
    resource_scope: Mapped[str] = mapped_column(server_default="ALL_LOCATIONS")
    valid_from: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class User(Base):
    """Global user identity; related to tenants via user_tenants."""

    __tablename__ = "users"
    __table_args__ = (
        Index("users_email_unique", "email", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    email: Mapped[str] = mapped_column(unique=True)
    full_name: Mapped[str]
    preferred_locale: Mapped[str | None]
    preferred_language: Mapped[str | None]
    status: Mapped[str] = mapped_column(server_default=RecordStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class ApiClient(Base):
    """Machine-to-machine client credentials (service accounts) for integrations and AI agents."""

    __tablename__ = "api_clients"
    __table_args__ = (
        Index("idx_api_clients_tenant", "tenant_id"),
        Index("api_clients_client_id_unique", "client_id", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"))
    client_id: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    description: Mapped[str | None]
    client_secret_hash: Mapped[str]
    scopes: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    rate_limit_per_minute: Mapped[int | None]
    ip_allowlist: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class AuthSession(Base):
    """OPTIONAL audit log of user authentication sessions."""

    __tablename__ = "sessions"
    __table_args__ = (
        Index("idx_sessions_user_active", "user_id", "expires_at", postgresql_where=text("revoked_at IS NULL")),
        Index("idx_sessions_tenant", "tenant_id", "created_at"),
        Index("idx_sessions_token_hash", "token_hash", unique=True),
        Index("idx_sessions_cleanup", "expires_at", postgresql_where=text("revoked_at IS NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    token_hash: Mapped[str]
    ip_address: Mapped[str | None] = mapped_column(INET)
    user_agent: Mapped[str | None]
    device_info: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    last_activity_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class UserTenant(Base):
    """Membership of a user in a tenant with a given user type."""

    __tablename__ = "user_tenants"
    __table_args__ = (
        Index("idx_user_tenants_tenant", "tenant_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    default_location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("locations.id"))
    user_type: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class Role(Base):
    """RBAC roles, optionally tenant-scoped."""

    __tablename__ = "roles"
    __table_args__ = (
        Index("idx_roles_tenant_name", "tenant_id", "name", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"))
    name: Mapped[str]
    description: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class Permission(Base):
    """Atomic permissions used in RBAC and ABAC."""

    __tablename__ = "permissions"
    __table_args__ = (
        Index("permissions_key_unique", "key", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    key: Mapped[str] = mapped_column(unique=True)
    description: Mapped[str | None]


class RolePermission(Base):
    """Many-to-many mapping between roles and permissions."""

    __tablename__ = "role_permissions"

    role_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("roles.id"), primary_key=True)
    permission_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("permissions.id"), primary_key=True)


class AuditEvent(Base):
    """Immutable log of security- and compliance-relevant events."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("idx_audit_tenant_time", "tenant_id", "occurred_at"),
        Index("idx_audit_resource", "resource_type", "resource_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"))
    actor_type: Mapped[str]
    actor_id: Mapped[uuid.UUID | None]
    event_type: Mapped[str]
    resource_type: Mapped[str | None]
    resource_id: Mapped[uuid.UUID | None]
    occurred_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    ip_address: Mapped[str | None] = mapped_column(INET)
    user_agent: Mapped[str | None]
    request_id: Mapped[str | None]
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)


class Consent(Base):
    """Consent state for patient/provider/tenant operations like AI analysis and recording."""

    __tablename__ = "consents"
    __table_args__ = (
        Index("idx_consents_subject", "tenant_id", "subject_type", "subject_id", "consent_type"),
        Index("idx_consents_active", "tenant_id", "consent_type", "status", "expires_at", postgresql_where=text("status = 'GRANTED'")),
        Index("uq_consents_subject_type_scope_active", "tenant_id", "subject_type", "subject_id", "consent_type", "status", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    subject_type: Mapped[str]
    subject_id: Mapped[uuid.UUID]
    consent_type: Mapped[str]
    scope: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    status: Mapped[str] = mapped_column(server_default="GRANTED")
    granted_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    revoked_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    source: Mapped[str | None]
    document_uri: Mapped[str | None]
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class PHIAccessLog(Base):
    """Immutable access log for PHI-bearing resources."""

    __tablename__ = "phi_access_logs"
    __table_args__ = (
        Index("idx_phi_access_tenant_time", "tenant_id", "occurred_at"),
        Index("idx_phi_access_patient_time", "tenant_id", "patient_id", "occurred_at", postgresql_where=text("patient_id IS NOT NULL")),
        Index("idx_phi_access_resource", "tenant_id", "resource_type", "resource_id", "occurred_at"),
        Index("idx_phi_access_actor", "tenant_id", "actor_type", "actor_id", "occurred_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    actor_type: Mapped[str]
    actor_id: Mapped[uuid.UUID | None]
    patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patients.id"))
    resource_type: Mapped[str]
    resource_id: Mapped[uuid.UUID]
    access_type: Mapped[str]
    purpose_of_use: Mapped[str | None]
    request_id: Mapped[str | None]
    ip_address: Mapped[str | None] = mapped_column(INET)
    user_agent: Mapped[str | None]
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class DataRetentionPolicy(Base):
    """Retention and archival policy by tenant and data class."""

    __tablename__ = "data_retention_policies"
    __table_args__ = (
        Index("idx_retention_tenant_class", "tenant_id", "data_class", "is_active"),
        Index("uq_retention_policy_tenant_data_class_active", "tenant_id", "data_class", "is_active", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    data_class: Mapped[str]
    retention_unit: Mapped[str] = mapped_column(server_default="DAYS")
    retention_value: Mapped[int]
    archive_after_value: Mapped[int | None]
    archive_storage_class: Mapped[str | None]
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class LegalHold(Base):
    """Legal hold directives that prevent deletion/archival."""

    __tablename__ = "legal_holds"
    __table_args__ = (
        Index("idx_legal_holds_tenant_status", "tenant_id", "status", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    hold_name: Mapped[str]
    reason: Mapped[str | None]
    status: Mapped[str] = mapped_column(server_default="ACTIVE")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    released_at: Mapped[datetime | None]
    released_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class LegalHoldLink(Base):
    """Scope links for legal holds by entity or data class."""

    __tablename__ = "legal_hold_links"
    __table_args__ = (
        Index("idx_legal_hold_links_lookup", "tenant_id", "entity_type", "entity_id"),
        Index("idx_legal_hold_links_hold", "legal_hold_id", "tenant_id"),
        Index("uq_legal_hold_link", "legal_hold_id", "entity_type", "entity_id", "data_class", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    legal_hold_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("legal_holds.id"))
    entity_type: Mapped[str]
    entity_id: Mapped[uuid.UUID | None]
    data_class: Mapped[str | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
