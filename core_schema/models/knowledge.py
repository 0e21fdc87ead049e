"""Knowledge base, conversations, messages, notifications, documents and referrals."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core_schema.models.base import Base

__all__ = ["KnowledgeDocument", "KnowledgeVersion", "KnowledgeLocalization", "Conversation", "ConversationParticipant", "Message", "Notification", "Document", "Referral"]


class KnowledgeDocument(Base):
    """Knowledge base document container for protocols and educational content."""

    __tablename__ = "knowledge_documents"
    __table_args__ = (
        Index("uq_knowledge_documents_tenant_slug", "tenant_id", "slug", unique=True),
        Index("idx_knowledge_documents_tenant_status", "tenant_id", "status", "updated_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    slug: Mapped[str]
    title: Mapped[str]
    category: Mapped[str | None]
    audience: Mapped[str | None]
    status: Mapped[str] = mapped_column(server_default="DRAFT")
    current_version_id: Mapped[uuid.UUID | None]
    tags: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    updated_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class KnowledgeVersion(Base):
    """Immutable version history for knowledge documents."""

    __tablename__ = "knowledge_versions"
    __table_args__ = (
        Index("uq_knowledge_versions_doc_number", "knowledge_document_id", "version_number", unique=True),
        Index("idx_knowledge_versions_tenant_status", "tenant_id", "status", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    knowledge_document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("knowledge_documents.id"))
    version_number: Mapped[int]
    title: Mapped[str]
    content: Mapped[str]
    content_format: Mapped[str] = mapped_column(server_default="MARKDOWN")
    change_summary: Mapped[str | None]
    status: Mapped[str] = mapped_column(server_default="DRAFT")
    approved_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    is_immutable: Mapped[bool] = mapped_column(server_default=text("true"))
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class KnowledgeLocalization(Base):
    """Locale-specific overrides for a knowledge version."""

    __tablename__ = "knowledge_localizations"
    __table_args__ = (
        Index("uq_knowledge_localizations_version_locale", "knowledge_version_id", "locale", unique=True),
        Index("idx_knowledge_localizations_tenant_locale", "tenant_id", "locale", "updated_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    knowledge_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("knowledge_versions.id"))
    locale: Mapped[str]
    localized_title: Mapped[str | None]
    localized_content: Mapped[str]
    region: Mapped[str | None]
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class Conversation(Base):
    """Conversation threads for team, patient, and workflow communication."""

    __tablename__ = "conversations"
    __table_args__ = (
        Index("idx_conversations_tenant_status", "tenant_id", "status", "updated_at"),
        Index("idx_conversations_tenant_type", "tenant_id", "conversation_type", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    conversation_type: Mapped[str] = mapped_column(server_default="TEAM")
    subject: Mapped[str | None]
    status: Mapped[str] = mapped_column(server_default="OPEN")
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class ConversationParticipant(Base):
    """User/patient membership in conversation threads."""

    __tablename__ = "conversation_participants"
    __table_args__ = (
        Index("idx_conversation_participants_conversation", "conversation_id", "role"),
        Index("idx_conversation_participants_user", "user_id", "conversation_id"),
        Index("idx_conversation_participants_patient", "patient_id", "conversation_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id"))
    participant_type: Mapped[str]
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patients.id"))
    role: Mapped[str] = mapped_column(server_default="PARTICIPANT")
    is_muted: Mapped[bool] = mapped_column(server_default=text("false"))
    joined_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    left_at: Mapped[datetime | None]
    last_read_at: Mapped[datetime | None]
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)


class Message(Base):
    """Message events within conversation threads."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("idx_messages_conversation_sent", "conversation_id", "sent_at"),
        Index("idx_messages_tenant_sender", "tenant_id", "sender_type", "sent_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id"))
    sender_type: Mapped[str]
    sender_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    sender_patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patients.id"))
    content_type: Mapped[str] = mapped_column(server_default="TEXT")
    content: Mapped[str]
    delivery_state: Mapped[str] = mapped_column(server_default="SENT")
    sent_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    edited_at: Mapped[datetime | None]
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class Notification(Base):
    """Delivery and read-state tracking across notification channels."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("idx_notifications_tenant_status", "tenant_id", "status", "created_at"),
        Index("idx_notifications_user_unread", "recipient_user_id", "read_at", "created_at"),
        Index("idx_notifications_patient_unread", "recipient_patient_id", "read_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    recipient_type: Mapped[str]
    recipient_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recipient_patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patients.id"))
    channel: Mapped[str] = mapped_column(server_default="IN_APP")
    event_type: Mapped[str]
    title: Mapped[str]
    body: Mapped[str | None]
    payload: Mapped[Any | None] = mapped_column(JSONB, nullable=True)
    status: Mapped[str] = mapped_column(server_default="PENDING")
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class Document(Base):
    """Tenant-scoped document storage with polymorphic ownership."""

    __tablename__ = "documents"
    __table_args__ = (
        Index("idx_documents_tenant_owner", "tenant_id", "owner_type", "owner_id"),
        Index("idx_documents_tenant_type", "tenant_id", "document_type", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    owner_type: Mapped[str]
    owner_id: Mapped[uuid.UUID]
    document_type: Mapped[str]
    title: Mapped[str | None]
    file_name: Mapped[str | None]
    mime_type: Mapped[str | None]
    storage_uri: Mapped[str]
    file_size_bytes: Mapped[int | None]
    hash: Mapped[str | None]
    signed_at: Mapped[datetime | None]
    signer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    uploaded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class Referral(Base):
    """Referral workflow for cross-provider or cross-tenant care coordination."""

    __tablename__ = "referrals"
    __table_args__ = (
        Index("idx_referrals_tenant_status", "tenant_id", "status", "created_at"),
        Index("idx_referrals_patient_status", "patient_id", "status", "created_at"),
        Index("idx_referrals_target_tenant", "to_tenant_id", "status", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("uuid_generate_v4()"))
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    encounter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("encounters.id"))
    from_tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"))
    to_tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"))
    referred_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    assigned_to_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    referral_type: Mapped[str] = mapped_column(server_default="EXTERNAL")
    priority: Mapped[str] = mapped_column(server_default="ROUTINE")
    status: Mapped[str] = mapped_column(server_default="DRAFT")
    reason: Mapped[str | None]
    notes: Mapped[str | None]
    referred_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    metadata_: Mapped[Any | None] = mapped_column("metadata", JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
