"""Spec schema: all 108 tables of the core and agent-extension specs.

agent_memories.embedding is vector(1536) with an ivfflat index where pgvector is installable,
and real[] without an index elsewhere (see README, "pgvector").

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def _available(extension: str) -> bool:
    sql = "SELECT count(*) FROM pg_available_extensions WHERE name = %(name)s"
    return bool(op.get_bind().exec_driver_sql(sql, {"name": extension}).scalar())


def upgrade() -> None:
    has_vector = _available("vector")
    if _available("uuid-ossp"):
        op.execute('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"')
    else:  # embedded PostgreSQL ships without contrib: same name, core implementation
        op.execute("CREATE FUNCTION uuid_generate_v4() RETURNS uuid LANGUAGE sql VOLATILE AS 'SELECT gen_random_uuid()'")
    if has_vector:
        op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    embedding_type = Vector(1536) if has_vector else postgresql.ARRAY(postgresql.REAL())
    op.create_table('ai_models',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('domain', sa.Text(), nullable=False),
    sa.Column('vendor', sa.Text(), nullable=False),
    sa.Column('regulatory_class', sa.Text(), nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('ai_models_pkey'))
    )
    op.create_table('billing_plans',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('code', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('billing_cycle', sa.Text(), server_default='MONTHLY', nullable=False),
    sa.Column('currency', sa.Text(), server_default='USD', nullable=False),
    sa.Column('base_price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('included_seats', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('included_ai_calls', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('included_storage_gb', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('overage_policy', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('billing_plans_pkey'))
    )
    op.create_index('billing_plans_code_unique', 'billing_plans', ['code'], unique=True)
    op.create_index('idx_billing_plans_active', 'billing_plans', ['is_active'], unique=False)
    op.create_table('external_systems',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('system_type', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('vendor', sa.Text(), nullable=True),
    sa.Column('version', sa.Text(), nullable=True),
    sa.Column('docs_url', sa.Text(), nullable=True),
    sa.Column('auth_type', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default='ACTIVE', nullable=False),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('external_systems_pkey'))
    )
    op.create_index('external_systems_key_unique', 'external_systems', ['key'], unique=True)
    op.create_index('idx_external_systems_type_status', 'external_systems', ['system_type', 'status'], unique=False)
    op.create_table('permissions',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('permissions_pkey')),
    sa.UniqueConstraint('key', name=op.f('permissions_key_key'))
    )
    op.create_index('permissions_key_unique', 'permissions', ['key'], unique=True)
    op.create_table('subscription_plans',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('code', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('tier', sa.Text(), nullable=False),
    sa.Column('monthly_price', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('annual_price', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('features', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('subscription_plans_pkey')),
    sa.UniqueConstraint('code', name=op.f('subscription_plans_code_key'))
    )
    op.create_index('subscription_plans_code_unique', 'subscription_plans', ['code'], unique=True)
    op.create_table('tenants',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('type', sa.Text(), nullable=False),
    sa.Column('parent_tenant_id', sa.UUID(), nullable=True),
    sa.Column('primary_region', sa.Text(), nullable=True),
    sa.Column('default_locale', sa.Text(), server_default='en-US', nullable=False),
    sa.Column('supported_locales', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text('\'["en-US"]\'::jsonb'), nullable=False),
    sa.Column('supported_languages', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text('\'["en"]\'::jsonb'), nullable=False),
    sa.Column('partition_strategy', sa.Text(), server_default='ROW_LEVEL', nullable=False),
    sa.Column('status', sa.Text(), server_default='ACTIVE', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['parent_tenant_id'], ['tenants.id'], name=op.f('tenants_parent_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('tenants_pkey'))
    )
    op.create_index('idx_tenants_parent', 'tenants', ['parent_tenant_id'], unique=False)
    op.create_table('users',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('email', sa.Text(), nullable=False),
    sa.Column('full_name', sa.Text(), nullable=False),
    sa.Column('preferred_locale', sa.Text(), nullable=True),
    sa.Column('preferred_language', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default='ACTIVE', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('users_pkey')),
    sa.UniqueConstraint('email', name=op.f('users_email_key'))
    )
    op.create_index('users_email_unique', 'users', ['email'], unique=True)
    op.create_table('agent_tools',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.Text(), nullable=False),
    sa.Column('function_schema', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('implementation_type', sa.Text(), nullable=False),
    sa.Column('endpoint_uri', sa.Text(), nullable=True),
    sa.Column('auth_config', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('timeout_ms', sa.Integer(), server_default=sa.text('30000'), nullable=False),
    sa.Column('retry_policy', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('rate_limit', sa.Integer(), nullable=True),
    sa.Column('requires_approval', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('agent_tools_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('agent_tools_pkey')),
    sa.UniqueConstraint('name', name=op.f('agent_tools_name_key'))
    )
    op.create_index('agent_tools_name_unique', 'agent_tools', ['name'], unique=True)
    op.create_index('idx_agent_tools_tenant_active', 'agent_tools', ['tenant_id', 'is_active'], unique=False)
    op.create_table('agent_workflows',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('workflow_type', sa.Text(), nullable=False),
    sa.Column('graph_definition', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('entry_node', sa.Text(), nullable=False),
    sa.Column('exit_nodes', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('version', sa.Text(), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_by_id', sa.UUID(), nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('agent_workflows_created_by_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('agent_workflows_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('agent_workflows_pkey'))
    )
    op.create_index('idx_agent_workflows_tenant_active', 'agent_workflows', ['tenant_id', 'is_active'], unique=False)
    op.create_table('ai_model_versions',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('model_id', sa.UUID(), nullable=False),
    sa.Column('version_tag', sa.Text(), nullable=False),
    sa.Column('artifact_uri', sa.Text(), nullable=False),
    sa.Column('input_types', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('output_types', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('performance_metrics', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('validated_on', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('validation_summary_uri', sa.Text(), nullable=True),
    sa.Column('sbom_uri', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['model_id'], ['ai_models.id'], name=op.f('ai_model_versions_model_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('ai_model_versions_pkey'))
    )
    op.create_index('idx_ai_model_versions_model_version', 'ai_model_versions', ['model_id', 'version_tag'], unique=True)
    op.create_table('api_clients',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=True),
    sa.Column('client_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('client_secret_hash', sa.Text(), nullable=False),
    sa.Column('scopes', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('rate_limit_per_minute', sa.Integer(), nullable=True),
    sa.Column('ip_allowlist', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('api_clients_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('api_clients_pkey')),
    sa.UniqueConstraint('client_id', name=op.f('api_clients_client_id_key'))
    )
    op.create_index('api_clients_client_id_unique', 'api_clients', ['client_id'], unique=True)
    op.create_index('idx_api_clients_tenant', 'api_clients', ['tenant_id'], unique=False)
    op.create_table('audit_events',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=True),
    sa.Column('actor_type', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.UUID(), nullable=True),
    sa.Column('event_type', sa.Text(), nullable=False),
    sa.Column('resource_type', sa.Text(), nullable=True),
    sa.Column('resource_id', sa.UUID(), nullable=True),
    sa.Column('occurred_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('ip_address', postgresql.INET(), nullable=True),
    sa.Column('user_agent', sa.Text(), nullable=True),
    sa.Column('request_id', sa.Text(), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('audit_events_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('audit_events_pkey'))
    )
    op.create_index('idx_audit_resource', 'audit_events', ['resource_type', 'resource_id'], unique=False)
    op.create_index('idx_audit_tenant_time', 'audit_events', ['tenant_id', 'occurred_at'], unique=False)
    op.create_table('code_systems',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=True),
    sa.Column('system_key', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('version', sa.Text(), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('code_systems_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('code_systems_pkey'))
    )
    op.create_index('idx_code_systems_active', 'code_systems', ['tenant_id', 'system_key', 'is_active'], unique=False)
    op.create_index('uq_code_systems_scope_key_version', 'code_systems', ['tenant_id', 'system_key', 'version'], unique=True)
    op.create_table('consents',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('subject_type', sa.Text(), nullable=False),
    sa.Column('subject_id', sa.UUID(), nullable=False),
    sa.Column('consent_type', sa.Text(), nullable=False),
    sa.Column('scope', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('status', sa.Text(), server_default='GRANTED', nullable=False),
    sa.Column('granted_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('revoked_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('expires_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('document_uri', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.UUID(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('consents_recorded_by_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('consents_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('consents_pkey'))
    )
    op.create_index('idx_consents_active', 'consents', ['tenant_id', 'consent_type', 'status', 'expires_at'], unique=False, postgresql_where=sa.text("status = 'GRANTED'"))
    op.create_index('idx_consents_subject', 'consents', ['tenant_id', 'subject_type', 'subject_id', 'consent_type'], unique=False)
    op.create_index('uq_consents_subject_type_scope_active', 'consents', ['tenant_id', 'subject_type', 'subject_id', 'consent_type', 'status'], unique=True)
    op.create_table('conversations',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('conversation_type', sa.Text(), server_default='TEAM', nullable=False),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default='OPEN', nullable=False),
    sa.Column('created_by_user_id', sa.UUID(), nullable=True),
    sa.Column('closed_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('conversations_created_by_user_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('conversations_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('conversations_pkey'))
    )
    op.create_index('idx_conversations_tenant_status', 'conversations', ['tenant_id', 'status', 'updated_at'], unique=False)
    op.create_index('idx_conversations_tenant_type', 'conversations', ['tenant_id', 'conversation_type', 'created_at'], unique=False)
    op.create_table('custom_field_definitions',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('entity_type', sa.Text(), nullable=False),
    sa.Column('field_key', sa.Text(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('value_type', sa.Text(), nullable=False),
    sa.Column('is_required', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('is_indexed', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('validation_rules', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('default_value', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('status', sa.Text(), server_default='ACTIVE', nullable=False),
    sa.Column('created_by_user_id', sa.UUID(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('custom_field_definitions_created_by_user_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('custom_field_definitions_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('custom_field_definitions_pkey'))
    )
    op.create_index('idx_custom_field_definitions_tenant_status', 'custom_field_definitions', ['tenant_id', 'status', 'updated_at'], unique=False)
    op.create_index('uq_custom_field_definitions_scope', 'custom_field_definitions', ['tenant_id', 'entity_type', 'field_key'], unique=True)
    op.create_table('data_retention_policies',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('data_class', sa.Text(), nullable=False),
    sa.Column('retention_unit', sa.Text(), server_default='DAYS', nullable=False),
    sa.Column('retention_value', sa.Integer(), nullable=False),
    sa.Column('archive_after_value', sa.Integer(), nullable=True),
    sa.Column('archive_storage_class', sa.Text(), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_by_id', sa.UUID(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('data_retention_policies_created_by_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('data_retention_policies_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('data_retention_policies_pkey'))
    )
    op.create_index('idx_retention_tenant_class', 'data_retention_policies', ['tenant_id', 'data_class', 'is_active'], unique=False)
    op.create_index('uq_retention_policy_tenant_data_class_active', 'data_retention_policies', ['tenant_id', 'data_class', 'is_active'], unique=True)
    op.create_table('documents',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('owner_type', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.UUID(), nullable=False),
    sa.Column('document_type', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('file_name', sa.Text(), nullable=True),
    sa.Column('mime_type', sa.Text(), nullable=True),
    sa.Column('storage_uri', sa.Text(), nullable=False),
    sa.Column('file_size_bytes', sa.Integer(), nullable=True),
    sa.Column('hash', sa.Text(), nullable=True),
    sa.Column('signed_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('signer_id', sa.UUID(), nullable=True),
    sa.Column('uploaded_by_user_id', sa.UUID(), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['signer_id'], ['users.id'], name=op.f('documents_signer_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('documents_tenant_id_fkey')),
    sa.ForeignKeyConstraint(['uploaded_by_user_id'], ['users.id'], name=op.f('documents_uploaded_by_user_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('documents_pkey'))
    )
    op.create_index('idx_documents_tenant_owner', 'documents', ['tenant_id', 'owner_type', 'owner_id'], unique=False)
    op.create_index('idx_documents_tenant_type', 'documents', ['tenant_id', 'document_type', 'created_at'], unique=False)
    op.create_table('drug_reference',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=True),
    sa.Column('rxnorm_code', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('generic_name', sa.Text(), nullable=True),
    sa.Column('strength', sa.Text(), nullable=True),
    sa.Column('form', sa.Text(), nullable=True),
    sa.Column('route', sa.Text(), nullable=True),
    sa.Column('is_controlled', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('drug_reference_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('drug_reference_pkey'))
    )
    op.create_index('idx_drug_reference_name', 'drug_reference', ['name', 'is_active'], unique=False)
    op.create_index('uq_drug_reference_scope_code', 'drug_reference', ['tenant_id', 'rxnorm_code'], unique=True)
    op.create_table('fee_schedules',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('scope_type', sa.Text(), server_default='TENANT', nullable=False),
    sa.Column('scope_id', sa.UUID(), nullable=True),
    sa.Column('currency', sa.Text(), server_default='USD', nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fee_schedules_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('fee_schedules_pkey'))
    )
    op.create_index('idx_fee_schedules_active', 'fee_schedules', ['tenant_id', 'is_active', 'effective_from'], unique=False)
    op.create_index('uq_fee_schedules_scope_name_effective', 'fee_schedules', ['tenant_id', 'scope_type', 'scope_id', 'name', 'effective_from'], unique=True)
    op.create_table('knowledge_documents',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('slug', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('category', sa.Text(), nullable=True),
    sa.Column('audience', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default='DRAFT', nullable=False),
    sa.Column('current_version_id', sa.UUID(), nullable=True),
    sa.Column('tags', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_by_user_id', sa.UUID(), nullable=True),
    sa.Column('updated_by_user_id', sa.UUID(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('knowledge_documents_created_by_user_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('knowledge_documents_tenant_id_fkey')),
    sa.ForeignKeyConstraint(['updated_by_user_id'], ['users.id'], name=op.f('knowledge_documents_updated_by_user_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('knowledge_documents_pkey'))
    )
    op.create_index('idx_knowledge_documents_tenant_status', 'knowledge_documents', ['tenant_id', 'status', 'updated_at'], unique=False)
    op.create_index('uq_knowledge_documents_tenant_slug', 'knowledge_documents', ['tenant_id', 'slug'], unique=True)
    op.create_table('legal_holds',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('hold_name', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default='ACTIVE', nullable=False),
    sa.Column('created_by_id', sa.UUID(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('released_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('released_by_id', sa.UUID(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('legal_holds_created_by_id_fkey')),
    sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('legal_holds_released_by_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('legal_holds_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('legal_holds_pkey'))
    )
    op.create_index('idx_legal_holds_tenant_status', 'legal_holds', ['tenant_id', 'status', 'created_at'], unique=False)
    op.create_table('locations',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('address', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('timezone', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default='ACTIVE', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('locations_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('locations_pkey'))
    )
    op.create_index('idx_locations_tenant', 'locations', ['tenant_id'], unique=False)
    op.create_table('roles',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('roles_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('roles_pkey'))
    )
    op.create_index('idx_roles_tenant_name', 'roles', ['tenant_id', 'name'], unique=True)
    op.create_table('sessions',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('token_hash', sa.Text(), nullable=False),
    sa.Column('ip_address', postgresql.INET(), nullable=True),
    sa.Column('user_agent', sa.Text(), nullable=True),
    sa.Column('device_info', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('last_activity_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', postgresql.TIMESTAMP(timezone=True), nullable=False),
    sa.Column('revoked_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('sessions_tenant_id_fkey')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('sessions_user_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('sessions_pkey'))
    )
    op.create_index('idx_sessions_cleanup', 'sessions', ['expires_at'], unique=False, postgresql_where=sa.text('revoked_at IS NULL'))
    op.create_index('idx_sessions_tenant', 'sessions', ['tenant_id', 'created_at'], unique=False)
    op.create_index('idx_sessions_token_hash', 'sessions', ['token_hash'], unique=True)
    op.create_index('idx_sessions_user_active', 'sessions', ['user_id', 'expires_at'], unique=False, postgresql_where=sa.text('revoked_at IS NULL'))
    op.create_table('tenant_billing_accounts',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('billing_plan_id', sa.UUID(), nullable=False),
    sa.Column('status', sa.Text(), server_default='ACTIVE', nullable=False),
    sa.Column('billing_email', sa.Text(), nullable=True),
    sa.Column('billing_address', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('payment_provider', sa.Text(), nullable=True),
    sa.Column('payment_customer_ref', sa.Text(), nullable=True),
    sa.Column('payment_method_ref', sa.Text(), nullable=True),
    sa.Column('tax_id', sa.Text(), nullable=True),
    sa.Column('next_billing_date', sa.Date(), nullable=True),
    sa.Column('auto_pay', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['billing_plan_id'], ['billing_plans.id'], name=op.f('tenant_billing_accounts_billing_plan_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('tenant_billing_accounts_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('tenant_billing_accounts_pkey'))
    )
    op.create_index('idx_tenant_billing_accounts_status', 'tenant_billing_accounts', ['status'], unique=False)
    op.create_index('tenant_billing_accounts_tenant_unique', 'tenant_billing_accounts', ['tenant_id'], unique=True)
    op.create_table('tenant_branding',
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('logo_uri', sa.Text(), nullable=True),
    sa.Column('icon_uri', sa.Text(), nullable=True),
    sa.Column('primary_color', sa.Text(), nullable=True),
    sa.Column('secondary_color', sa.Text(), nullable=True),
    sa.Column('email_from_name', sa.Text(), nullable=True),
    sa.Column('email_reply_to', sa.Text(), nullable=True),
    sa.Column('custom_css_uri', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('tenant_branding_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('tenant_id', name=op.f('tenant_branding_pkey'))
    )
    op.create_table('tenant_features',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('feature_key', sa.Text(), nullable=False),
    sa.Column('is_enabled', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('source', sa.Text(), server_default='PLAN', nullable=False),
    sa.Column('expires_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('tenant_features_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('tenant_features_pkey'))
    )
    op.create_index('idx_tenant_features_tenant_enabled', 'tenant_features', ['tenant_id', 'is_enabled'], unique=False)
    op.create_index('uq_tenant_features_tenant_feature', 'tenant_features', ['tenant_id', 'feature_key'], unique=True)
    op.create_table('tenant_integrations',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('external_system_id', sa.UUID(), nullable=False),
    sa.Column('system_type', sa.Text(), nullable=False),
    sa.Column('display_name', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), server_default='ACTIVE', nullable=False),
    sa.Column('sync_mode', sa.Text(), server_default='UNIDIRECTIONAL', nullable=False),
    sa.Column('config', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('last_synced_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['external_system_id'], ['external_systems.id'], name=op.f('tenant_integrations_external_system_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('tenant_integrations_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('tenant_integrations_pkey'))
    )
    op.create_index('idx_tenant_integrations_tenant_status', 'tenant_integrations', ['tenant_id', 'status'], unique=False)
    op.create_index('uq_tenant_integrations_scope', 'tenant_integrations', ['tenant_id', 'external_system_id', 'display_name'], unique=True)
    op.create_table('tenant_quotas',
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('max_users', sa.Integer(), nullable=True),
    sa.Column('max_storage_bytes', sa.Numeric(precision=20, scale=0), nullable=True),
    sa.Column('max_ai_inferences_per_month', sa.Integer(), nullable=True),
    sa.Column('api_rate_limit_per_minute', sa.Integer(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('tenant_quotas_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('tenant_id', name=op.f('tenant_quotas_pkey'))
    )
    op.create_table('tenant_settings',
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('data_residency_region', sa.Text(), nullable=True),
    sa.Column('default_retention_policy', sa.Text(), nullable=True),
    sa.Column('localization_defaults', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('clinical_workflow_options', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('tenant_settings_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('tenant_id', name=op.f('tenant_settings_pkey'))
    )
    op.create_table('tenant_subscriptions',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('plan_id', sa.UUID(), nullable=False),
    sa.Column('start_at', postgresql.TIMESTAMP(timezone=True), nullable=False),
    sa.Column('end_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('status', sa.Text(), server_default='ACTIVE', nullable=False),
    sa.Column('billing_cycle', sa.Text(), server_default='MONTHLY', nullable=False),
    sa.Column('trial_ends_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('auto_renew', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['subscription_plans.id'], name=op.f('tenant_subscriptions_plan_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('tenant_subscriptions_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('tenant_subscriptions_pkey'))
    )
    op.create_index('idx_tenant_subscriptions_plan', 'tenant_subscriptions', ['plan_id'], unique=False)
    op.create_index('idx_tenant_subscriptions_tenant_status', 'tenant_subscriptions', ['tenant_id', 'status', 'start_at'], unique=False)
    op.create_table('usage_meters',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=True),
    sa.Column('meter_key', sa.Text(), nullable=False),
    sa.Column('unit', sa.Text(), nullable=False),
    sa.Column('aggregation_type', sa.Text(), server_default='SUM', nullable=False),
    sa.Column('reset_period', sa.Text(), server_default='MONTHLY', nullable=False),
    sa.Column('is_billable', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('usage_meters_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('usage_meters_pkey'))
    )
    op.create_index('idx_usage_meters_active', 'usage_meters', ['tenant_id', 'is_active'], unique=False)
    op.create_index('uq_usage_meters_scope_key', 'usage_meters', ['tenant_id', 'meter_key'], unique=True)
    op.create_table('user_auth_identities',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('provider', sa.Text(), nullable=False),
    sa.Column('provider_user_id', sa.Text(), nullable=False),
    sa.Column('email', sa.Text(), nullable=True),
    sa.Column('password_hash', sa.Text(), nullable=True),
    sa.Column('mfa_secret', sa.Text(), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('user_auth_identities_user_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('user_auth_identities_pkey'))
    )
    op.create_index('idx_user_auth_identities_user', 'user_auth_identities', ['user_id'], unique=False)
    op.create_index('uq_user_auth_identities_provider_uid', 'user_auth_identities', ['provider', 'provider_user_id'], unique=True)
    op.create_table('webhook_subscriptions',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('event_type', sa.Text(), nullable=False),
    sa.Column('target_url', sa.Text(), nullable=False),
    sa.Column('secret_ref', sa.Text(), nullable=True),
    sa.Column('auth_config', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('retry_policy', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_by_user_id', sa.UUID(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('webhook_subscriptions_created_by_user_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('webhook_subscriptions_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('webhook_subscriptions_pkey'))
    )
    op.create_index('idx_webhook_subscriptions_tenant_active', 'webhook_subscriptions', ['tenant_id', 'is_active'], unique=False)
    op.create_index('uq_webhook_subscriptions_target', 'webhook_subscriptions', ['tenant_id', 'event_type', 'target_url'], unique=True)
    op.create_table('workflows',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('key', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('workflow_type', sa.Text(), server_default='OPERATIONAL', nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('definition', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('trigger_type', sa.Text(), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_by_user_id', sa.UUID(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('workflows_created_by_user_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('workflows_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('workflows_pkey'))
    )
    op.create_index('idx_workflows_tenant_active', 'workflows', ['tenant_id', 'is_active', 'updated_at'], unique=False)
    op.create_index('uq_workflows_tenant_key_version', 'workflows', ['tenant_id', 'key', 'version'], unique=True)
    op.create_table('agent_memories',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('api_client_id', sa.UUID(), nullable=True),
    sa.Column('memory_type', sa.Text(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('scope_id', sa.UUID(), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('content_locale', sa.Text(), nullable=True),
    sa.Column('content_language', sa.Text(), nullable=True),
    sa.Column('embedding', embedding_type, nullable=True),
    sa.Column('source_type', sa.Text(), nullable=True),
    sa.Column('source_id', sa.UUID(), nullable=True),
    sa.Column('importance_score', sa.Numeric(precision=3, scale=2), nullable=True),
    sa.Column('access_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('last_accessed_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('expires_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['api_client_id'], ['api_clients.id'], name=op.f('agent_memories_api_client_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('agent_memories_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('agent_memories_pkey'))
    )
    op.create_index('idx_agent_memories_tenant_lang_scope', 'agent_memories', ['tenant_id', 'content_language', 'scope', 'scope_id'], unique=False)
    op.create_index('idx_agent_memories_tenant_scope', 'agent_memories', ['tenant_id', 'scope', 'scope_id'], unique=False)
    if has_vector:
        op.create_index(
            'idx_agent_memories_embedding', 'agent_memories', ['embedding'],
            postgresql_using='ivfflat', postgresql_ops={'embedding': 'vector_cosine_ops'}, postgresql_with={'lists': 100},
        )
    op.create_table('ai_inference_jobs',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('model_version_id', sa.UUID(), nullable=False),
    sa.Column('input_type', sa.Text(), nullable=False),
    sa.Column('input_ref_id', sa.UUID(), nullable=False),
    sa.Column('requested_by_user_id', sa.UUID(), nullable=True),
    sa.Column('status', sa.Text(), server_default='QUEUED', nullable=False),
    sa.Column('started_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('completed_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('compute_env', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('error_details', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['model_version_id'], ['ai_model_versions.id'], name=op.f('ai_inference_jobs_model_version_id_fkey')),
    sa.ForeignKeyConstraint(['requested_by_user_id'], ['users.id'], name=op.f('ai_inference_jobs_requested_by_user_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('ai_inference_jobs_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('ai_inference_jobs_pkey'))
    )
    op.create_index('idx_ai_jobs_tenant_model_status', 'ai_inference_jobs', ['tenant_id', 'model_version_id', 'status', 'created_at'], unique=False)
    op.create_table('ai_model_deployments',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=True),
    sa.Column('model_version_id', sa.UUID(), nullable=False),
    sa.Column('status', sa.Text(), server_default='ROLLED_OUT', nullable=False),
    sa.Column('rollout_strategy', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.UUID(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('ai_model_deployments_created_by_id_fkey')),
    sa.ForeignKeyConstraint(['model_version_id'], ['ai_model_versions.id'], name=op.f('ai_model_deployments_model_version_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('ai_model_deployments_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('ai_model_deployments_pkey'))
    )
    op.create_index('idx_ai_model_deployments_tenant_status', 'ai_model_deployments', ['tenant_id', 'status', 'created_at'], unique=False)
    op.create_table('code_values',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=True),
    sa.Column('system_id', sa.UUID(), nullable=False),
    sa.Column('code', sa.Text(), nullable=False),
    sa.Column('display', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('category', sa.Text(), nullable=True),
    sa.Column('is_billable', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=True),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['system_id'], ['code_systems.id'], name=op.f('code_values_system_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('code_values_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('code_values_pkey'))
    )
    op.create_index('idx_code_values_category', 'code_values', ['tenant_id', 'category', 'is_active'], unique=False)
    op.create_index('idx_code_values_display_search', 'code_values', ['system_id', 'display'], unique=False)
    op.create_index('idx_code_values_lookup', 'code_values', ['tenant_id', 'system_id', 'code', 'is_active'], unique=False)
    op.create_index('uq_code_values_scope_system_code', 'code_values', ['tenant_id', 'system_id', 'code'], unique=True)
    op.create_table('custom_field_values',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('definition_id', sa.UUID(), nullable=False),
    sa.Column('entity_type', sa.Text(), nullable=False),
    sa.Column('entity_id', sa.UUID(), nullable=False),
    sa.Column('value_json', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('value_text', sa.Text(), nullable=True),
    sa.Column('value_number', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('value_boolean', sa.Boolean(), nullable=True),
    sa.Column('value_date', sa.Date(), nullable=True),
    sa.Column('recorded_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by_user_id', sa.UUID(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('custom_field_values_created_by_user_id_fkey')),
    sa.ForeignKeyConstraint(['definition_id'], ['custom_field_definitions.id'], name=op.f('custom_field_values_definition_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('custom_field_values_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('custom_field_values_pkey'))
    )
    op.create_index('idx_custom_field_values_definition', 'custom_field_values', ['definition_id', 'recorded_at'], unique=False)
    op.create_index('idx_custom_field_values_tenant_entity', 'custom_field_values', ['tenant_id', 'entity_type', 'entity_id'], unique=False)
    op.create_index('uq_custom_field_values_entity', 'custom_field_values', ['definition_id', 'entity_type', 'entity_id'], unique=True)
    op.create_table('integration_credentials',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_integration_id', sa.UUID(), nullable=False),
    sa.Column('credential_type', sa.Text(), nullable=False),
    sa.Column('secret_ref', sa.Text(), nullable=False),
    sa.Column('auth_config', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('expires_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('status', sa.Text(), server_default='ACTIVE', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_integration_id'], ['tenant_integrations.id'], name=op.f('integration_credentials_tenant_integration_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('integration_credentials_pkey'))
    )
    op.create_index('idx_integration_credentials_integration', 'integration_credentials', ['tenant_integration_id', 'status'], unique=False)
    op.create_index('uq_integration_credentials_ref', 'integration_credentials', ['tenant_integration_id', 'credential_type', 'secret_ref'], unique=True)
    op.create_table('invoices',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('tenant_billing_account_id', sa.UUID(), nullable=False),
    sa.Column('invoice_number', sa.Text(), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('status', sa.Text(), server_default='DRAFT', nullable=False),
    sa.Column('currency', sa.Text(), server_default='USD', nullable=False),
    sa.Column('subtotal_amount', sa.Numeric(precision=12, scale=2), server_default=sa.text('0'), nullable=False),
    sa.Column('tax_amount', sa.Numeric(precision=12, scale=2), server_default=sa.text('0'), nullable=False),
    sa.Column('total_amount', sa.Numeric(precision=12, scale=2), server_default=sa.text('0'), nullable=False),
    sa.Column('outstanding_amount', sa.Numeric(precision=12, scale=2), server_default=sa.text('0'), nullable=False),
    sa.Column('issued_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('due_date', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('paid_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_billing_account_id'], ['tenant_billing_accounts.id'], name=op.f('invoices_tenant_billing_account_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('invoices_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('invoices_pkey'))
    )
    op.create_index('idx_invoices_billing_account', 'invoices', ['tenant_billing_account_id', 'created_at'], unique=False)
    op.create_index('idx_invoices_tenant_status', 'invoices', ['tenant_id', 'status', 'created_at'], unique=False)
    op.create_index('uq_invoices_tenant_number', 'invoices', ['tenant_id', 'invoice_number'], unique=True)
    op.create_table('knowledge_versions',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('knowledge_document_id', sa.UUID(), nullable=False),
    sa.Column('version_number', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('content_format', sa.Text(), server_default='MARKDOWN', nullable=False),
    sa.Column('change_summary', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default='DRAFT', nullable=False),
    sa.Column('approved_by_user_id', sa.UUID(), nullable=True),
    sa.Column('approved_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('is_immutable', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_by_user_id', sa.UUID(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_user_id'], ['users.id'], name=op.f('knowledge_versions_approved_by_user_id_fkey')),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('knowledge_versions_created_by_user_id_fkey')),
    sa.ForeignKeyConstraint(['knowledge_document_id'], ['knowledge_documents.id'], name=op.f('knowledge_versions_knowledge_document_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('knowledge_versions_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('knowledge_versions_pkey'))
    )
    op.create_index('idx_knowledge_versions_tenant_status', 'knowledge_versions', ['tenant_id', 'status', 'created_at'], unique=False)
    op.create_index('uq_knowledge_versions_doc_number', 'knowledge_versions', ['knowledge_document_id', 'version_number'], unique=True)
    op.create_table('legal_hold_links',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('legal_hold_id', sa.UUID(), nullable=False),
    sa.Column('entity_type', sa.Text(), nullable=False),
    sa.Column('entity_id', sa.UUID(), nullable=True),
    sa.Column('data_class', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['legal_hold_id'], ['legal_holds.id'], name=op.f('legal_hold_links_legal_hold_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('legal_hold_links_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('legal_hold_links_pkey'))
    )
    op.create_index('idx_legal_hold_links_hold', 'legal_hold_links', ['legal_hold_id', 'tenant_id'], unique=False)
    op.create_index('idx_legal_hold_links_lookup', 'legal_hold_links', ['tenant_id', 'entity_type', 'entity_id'], unique=False)
    op.create_index('uq_legal_hold_link', 'legal_hold_links', ['legal_hold_id', 'entity_type', 'entity_id', 'data_class'], unique=True)
    op.create_table('patients',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('primary_location_id', sa.UUID(), nullable=True),
    sa.Column('first_name', sa.Text(), nullable=False),
    sa.Column('last_name', sa.Text(), nullable=False),
    sa.Column('dob', sa.Date(), nullable=True),
    sa.Column('sex_at_birth', sa.Text(), nullable=True),
    sa.Column('gender_identity', sa.Text(), nullable=True),
    sa.Column('contact_email', sa.Text(), nullable=True),
    sa.Column('phone_mobile', sa.Text(), nullable=True),
    sa.Column('phone_home', sa.Text(), nullable=True),
    sa.Column('preferred_locale', sa.Text(), nullable=True),
    sa.Column('preferred_language', sa.Text(), nullable=True),
    sa.Column('preferred_contact_method', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default='ACTIVE', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['primary_location_id'], ['locations.id'], name=op.f('patients_primary_location_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('patients_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('patients_pkey'))
    )
    op.create_index('idx_patients_tenant_name_dob', 'patients', ['tenant_id', 'last_name', 'dob'], unique=False)
    op.create_table('role_permissions',
    sa.Column('role_id', sa.UUID(), nullable=False),
    sa.Column('permission_id', sa.UUID(), nullable=False),
    sa.ForeignKeyConstraint(['permission_id'], ['permissions.id'], name=op.f('role_permissions_permission_id_fkey')),
    sa.ForeignKeyConstraint(['role_id'], ['roles.id'], name=op.f('role_permissions_role_id_fkey')),
    sa.PrimaryKeyConstraint('role_id', 'permission_id', name=op.f('role_permissions_pkey'))
    )
    op.create_table('sync_jobs',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('tenant_integration_id', sa.UUID(), nullable=False),
    sa.Column('job_type', sa.Text(), nullable=False),
    sa.Column('direction', sa.Text(), server_default='IMPORT', nullable=False),
    sa.Column('status', sa.Text(), server_default='QUEUED', nullable=False),
    sa.Column('triggered_by_user_id', sa.UUID(), nullable=True),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('processed_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('success_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('failure_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('started_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('completed_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('error_summary', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('sync_jobs_tenant_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_integration_id'], ['tenant_integrations.id'], name=op.f('sync_jobs_tenant_integration_id_fkey')),
    sa.ForeignKeyConstraint(['triggered_by_user_id'], ['users.id'], name=op.f('sync_jobs_triggered_by_user_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('sync_jobs_pkey'))
    )
    op.create_index('idx_sync_jobs_integration', 'sync_jobs', ['tenant_integration_id', 'created_at'], unique=False)
    op.create_index('idx_sync_jobs_tenant_status', 'sync_jobs', ['tenant_id', 'status', 'created_at'], unique=False)
    op.create_table('teams',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('location_id', sa.UUID(), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default='ACTIVE', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('teams_location_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('teams_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('teams_pkey'))
    )
    op.create_index('idx_teams_tenant_location', 'teams', ['tenant_id', 'location_id'], unique=False)
    op.create_index('uq_teams_tenant_name', 'teams', ['tenant_id', 'name'], unique=True)
    op.create_table('usage_meter_readings',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('usage_meter_id', sa.UUID(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('reading_value', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('captured_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('usage_meter_readings_tenant_id_fkey')),
    sa.ForeignKeyConstraint(['usage_meter_id'], ['usage_meters.id'], name=op.f('usage_meter_readings_usage_meter_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('usage_meter_readings_pkey'))
    )
    op.create_index('idx_usage_meter_readings_tenant_meter', 'usage_meter_readings', ['tenant_id', 'usage_meter_id', 'period_start'], unique=False)
    op.create_index('uq_usage_meter_readings_period', 'usage_meter_readings', ['usage_meter_id', 'period_start', 'period_end'], unique=True)
    op.create_table('user_tenants',
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('default_location_id', sa.UUID(), nullable=True),
    sa.Column('user_type', sa.Text(), nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['default_location_id'], ['locations.id'], name=op.f('user_tenants_default_location_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('user_tenants_tenant_id_fkey')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('user_tenants_user_id_fkey')),
    sa.PrimaryKeyConstraint('user_id', 'tenant_id', name=op.f('user_tenants_pkey'))
    )
    op.create_index('idx_user_tenants_tenant', 'user_tenants', ['tenant_id'], unique=False)
    op.create_table('workflow_instances',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('workflow_id', sa.UUID(), nullable=False),
    sa.Column('entity_type', sa.Text(), nullable=True),
    sa.Column('entity_id', sa.UUID(), nullable=True),
    sa.Column('status', sa.Text(), server_default='PENDING', nullable=False),
    sa.Column('input_payload', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('context', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('current_step', sa.Text(), nullable=True),
    sa.Column('started_by_user_id', sa.UUID(), nullable=True),
    sa.Column('started_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('completed_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('failed_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['started_by_user_id'], ['users.id'], name=op.f('workflow_instances_started_by_user_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('workflow_instances_tenant_id_fkey')),
    sa.ForeignKeyConstraint(['workflow_id'], ['workflows.id'], name=op.f('workflow_instances_workflow_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('workflow_instances_pkey'))
    )
    op.create_index('idx_workflow_instances_entity', 'workflow_instances', ['entity_type', 'entity_id', 'created_at'], unique=False)
    op.create_index('idx_workflow_instances_tenant_status', 'workflow_instances', ['tenant_id', 'status', 'created_at'], unique=False)
    op.create_index('idx_workflow_instances_workflow', 'workflow_instances', ['workflow_id', 'created_at'], unique=False)
    op.create_table('claims',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=False),
    sa.Column('payer_id', sa.UUID(), nullable=True),
    sa.Column('claim_number', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default='DRAFT', nullable=False),
    sa.Column('submitted_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('total_billed_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('total_allowed_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('total_paid_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('claims_patient_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('claims_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('claims_pkey'))
    )
    op.create_index('idx_claims_tenant_patient', 'claims', ['tenant_id', 'patient_id', 'created_at'], unique=False)
    op.create_table('conversation_participants',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('conversation_id', sa.UUID(), nullable=False),
    sa.Column('participant_type', sa.Text(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=True),
    sa.Column('patient_id', sa.UUID(), nullable=True),
    sa.Column('role', sa.Text(), server_default='PARTICIPANT', nullable=False),
    sa.Column('is_muted', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('joined_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('left_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('last_read_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('conversation_participants_conversation_id_fkey')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('conversation_participants_patient_id_fkey')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('conversation_participants_user_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('conversation_participants_pkey'))
    )
    op.create_index('idx_conversation_participants_conversation', 'conversation_participants', ['conversation_id', 'role'], unique=False)
    op.create_index('idx_conversation_participants_patient', 'conversation_participants', ['patient_id', 'conversation_id'], unique=False)
    op.create_index('idx_conversation_participants_user', 'conversation_participants', ['user_id', 'conversation_id'], unique=False)
    op.create_table('encounters',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=False),
    sa.Column('location_id', sa.UUID(), nullable=False),
    sa.Column('provider_id', sa.UUID(), nullable=True),
    sa.Column('encounter_type', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), server_default='SCHEDULED', nullable=False),
    sa.Column('scheduled_start_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('check_in_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('check_out_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('encounters_location_id_fkey')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('encounters_patient_id_fkey')),
    sa.ForeignKeyConstraint(['provider_id'], ['users.id'], name=op.f('encounters_provider_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('encounters_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('encounters_pkey'))
    )
    op.create_index('idx_encounters_tenant_patient_time', 'encounters', ['tenant_id', 'patient_id', 'scheduled_start_at'], unique=False)
    op.create_table('fhir_resources',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=True),
    sa.Column('resource_type', sa.Text(), nullable=False),
    sa.Column('resource_id', sa.Text(), nullable=False),
    sa.Column('resource_version', sa.Text(), nullable=True),
    sa.Column('source_system', sa.Text(), nullable=True),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('hash', sa.Text(), nullable=True),
    sa.Column('last_synced_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fhir_resources_patient_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fhir_resources_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('fhir_resources_pkey'))
    )
    op.create_index('idx_fhir_resources_tenant_type', 'fhir_resources', ['tenant_id', 'resource_type', 'created_at'], unique=False)
    op.create_index('uq_fhir_resources_identity', 'fhir_resources', ['tenant_id', 'resource_type', 'resource_id', 'resource_version'], unique=True)
    op.create_table('invoice_line_items',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('invoice_id', sa.UUID(), nullable=False),
    sa.Column('usage_meter_reading_id', sa.UUID(), nullable=True),
    sa.Column('line_type', sa.Text(), server_default='SUBSCRIPTION', nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=4), server_default=sa.text('1'), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2), server_default=sa.text('0'), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), server_default=sa.text('0'), nullable=False),
    sa.Column('currency', sa.Text(), server_default='USD', nullable=False),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('invoice_line_items_invoice_id_fkey')),
    sa.ForeignKeyConstraint(['usage_meter_reading_id'], ['usage_meter_readings.id'], name=op.f('invoice_line_items_usage_meter_reading_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('invoice_line_items_pkey'))
    )
    op.create_index('idx_invoice_line_items_invoice', 'invoice_line_items', ['invoice_id'], unique=False)
    op.create_index('idx_invoice_line_items_usage_reading', 'invoice_line_items', ['usage_meter_reading_id'], unique=False)
    op.create_table('knowledge_localizations',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('knowledge_version_id', sa.UUID(), nullable=False),
    sa.Column('locale', sa.Text(), nullable=False),
    sa.Column('localized_title', sa.Text(), nullable=True),
    sa.Column('localized_content', sa.Text(), nullable=False),
    sa.Column('region', sa.Text(), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['knowledge_version_id'], ['knowledge_versions.id'], name=op.f('knowledge_localizations_knowledge_version_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('knowledge_localizations_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('knowledge_localizations_pkey'))
    )
    op.create_index('idx_knowledge_localizations_tenant_locale', 'knowledge_localizations', ['tenant_id', 'locale', 'updated_at'], unique=False)
    op.create_index('uq_knowledge_localizations_version_locale', 'knowledge_localizations', ['knowledge_version_id', 'locale'], unique=True)
    op.create_table('messages',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('conversation_id', sa.UUID(), nullable=False),
    sa.Column('sender_type', sa.Text(), nullable=False),
    sa.Column('sender_user_id', sa.UUID(), nullable=True),
    sa.Column('sender_patient_id', sa.UUID(), nullable=True),
    sa.Column('content_type', sa.Text(), server_default='TEXT', nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('delivery_state', sa.Text(), server_default='SENT', nullable=False),
    sa.Column('sent_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('edited_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('messages_conversation_id_fkey')),
    sa.ForeignKeyConstraint(['sender_patient_id'], ['patients.id'], name=op.f('messages_sender_patient_id_fkey')),
    sa.ForeignKeyConstraint(['sender_user_id'], ['users.id'], name=op.f('messages_sender_user_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('messages_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('messages_pkey'))
    )
    op.create_index('idx_messages_conversation_sent', 'messages', ['conversation_id', 'sent_at'], unique=False)
    op.create_index('idx_messages_tenant_sender', 'messages', ['tenant_id', 'sender_type', 'sent_at'], unique=False)
    op.create_table('notifications',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('recipient_type', sa.Text(), nullable=False),
    sa.Column('recipient_user_id', sa.UUID(), nullable=True),
    sa.Column('recipient_patient_id', sa.UUID(), nullable=True),
    sa.Column('channel', sa.Text(), server_default='IN_APP', nullable=False),
    sa.Column('event_type', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('status', sa.Text(), server_default='PENDING', nullable=False),
    sa.Column('sent_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('delivered_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('read_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['recipient_patient_id'], ['patients.id'], name=op.f('notifications_recipient_patient_id_fkey')),
    sa.ForeignKeyConstraint(['recipient_user_id'], ['users.id'], name=op.f('notifications_recipient_user_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('notifications_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('notifications_pkey'))
    )
    op.create_index('idx_notifications_patient_unread', 'notifications', ['recipient_patient_id', 'read_at', 'created_at'], unique=False)
    op.create_index('idx_notifications_tenant_status', 'notifications', ['tenant_id', 'status', 'created_at'], unique=False)
    op.create_index('idx_notifications_user_unread', 'notifications', ['recipient_user_id', 'read_at', 'created_at'], unique=False)
    op.create_table('patient_addresses',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=False),
    sa.Column('type', sa.Text(), server_default='HOME', nullable=False),
    sa.Column('line1', sa.Text(), nullable=False),
    sa.Column('line2', sa.Text(), nullable=True),
    sa.Column('city', sa.Text(), nullable=True),
    sa.Column('state', sa.Text(), nullable=True),
    sa.Column('postal_code', sa.Text(), nullable=True),
    sa.Column('country', sa.Text(), nullable=True),
    sa.Column('is_primary', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('status', sa.Text(), server_default='ACTIVE', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('patient_addresses_patient_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('patient_addresses_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('patient_addresses_pkey'))
    )
    op.create_index('idx_patient_addresses_tenant_patient', 'patient_addresses', ['tenant_id', 'patient_id'], unique=False)
    op.create_table('patient_allergies',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=False),
    sa.Column('substance', sa.Text(), nullable=False),
    sa.Column('reaction', sa.Text(), nullable=True),
    sa.Column('severity', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default='ACTIVE', nullable=False),
    sa.Column('identified_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('patient_allergies_patient_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('patient_allergies_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('patient_allergies_pkey'))
    )
    op.create_index('idx_patient_allergies_tenant_patient', 'patient_allergies', ['tenant_id', 'patient_id', 'status'], unique=False)
    op.create_table('patient_conditions',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=False),
    sa.Column('code_value_id', sa.UUID(), nullable=True),
    sa.Column('condition_code', sa.Text(), nullable=True),
    sa.Column('onset_date', sa.Date(), nullable=True),
    sa.Column('resolved_date', sa.Date(), nullable=True),
    sa.Column('status', sa.Text(), server_default='ACTIVE', nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['code_value_id'], ['code_values.id'], name=op.f('patient_conditions_code_value_id_fkey')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('patient_conditions_patient_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('patient_conditions_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('patient_conditions_pkey'))
    )
    op.create_index('idx_patient_conditions_tenant_patient', 'patient_conditions', ['tenant_id', 'patient_id', 'status'], unique=False)
    op.create_table('patient_identifiers',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=False),
    sa.Column('system', sa.Text(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('is_primary', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('patient_identifiers_patient_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('patient_identifiers_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('patient_identifiers_pkey'))
    )
    op.create_index('idx_patient_identifiers_tenant_patient', 'patient_identifiers', ['tenant_id', 'patient_id'], unique=False)
    op.create_index('uq_patient_identifiers_patient_system_value', 'patient_identifiers', ['patient_id', 'system', 'value'], unique=True)
    op.create_table('patient_insurance_policies',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=False),
    sa.Column('payer_name', sa.Text(), nullable=False),
    sa.Column('plan_name', sa.Text(), nullable=True),
    sa.Column('policy_number', sa.Text(), nullable=False),
    sa.Column('group_number', sa.Text(), nullable=True),
    sa.Column('member_id', sa.Text(), nullable=True),
    sa.Column('coverage_start', sa.Date(), nullable=True),
    sa.Column('coverage_end', sa.Date(), nullable=True),
    sa.Column('is_primary', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('status', sa.Text(), server_default='ACTIVE', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('patient_insurance_policies_patient_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('patient_insurance_policies_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('patient_insurance_policies_pkey'))
    )
    op.create_index('idx_patient_insurance_policy', 'patient_insurance_policies', ['policy_number'], unique=False)
    op.create_index('idx_patient_insurance_tenant_patient', 'patient_insurance_policies', ['tenant_id', 'patient_id'], unique=False)
    op.create_table('patient_medications',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=False),
    sa.Column('medication_name', sa.Text(), nullable=False),
    sa.Column('dosage', sa.Text(), nullable=True),
    sa.Column('frequency', sa.Text(), nullable=True),
    sa.Column('route', sa.Text(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('prescribed_by_id', sa.UUID(), nullable=True),
    sa.Column('source', sa.Text(), server_default='PATIENT_REPORTED', nullable=False),
    sa.Column('status', sa.Text(), server_default='ACTIVE', nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('patient_medications_patient_id_fkey')),
    sa.ForeignKeyConstraint(['prescribed_by_id'], ['users.id'], name=op.f('patient_medications_prescribed_by_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('patient_medications_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('patient_medications_pkey'))
    )
    op.create_index('idx_patient_medications_tenant_patient', 'patient_medications', ['tenant_id', 'patient_id', 'status'], unique=False)
    op.create_table('patient_relationships',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=False),
    sa.Column('related_patient_id', sa.UUID(), nullable=True),
    sa.Column('external_contact_name', sa.Text(), nullable=True),
    sa.Column('relationship_type', sa.Text(), nullable=False),
    sa.Column('is_emergency_contact', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('patient_relationships_patient_id_fkey')),
    sa.ForeignKeyConstraint(['related_patient_id'], ['patients.id'], name=op.f('patient_relationships_related_patient_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('patient_relationships_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('patient_relationships_pkey'))
    )
    op.create_index('idx_patient_relationships_patient', 'patient_relationships', ['tenant_id', 'patient_id'], unique=False)
    op.create_index('idx_patient_relationships_related', 'patient_relationships', ['related_patient_id'], unique=False)
    op.create_table('patient_social_history',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=False),
    sa.Column('history_type', sa.Text(), nullable=False),
    sa.Column('value_text', sa.Text(), nullable=True),
    sa.Column('value_json', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('observed_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('patient_social_history_patient_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('patient_social_history_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('patient_social_history_pkey'))
    )
    op.create_index('idx_patient_social_history_tenant_patient', 'patient_social_history', ['tenant_id', 'patient_id', 'history_type'], unique=False)
    op.create_table('phi_access_logs',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('actor_type', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.UUID(), nullable=True),
    sa.Column('patient_id', sa.UUID(), nullable=True),
    sa.Column('resource_type', sa.Text(), nullable=False),
    sa.Column('resource_id', sa.UUID(), nullable=False),
    sa.Column('access_type', sa.Text(), nullable=False),
    sa.Column('purpose_of_use', sa.Text(), nullable=True),
    sa.Column('request_id', sa.Text(), nullable=True),
    sa.Column('ip_address', postgresql.INET(), nullable=True),
    sa.Column('user_agent', sa.Text(), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('occurred_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('phi_access_logs_patient_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('phi_access_logs_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('phi_access_logs_pkey'))
    )
    op.create_index('idx_phi_access_actor', 'phi_access_logs', ['tenant_id', 'actor_type', 'actor_id', 'occurred_at'], unique=False)
    op.create_index('idx_phi_access_patient_time', 'phi_access_logs', ['tenant_id', 'patient_id', 'occurred_at'], unique=False, postgresql_where=sa.text('patient_id IS NOT NULL'))
    op.create_index('idx_phi_access_resource', 'phi_access_logs', ['tenant_id', 'resource_type', 'resource_id', 'occurred_at'], unique=False)
    op.create_index('idx_phi_access_tenant_time', 'phi_access_logs', ['tenant_id', 'occurred_at'], unique=False)
    op.create_table('procedure_catalog',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=True),
    sa.Column('code_value_id', sa.UUID(), nullable=False),
    sa.Column('procedure_type', sa.Text(), nullable=True),
    sa.Column('default_duration_min', sa.Integer(), nullable=True),
    sa.Column('requires_tooth', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('requires_surface', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['code_value_id'], ['code_values.id'], name=op.f('procedure_catalog_code_value_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('procedure_catalog_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('procedure_catalog_pkey'))
    )
    op.create_index('idx_procedure_catalog_active', 'procedure_catalog', ['tenant_id', 'is_active'], unique=False)
    op.create_index('idx_procedure_catalog_code', 'procedure_catalog', ['code_value_id'], unique=False)
    op.create_index('uq_procedure_catalog_scope_code', 'procedure_catalog', ['tenant_id', 'code_value_id'], unique=True)
    op.create_table('sync_job_logs',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('sync_job_id', sa.UUID(), nullable=False),
    sa.Column('level', sa.Text(), server_default='INFO', nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('details', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['sync_job_id'], ['sync_jobs.id'], name=op.f('sync_job_logs_sync_job_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('sync_job_logs_pkey'))
    )
    op.create_index('idx_sync_job_logs_job_time', 'sync_job_logs', ['sync_job_id', 'created_at'], unique=False)
    op.create_table('team_members',
    sa.Column('team_id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('location_id', sa.UUID(), nullable=True),
    sa.Column('role_in_team', sa.Text(), nullable=True),
    sa.Column('joined_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('status', sa.Text(), server_default='ACTIVE', nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('team_members_location_id_fkey')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('team_members_team_id_fkey')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('team_members_user_id_fkey')),
    sa.PrimaryKeyConstraint('team_id', 'user_id', name=op.f('team_members_pkey'))
    )
    op.create_index('idx_team_members_team_status', 'team_members', ['team_id', 'status'], unique=False)
    op.create_index('idx_team_members_user', 'team_members', ['user_id'], unique=False)
    op.create_table('treatment_plans',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=False),
    sa.Column('created_by_id', sa.UUID(), nullable=False),
    sa.Column('status', sa.Text(), server_default='DRAFT', nullable=False),
    sa.Column('total_estimated_cost', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('estimated_insurance_coverage', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('treatment_plans_created_by_id_fkey')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('treatment_plans_patient_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('treatment_plans_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('treatment_plans_pkey'))
    )
    op.create_index('idx_treatment_plans_tenant_patient', 'treatment_plans', ['tenant_id', 'patient_id', 'created_at'], unique=False)
    op.create_table('user_roles',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('role_id', sa.UUID(), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('location_id', sa.UUID(), nullable=True),
    sa.Column('team_id', sa.UUID(), nullable=True),
    sa.Column('resource_scope', sa.Text(), server_default='ALL_LOCATIONS', nullable=False),
    sa.Column('valid_from', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('valid_until', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('user_roles_location_id_fkey')),
    sa.ForeignKeyConstraint(['role_id'], ['roles.id'], name=op.f('user_roles_role_id_fkey')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('user_roles_team_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('user_roles_tenant_id_fkey')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('user_roles_user_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('user_roles_pkey'))
    )
    op.create_index('idx_user_roles_role_tenant', 'user_roles', ['role_id', 'tenant_id'], unique=False)
    op.create_index('idx_user_roles_user_tenant', 'user_roles', ['user_id', 'tenant_id'], unique=False)
    op.create_index('uq_user_roles_assignment', 'user_roles', ['user_id', 'role_id', 'tenant_id', 'location_id', 'team_id'], unique=True)
    op.create_table('agent_conversations',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('conversation_type', sa.Text(), nullable=False),
    sa.Column('initiator_type', sa.Text(), nullable=False),
    sa.Column('initiator_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=True),
    sa.Column('encounter_id', sa.UUID(), nullable=True),
    sa.Column('status', sa.Text(), server_default='ACTIVE', nullable=False),
    sa.Column('started_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('ended_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounters.id'], name=op.f('agent_conversations_encounter_id_fkey')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('agent_conversations_patient_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('agent_conversations_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('agent_conversations_pkey'))
    )
    op.create_index('idx_agent_conversations_tenant_status', 'agent_conversations', ['tenant_id', 'status', 'started_at'], unique=False)
    op.create_table('claim_lines',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('claim_id', sa.UUID(), nullable=False),
    sa.Column('procedure_id', sa.UUID(), nullable=True),
    sa.Column('cdt_code', sa.Text(), nullable=False),
    sa.Column('billed_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('allowed_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('paid_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('denial_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('claim_lines_claim_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('claim_lines_pkey'))
    )
    op.create_table('claim_status_events',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('claim_id', sa.UUID(), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('from_status', sa.Text(), nullable=True),
    sa.Column('to_status', sa.Text(), nullable=False),
    sa.Column('status_code', sa.Text(), nullable=True),
    sa.Column('payer_message', sa.Text(), nullable=True),
    sa.Column('event_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('raw_payload', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_by_user_id', sa.UUID(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('claim_status_events_claim_id_fkey')),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('claim_status_events_created_by_user_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('claim_status_events_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('claim_status_events_pkey'))
    )
    op.create_index('idx_claim_status_events_claim_time', 'claim_status_events', ['claim_id', 'event_at'], unique=False)
    op.create_index('idx_claim_status_events_tenant_to_status', 'claim_status_events', ['tenant_id', 'to_status', 'created_at'], unique=False)
    op.create_table('clinical_notes',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=False),
    sa.Column('encounter_id', sa.UUID(), nullable=True),
    sa.Column('author_id', sa.UUID(), nullable=False),
    sa.Column('note_type', sa.Text(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('language', sa.Text(), nullable=True),
    sa.Column('locale', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('clinical_notes_author_id_fkey')),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounters.id'], name=op.f('clinical_notes_encounter_id_fkey')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('clinical_notes_patient_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('clinical_notes_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('clinical_notes_pkey'))
    )
    op.create_index('idx_clinical_notes_tenant_patient', 'clinical_notes', ['tenant_id', 'patient_id', 'created_at'], unique=False)
    op.create_table('encounter_diagnoses',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('encounter_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=False),
    sa.Column('code_value_id', sa.UUID(), nullable=True),
    sa.Column('diagnosis_code', sa.Text(), nullable=True),
    sa.Column('diagnosis_type', sa.Text(), nullable=True),
    sa.Column('sequence', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('is_primary', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['code_value_id'], ['code_values.id'], name=op.f('encounter_diagnoses_code_value_id_fkey')),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounters.id'], name=op.f('encounter_diagnoses_encounter_id_fkey')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('encounter_diagnoses_patient_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('encounter_diagnoses_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('encounter_diagnoses_pkey'))
    )
    op.create_index('idx_encounter_diagnoses_tenant_encounter', 'encounter_diagnoses', ['tenant_id', 'encounter_id'], unique=False)
    op.create_index('uq_encounter_diagnoses_encounter_sequence', 'encounter_diagnoses', ['encounter_id', 'sequence'], unique=True)
    op.create_table('fee_schedule_items',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('fee_schedule_id', sa.UUID(), nullable=False),
    sa.Column('procedure_catalog_id', sa.UUID(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('min_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('max_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('unit', sa.Text(), server_default='EACH', nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['fee_schedule_id'], ['fee_schedules.id'], name=op.f('fee_schedule_items_fee_schedule_id_fkey')),
    sa.ForeignKeyConstraint(['procedure_catalog_id'], ['procedure_catalog.id'], name=op.f('fee_schedule_items_procedure_catalog_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('fee_schedule_items_pkey'))
    )
    op.create_index('idx_fee_schedule_items_procedure', 'fee_schedule_items', ['procedure_catalog_id'], unique=False)
    op.create_index('idx_fee_schedule_items_schedule', 'fee_schedule_items', ['fee_schedule_id'], unique=False)
    op.create_index('uq_fee_schedule_items_unique', 'fee_schedule_items', ['fee_schedule_id', 'procedure_catalog_id'], unique=True)
    op.create_table('imaging_studies',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=False),
    sa.Column('encounter_id', sa.UUID(), nullable=True),
    sa.Column('study_uid', sa.Text(), nullable=True),
    sa.Column('modality', sa.Text(), nullable=False),
    sa.Column('body_part', sa.Text(), nullable=True),
    sa.Column('acquisition_datetime', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('source_system', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounters.id'], name=op.f('imaging_studies_encounter_id_fkey')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('imaging_studies_patient_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('imaging_studies_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('imaging_studies_pkey'))
    )
    op.create_index('idx_imaging_studies_tenant_patient', 'imaging_studies', ['tenant_id', 'patient_id', 'acquisition_datetime'], unique=False)
    op.create_table('perio_measurements',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=False),
    sa.Column('encounter_id', sa.UUID(), nullable=True),
    sa.Column('measured_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('measured_by_id', sa.UUID(), nullable=True),
    sa.Column('tooth_number', sa.Text(), nullable=False),
    sa.Column('site', sa.Text(), nullable=False),
    sa.Column('pocket_depth_mm', sa.Integer(), nullable=True),
    sa.Column('gingival_margin_mm', sa.Integer(), nullable=True),
    sa.Column('bleeding_on_probing', sa.Boolean(), nullable=True),
    sa.Column('mobility_grade', sa.Text(), nullable=True),
    sa.Column('furcation_involvement', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounters.id'], name=op.f('perio_measurements_encounter_id_fkey')),
    sa.ForeignKeyConstraint(['measured_by_id'], ['users.id'], name=op.f('perio_measurements_measured_by_id_fkey')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('perio_measurements_patient_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('perio_measurements_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('perio_measurements_pkey'))
    )
    op.create_index('idx_perio_encounter', 'perio_measurements', ['encounter_id'], unique=False, postgresql_where=sa.text('encounter_id IS NOT NULL'))
    op.create_index('idx_perio_patient_tooth_site_time', 'perio_measurements', ['patient_id', 'tooth_number', 'site', 'measured_at'], unique=False)
    op.create_index('idx_perio_tenant_patient_time', 'perio_measurements', ['tenant_id', 'patient_id', 'measured_at'], unique=False)
    op.create_index('uq_perio_measurement_point', 'perio_measurements', ['patient_id', 'encounter_id', 'tooth_number', 'site', 'measured_at'], unique=True)
    op.create_table('procedures',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=False),
    sa.Column('encounter_id', sa.UUID(), nullable=False),
    sa.Column('provider_id', sa.UUID(), nullable=True),
    sa.Column('cdt_code', sa.Text(), nullable=False),
    sa.Column('tooth_number', sa.Text(), nullable=True),
    sa.Column('surface', sa.Text(), nullable=True),
    sa.Column('start_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('end_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('status', sa.Text(), server_default='PLANNED', nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounters.id'], name=op.f('procedures_encounter_id_fkey')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('procedures_patient_id_fkey')),
    sa.ForeignKeyConstraint(['provider_id'], ['users.id'], name=op.f('procedures_provider_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('procedures_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('procedures_pkey'))
    )
    op.create_index('idx_procedures_encounter', 'procedures', ['encounter_id'], unique=False)
    op.create_index('idx_procedures_tenant_patient', 'procedures', ['tenant_id', 'patient_id', 'created_at'], unique=False)
    op.create_table('referrals',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=False),
    sa.Column('encounter_id', sa.UUID(), nullable=True),
    sa.Column('from_tenant_id', sa.UUID(), nullable=True),
    sa.Column('to_tenant_id', sa.UUID(), nullable=True),
    sa.Column('referred_by_user_id', sa.UUID(), nullable=True),
    sa.Column('assigned_to_user_id', sa.UUID(), nullable=True),
    sa.Column('referral_type', sa.Text(), server_default='EXTERNAL', nullable=False),
    sa.Column('priority', sa.Text(), server_default='ROUTINE', nullable=False),
    sa.Column('status', sa.Text(), server_default='DRAFT', nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('referred_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('accepted_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('closed_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['assigned_to_user_id'], ['users.id'], name=op.f('referrals_assigned_to_user_id_fkey')),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounters.id'], name=op.f('referrals_encounter_id_fkey')),
    sa.ForeignKeyConstraint(['from_tenant_id'], ['tenants.id'], name=op.f('referrals_from_tenant_id_fkey')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('referrals_patient_id_fkey')),
    sa.ForeignKeyConstraint(['referred_by_user_id'], ['users.id'], name=op.f('referrals_referred_by_user_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('referrals_tenant_id_fkey')),
    sa.ForeignKeyConstraint(['to_tenant_id'], ['tenants.id'], name=op.f('referrals_to_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('referrals_pkey'))
    )
    op.create_index('idx_referrals_patient_status', 'referrals', ['patient_id', 'status', 'created_at'], unique=False)
    op.create_index('idx_referrals_target_tenant', 'referrals', ['to_tenant_id', 'status', 'created_at'], unique=False)
    op.create_index('idx_referrals_tenant_status', 'referrals', ['tenant_id', 'status', 'created_at'], unique=False)
    op.create_table('tooth_chart_snapshots',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=False),
    sa.Column('encounter_id', sa.UUID(), nullable=True),
    sa.Column('created_by_id', sa.UUID(), nullable=True),
    sa.Column('source', sa.Text(), server_default='MANUAL', nullable=False),
    sa.Column('chart_json', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('tooth_chart_snapshots_created_by_id_fkey')),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounters.id'], name=op.f('tooth_chart_snapshots_encounter_id_fkey')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('tooth_chart_snapshots_patient_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('tooth_chart_snapshots_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('tooth_chart_snapshots_pkey'))
    )
    op.create_index('idx_tooth_chart_snapshots_encounter', 'tooth_chart_snapshots', ['encounter_id'], unique=False, postgresql_where=sa.text('encounter_id IS NOT NULL'))
    op.create_index('idx_tooth_chart_snapshots_tenant_patient_time', 'tooth_chart_snapshots', ['tenant_id', 'patient_id', 'created_at'], unique=False)
    op.create_table('treatment_plan_items',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('plan_id', sa.UUID(), nullable=False),
    sa.Column('cdt_code', sa.Text(), nullable=False),
    sa.Column('tooth_number', sa.Text(), nullable=True),
    sa.Column('surface', sa.Text(), nullable=True),
    sa.Column('phase', sa.Integer(), nullable=True),
    sa.Column('sequence_order', sa.Integer(), nullable=True),
    sa.Column('estimated_fee', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('estimated_patient_portion', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['treatment_plans.id'], name=op.f('treatment_plan_items_plan_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('treatment_plan_items_pkey'))
    )
    op.create_table('vital_signs',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=False),
    sa.Column('encounter_id', sa.UUID(), nullable=True),
    sa.Column('recorded_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('recorded_by_id', sa.UUID(), nullable=True),
    sa.Column('systolic_bp', sa.Integer(), nullable=True),
    sa.Column('diastolic_bp', sa.Integer(), nullable=True),
    sa.Column('heart_rate', sa.Integer(), nullable=True),
    sa.Column('respiratory_rate', sa.Integer(), nullable=True),
    sa.Column('temperature_c', sa.Numeric(precision=4, scale=1), nullable=True),
    sa.Column('spo2', sa.Integer(), nullable=True),
    sa.Column('height_cm', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('weight_kg', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('bmi', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('pain_score', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounters.id'], name=op.f('vital_signs_encounter_id_fkey')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('vital_signs_patient_id_fkey')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('vital_signs_recorded_by_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('vital_signs_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('vital_signs_pkey'))
    )
    op.create_index('idx_vital_signs_encounter', 'vital_signs', ['encounter_id'], unique=False)
    op.create_index('idx_vital_signs_tenant_patient_time', 'vital_signs', ['tenant_id', 'patient_id', 'recorded_at'], unique=False)
    op.create_table('voice_sessions',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=True),
    sa.Column('patient_id', sa.UUID(), nullable=True),
    sa.Column('encounter_id', sa.UUID(), nullable=True),
    sa.Column('channel', sa.Text(), nullable=False),
    sa.Column('input_locale', sa.Text(), nullable=True),
    sa.Column('output_locale', sa.Text(), nullable=True),
    sa.Column('asr_language', sa.Text(), nullable=True),
    sa.Column('tts_voice_id', sa.Text(), nullable=True),
    sa.Column('started_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('ended_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('meta', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounters.id'], name=op.f('voice_sessions_encounter_id_fkey')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('voice_sessions_patient_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('voice_sessions_tenant_id_fkey')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('voice_sessions_user_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('voice_sessions_pkey'))
    )
    op.create_index('idx_voice_sessions_tenant_time', 'voice_sessions', ['tenant_id', 'started_at'], unique=False)
    op.create_table('agent_executions',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('workflow_id', sa.UUID(), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('api_client_id', sa.UUID(), nullable=True),
    sa.Column('voice_session_id', sa.UUID(), nullable=True),
    sa.Column('user_id', sa.UUID(), nullable=True),
    sa.Column('patient_id', sa.UUID(), nullable=True),
    sa.Column('encounter_id', sa.UUID(), nullable=True),
    sa.Column('input_locale', sa.Text(), nullable=True),
    sa.Column('output_locale', sa.Text(), nullable=True),
    sa.Column('current_node', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), server_default='RUNNING', nullable=False),
    sa.Column('state_snapshot', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('checkpoint_id', sa.Text(), nullable=True),
    sa.Column('started_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('completed_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('error_details', sa.Text(), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.ForeignKeyConstraint(['api_client_id'], ['api_clients.id'], name=op.f('agent_executions_api_client_id_fkey')),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounters.id'], name=op.f('agent_executions_encounter_id_fkey')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('agent_executions_patient_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('agent_executions_tenant_id_fkey')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('agent_executions_user_id_fkey')),
    sa.ForeignKeyConstraint(['voice_session_id'], ['voice_sessions.id'], name=op.f('agent_executions_voice_session_id_fkey')),
    sa.ForeignKeyConstraint(['workflow_id'], ['agent_workflows.id'], name=op.f('agent_executions_workflow_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('agent_executions_pkey'))
    )
    op.create_index('idx_agent_executions_tenant_status', 'agent_executions', ['tenant_id', 'status', 'started_at'], unique=False)
    op.create_index('idx_agent_executions_voice_session', 'agent_executions', ['voice_session_id'], unique=False)
    op.create_table('agent_messages',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('conversation_id', sa.UUID(), nullable=False),
    sa.Column('sequence_no', sa.Integer(), nullable=False),
    sa.Column('sender_type', sa.Text(), nullable=False),
    sa.Column('sender_id', sa.UUID(), nullable=False),
    sa.Column('recipient_type', sa.Text(), nullable=True),
    sa.Column('recipient_id', sa.UUID(), nullable=True),
    sa.Column('message_type', sa.Text(), nullable=False),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('function_call', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['agent_conversations.id'], name=op.f('agent_messages_conversation_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('agent_messages_pkey'))
    )
    op.create_index('idx_agent_messages_conversation_seq', 'agent_messages', ['conversation_id', 'sequence_no'], unique=False)
    op.create_table('clinical_outcomes',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('procedure_id', sa.UUID(), nullable=True),
    sa.Column('encounter_id', sa.UUID(), nullable=True),
    sa.Column('outcome_score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('complications', sa.Text(), nullable=True),
    sa.Column('success_flag', sa.Boolean(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounters.id'], name=op.f('clinical_outcomes_encounter_id_fkey')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('clinical_outcomes_procedure_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('clinical_outcomes_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('clinical_outcomes_pkey'))
    )
    op.create_index('idx_clinical_outcomes_tenant_time', 'clinical_outcomes', ['tenant_id', 'created_at'], unique=False)
    op.create_table('imaging_objects',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('study_id', sa.UUID(), nullable=False),
    sa.Column('series_id', sa.UUID(), nullable=True),
    sa.Column('sop_instance_uid', sa.Text(), nullable=True),
    sa.Column('object_type', sa.Text(), nullable=False),
    sa.Column('storage_uri', sa.Text(), nullable=False),
    sa.Column('hash', sa.Text(), nullable=True),
    sa.Column('byte_size', sa.BigInteger(), nullable=True),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('depth_slices', sa.Integer(), nullable=True),
    sa.Column('is_original', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('processing_pipeline', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['imaging_studies.id'], name=op.f('imaging_objects_study_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('imaging_objects_pkey'))
    )
    op.create_index('idx_imaging_objects_study', 'imaging_objects', ['study_id'], unique=False)
    op.create_table('imaging_series',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('study_id', sa.UUID(), nullable=False),
    sa.Column('series_uid', sa.Text(), nullable=True),
    sa.Column('series_number', sa.Text(), nullable=True),
    sa.Column('modality', sa.Text(), nullable=True),
    sa.Column('body_part', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['imaging_studies.id'], name=op.f('imaging_series_study_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('imaging_series_pkey'))
    )
    op.create_index('idx_imaging_series_study', 'imaging_series', ['study_id'], unique=False)
    op.create_table('procedure_materials',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('procedure_id', sa.UUID(), nullable=False),
    sa.Column('material_code', sa.Text(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('unit', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('procedure_materials_procedure_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('procedure_materials_pkey'))
    )
    op.create_index('idx_procedure_materials_procedure', 'procedure_materials', ['procedure_id'], unique=False)
    op.create_table('voice_utterances',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('session_id', sa.UUID(), nullable=False),
    sa.Column('sequence_no', sa.Integer(), nullable=False),
    sa.Column('speaker', sa.Text(), nullable=False),
    sa.Column('transcript', sa.Text(), nullable=True),
    sa.Column('transcript_locale', sa.Text(), nullable=True),
    sa.Column('normalized_transcript', sa.Text(), nullable=True),
    sa.Column('is_final', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('intent', sa.Text(), nullable=True),
    sa.Column('entities', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['voice_sessions.id'], name=op.f('voice_utterances_session_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('voice_utterances_pkey'))
    )
    op.create_index('idx_voice_utterances_session_seq', 'voice_utterances', ['session_id', 'sequence_no'], unique=True)
    op.create_table('agent_metrics',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('execution_id', sa.UUID(), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('metric_name', sa.Text(), nullable=False),
    sa.Column('metric_value', sa.Numeric(), nullable=False),
    sa.Column('metric_unit', sa.Text(), nullable=True),
    sa.Column('recorded_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['execution_id'], ['agent_executions.id'], name=op.f('agent_metrics_execution_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('agent_metrics_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('agent_metrics_pkey'))
    )
    op.create_index('idx_agent_metrics_tenant_metric_time', 'agent_metrics', ['tenant_id', 'metric_name', 'recorded_at'], unique=False)
    op.create_table('agent_steps',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('execution_id', sa.UUID(), nullable=False),
    sa.Column('sequence_no', sa.Integer(), nullable=False),
    sa.Column('node_name', sa.Text(), nullable=False),
    sa.Column('node_type', sa.Text(), nullable=False),
    sa.Column('input_state', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('output_state', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('llm_provider', sa.Text(), nullable=True),
    sa.Column('llm_model', sa.Text(), nullable=True),
    sa.Column('prompt_tokens', sa.Integer(), nullable=True),
    sa.Column('completion_tokens', sa.Integer(), nullable=True),
    sa.Column('tool_name', sa.Text(), nullable=True),
    sa.Column('tool_input', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('tool_output', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('decision_result', sa.Text(), nullable=True),
    sa.Column('status', sa.Text(), server_default='COMPLETED', nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['execution_id'], ['agent_executions.id'], name=op.f('agent_steps_execution_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('agent_steps_pkey'))
    )
    op.create_index('idx_agent_steps_execution_seq', 'agent_steps', ['execution_id', 'sequence_no'], unique=False)
    op.create_table('dicom_transactions',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('imaging_study_id', sa.UUID(), nullable=True),
    sa.Column('imaging_object_id', sa.UUID(), nullable=True),
    sa.Column('transaction_type', sa.Text(), nullable=False),
    sa.Column('direction', sa.Text(), server_default='OUTBOUND', nullable=False),
    sa.Column('status', sa.Text(), server_default='QUEUED', nullable=False),
    sa.Column('source_system', sa.Text(), nullable=True),
    sa.Column('request_payload', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('response_payload', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('received_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['imaging_object_id'], ['imaging_objects.id'], name=op.f('dicom_transactions_imaging_object_id_fkey')),
    sa.ForeignKeyConstraint(['imaging_study_id'], ['imaging_studies.id'], name=op.f('dicom_transactions_imaging_study_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('dicom_transactions_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('dicom_transactions_pkey'))
    )
    op.create_index('idx_dicom_transactions_study', 'dicom_transactions', ['imaging_study_id'], unique=False)
    op.create_index('idx_dicom_transactions_tenant_status', 'dicom_transactions', ['tenant_id', 'status', 'created_at'], unique=False)
    op.create_table('image_annotations',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('imaging_object_id', sa.UUID(), nullable=False),
    sa.Column('annotation_type', sa.Text(), nullable=False),
    sa.Column('annotation_data', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_by_user_id', sa.UUID(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id'], name=op.f('image_annotations_created_by_user_id_fkey')),
    sa.ForeignKeyConstraint(['imaging_object_id'], ['imaging_objects.id'], name=op.f('image_annotations_imaging_object_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('image_annotations_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('image_annotations_pkey'))
    )
    op.create_index('idx_image_annotations_object', 'image_annotations', ['imaging_object_id'], unique=False)
    op.create_table('voice_recordings',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('session_id', sa.UUID(), nullable=False),
    sa.Column('utterance_id', sa.UUID(), nullable=True),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('audio_uri', sa.Text(), nullable=False),
    sa.Column('format', sa.Text(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('sample_rate_hz', sa.Integer(), nullable=True),
    sa.Column('is_redacted', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('storage_class', sa.Text(), server_default='HOT', nullable=False),
    sa.Column('retention_until', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['voice_sessions.id'], name=op.f('voice_recordings_session_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('voice_recordings_tenant_id_fkey')),
    sa.ForeignKeyConstraint(['utterance_id'], ['voice_utterances.id'], name=op.f('voice_recordings_utterance_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('voice_recordings_pkey'))
    )
    op.create_index('idx_voice_recordings_tenant_session', 'voice_recordings', ['tenant_id', 'session_id'], unique=False)
    op.create_table('agent_context_windows',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('execution_id', sa.UUID(), nullable=False),
    sa.Column('step_id', sa.UUID(), nullable=True),
    sa.Column('context_items', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('total_tokens', sa.Integer(), nullable=False),
    sa.Column('max_tokens', sa.Integer(), nullable=False),
    sa.Column('pruning_strategy', sa.Text(), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['execution_id'], ['agent_executions.id'], name=op.f('agent_context_windows_execution_id_fkey')),
    sa.ForeignKeyConstraint(['step_id'], ['agent_steps.id'], name=op.f('agent_context_windows_step_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('agent_context_windows_pkey'))
    )
    op.create_index('idx_agent_context_execution', 'agent_context_windows', ['execution_id'], unique=False)
    op.create_table('agent_interventions',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('execution_id', sa.UUID(), nullable=True),
    sa.Column('step_id', sa.UUID(), nullable=True),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('intervention_type', sa.Text(), nullable=False),
    sa.Column('original_action', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('corrected_action', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('use_for_training', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['execution_id'], ['agent_executions.id'], name=op.f('agent_interventions_execution_id_fkey')),
    sa.ForeignKeyConstraint(['step_id'], ['agent_steps.id'], name=op.f('agent_interventions_step_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('agent_interventions_tenant_id_fkey')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('agent_interventions_user_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('agent_interventions_pkey'))
    )
    op.create_index('idx_agent_interventions_tenant_time', 'agent_interventions', ['tenant_id', 'created_at'], unique=False)
    op.create_index('idx_agent_interventions_training', 'agent_interventions', ['use_for_training', 'created_at'], unique=False)
    op.create_table('ai_predictions',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('job_id', sa.UUID(), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('patient_id', sa.UUID(), nullable=True),
    sa.Column('imaging_object_id', sa.UUID(), nullable=True),
    sa.Column('prediction_type', sa.Text(), nullable=False),
    sa.Column('code', sa.Text(), nullable=True),
    sa.Column('confidence', sa.Numeric(precision=5, scale=4), nullable=True),
    sa.Column('severity', sa.Text(), nullable=True),
    sa.Column('roi_annotation_id', sa.UUID(), nullable=True),
    sa.Column('raw_output', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['imaging_object_id'], ['imaging_objects.id'], name=op.f('ai_predictions_imaging_object_id_fkey')),
    sa.ForeignKeyConstraint(['job_id'], ['ai_inference_jobs.id'], name=op.f('ai_predictions_job_id_fkey')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('ai_predictions_patient_id_fkey')),
    sa.ForeignKeyConstraint(['roi_annotation_id'], ['image_annotations.id'], name=op.f('ai_predictions_roi_annotation_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('ai_predictions_tenant_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('ai_predictions_pkey'))
    )
    op.create_index('idx_ai_predictions_tenant_patient', 'ai_predictions', ['tenant_id', 'patient_id', 'created_at'], unique=False)
    op.create_table('tool_executions',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('agent_step_id', sa.UUID(), nullable=True),
    sa.Column('tool_id', sa.UUID(), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('api_client_id', sa.UUID(), nullable=True),
    sa.Column('input_params', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('output_result', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('status', sa.Text(), server_default='PENDING', nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('retry_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('started_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('completed_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_step_id'], ['agent_steps.id'], name=op.f('tool_executions_agent_step_id_fkey')),
    sa.ForeignKeyConstraint(['api_client_id'], ['api_clients.id'], name=op.f('tool_executions_api_client_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('tool_executions_tenant_id_fkey')),
    sa.ForeignKeyConstraint(['tool_id'], ['agent_tools.id'], name=op.f('tool_executions_tool_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('tool_executions_pkey'))
    )
    op.create_index('idx_tool_executions_step', 'tool_executions', ['agent_step_id'], unique=False)
    op.create_index('idx_tool_executions_tenant_tool_time', 'tool_executions', ['tenant_id', 'tool_id', 'started_at'], unique=False)
    op.create_table('agent_approval_requests',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('execution_id', sa.UUID(), nullable=False),
    sa.Column('step_id', sa.UUID(), nullable=True),
    sa.Column('tool_execution_id', sa.UUID(), nullable=True),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('requested_action', sa.Text(), nullable=False),
    sa.Column('action_details', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('priority', sa.Text(), server_default='NORMAL', nullable=False),
    sa.Column('assigned_to_user_id', sa.UUID(), nullable=True),
    sa.Column('status', sa.Text(), server_default='PENDING', nullable=False),
    sa.Column('reviewer_id', sa.UUID(), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('reviewed_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('timeout_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['assigned_to_user_id'], ['users.id'], name=op.f('agent_approval_requests_assigned_to_user_id_fkey')),
    sa.ForeignKeyConstraint(['execution_id'], ['agent_executions.id'], name=op.f('agent_approval_requests_execution_id_fkey')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('agent_approval_requests_reviewer_id_fkey')),
    sa.ForeignKeyConstraint(['step_id'], ['agent_steps.id'], name=op.f('agent_approval_requests_step_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('agent_approval_requests_tenant_id_fkey')),
    sa.ForeignKeyConstraint(['tool_execution_id'], ['tool_executions.id'], name=op.f('agent_approval_requests_tool_execution_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('agent_approval_requests_pkey'))
    )
    op.create_index('idx_approval_requests_assigned', 'agent_approval_requests', ['assigned_to_user_id', 'status'], unique=False)
    op.create_index('idx_approval_requests_tenant_status', 'agent_approval_requests', ['tenant_id', 'status', 'priority', 'created_at'], unique=False)
    op.create_table('ai_outcome_links',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('prediction_id', sa.UUID(), nullable=False),
    sa.Column('encounter_id', sa.UUID(), nullable=True),
    sa.Column('procedure_id', sa.UUID(), nullable=True),
    sa.Column('ground_truth_code', sa.Text(), nullable=True),
    sa.Column('ground_truth_source', sa.Text(), nullable=True),
    sa.Column('evaluation_timestamp', postgresql.TIMESTAMP(timezone=True), nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounters.id'], name=op.f('ai_outcome_links_encounter_id_fkey')),
    sa.ForeignKeyConstraint(['prediction_id'], ['ai_predictions.id'], name=op.f('ai_outcome_links_prediction_id_fkey')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('ai_outcome_links_procedure_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('ai_outcome_links_pkey'))
    )
    op.create_index('idx_ai_outcome_links_prediction', 'ai_outcome_links', ['prediction_id', 'evaluation_timestamp'], unique=False)
    op.create_table('ai_review_events',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('prediction_id', sa.UUID(), nullable=False),
    sa.Column('reviewer_id', sa.UUID(), nullable=True),
    sa.Column('review_action', sa.Text(), nullable=False),
    sa.Column('reason_code', sa.Text(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('use_for_training', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['prediction_id'], ['ai_predictions.id'], name=op.f('ai_review_events_prediction_id_fkey')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('ai_review_events_reviewer_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('ai_review_events_pkey'))
    )
    op.create_index('idx_ai_review_events_prediction', 'ai_review_events', ['prediction_id', 'created_at'], unique=False)
    op.create_table('action_history',
    sa.Column('id', sa.UUID(), server_default=sa.text('uuid_generate_v4()'), nullable=False),
    sa.Column('tenant_id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('voice_session_id', sa.UUID(), nullable=True),
    sa.Column('voice_utterance_id', sa.UUID(), nullable=True),
    sa.Column('agent_execution_id', sa.UUID(), nullable=True),
    sa.Column('approval_request_id', sa.UUID(), nullable=True),
    sa.Column('entity_type', sa.Text(), nullable=False),
    sa.Column('entity_id', sa.UUID(), nullable=False),
    sa.Column('action_type', sa.Text(), nullable=False),
    sa.Column('previous_state', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('new_state', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('change_summary', sa.Text(), nullable=True),
    sa.Column('is_undone', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('undone_at', postgresql.TIMESTAMP(timezone=True), nullable=True),
    sa.Column('undone_by_user_id', sa.UUID(), nullable=True),
    sa.Column('undo_reason', sa.Text(), nullable=True),
    sa.Column('undo_expires_at', postgresql.TIMESTAMP(timezone=True), nullable=False),
    sa.Column('created_at', postgresql.TIMESTAMP(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['agent_execution_id'], ['agent_executions.id'], name=op.f('action_history_agent_execution_id_fkey')),
    sa.ForeignKeyConstraint(['approval_request_id'], ['agent_approval_requests.id'], name=op.f('action_history_approval_request_id_fkey')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('action_history_tenant_id_fkey')),
    sa.ForeignKeyConstraint(['undone_by_user_id'], ['users.id'], name=op.f('action_history_undone_by_user_id_fkey')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('action_history_user_id_fkey')),
    sa.ForeignKeyConstraint(['voice_session_id'], ['voice_sessions.id'], name=op.f('action_history_voice_session_id_fkey')),
    sa.ForeignKeyConstraint(['voice_utterance_id'], ['voice_utterances.id'], name=op.f('action_history_voice_utterance_id_fkey')),
    sa.PrimaryKeyConstraint('id', name=op.f('action_history_pkey'))
    )
    op.create_index('idx_action_history_cleanup', 'action_history', ['undo_expires_at'], unique=False, postgresql_where=sa.text('is_undone = false'))
    op.create_index('idx_action_history_entity', 'action_history', ['entity_type', 'entity_id', sa.literal_column('created_at DESC')], unique=False)
    op.create_index('idx_action_history_undoable', 'action_history', ['tenant_id', 'is_undone', 'undo_expires_at'], unique=False, postgresql_where=sa.text('is_undone = false'))
    op.create_index('idx_action_history_user_recent', 'action_history', ['user_id', sa.literal_column('created_at DESC')], unique=False)
    op.create_index('idx_action_history_voice_session', 'action_history', ['voice_session_id'], unique=False)


def downgrade() -> None:
    op.execute('DROP INDEX IF EXISTS idx_agent_memories_embedding')
    op.drop_index('idx_action_history_voice_session', table_name='action_history')
    op.drop_index('idx_action_history_user_recent', table_name='action_history')
    op.drop_index('idx_action_history_undoable', table_name='action_history', postgresql_where=sa.text('is_undone = false'))
    op.drop_index('idx_action_history_entity', table_name='action_history')
    op.drop_index('idx_action_history_cleanup', table_name='action_history', postgresql_where=sa.text('is_undone = false'))
    op.drop_table('action_history')
    op.drop_index('idx_ai_review_events_prediction', table_name='ai_review_events')
    op.drop_table('ai_review_events')
    op.drop_index('idx_ai_outcome_links_prediction', table_name='ai_outcome_links')
    op.drop_table('ai_outcome_links')
    op.drop_index('idx_approval_requests_tenant_status', table_name='agent_approval_requests')
    op.drop_index('idx_approval_requests_assigned', table_name='agent_approval_requests')
    op.drop_table('agent_approval_requests')
    op.drop_index('idx_tool_executions_tenant_tool_time', table_name='tool_executions')
    op.drop_index('idx_tool_executions_step', table_name='tool_executions')
    op.drop_table('tool_executions')
    op.drop_index('idx_ai_predictions_tenant_patient', table_name='ai_predictions')
    op.drop_table('ai_predictions')
    op.drop_index('idx_agent_interventions_training', table_name='agent_interventions')
    op.drop_index('idx_agent_interventions_tenant_time', table_name='agent_interventions')
    op.drop_table('agent_interventions')
    op.drop_index('idx_agent_context_execution', table_name='agent_context_windows')
    op.drop_table('agent_context_windows')
    op.drop_index('idx_voice_recordings_tenant_session', table_name='voice_recordings')
    op.drop_table('voice_recordings')
    op.drop_index('idx_image_annotations_object', table_name='image_annotations')
    op.drop_table('image_annotations')
    op.drop_index('idx_dicom_transactions_tenant_status', table_name='dicom_transactions')
    op.drop_index('idx_dicom_transactions_study', table_name='dicom_transactions')
    op.drop_table('dicom_transactions')
    op.drop_index('idx_agent_steps_execution_seq', table_name='agent_steps')
    op.drop_table('agent_steps')
    op.drop_index('idx_agent_metrics_tenant_metric_time', table_name='agent_metrics')
    op.drop_table('agent_metrics')
    op.drop_index('idx_voice_utterances_session_seq', table_name='voice_utterances')
    op.drop_table('voice_utterances')
    op.drop_index('idx_procedure_materials_procedure', table_name='procedure_materials')
    op.drop_table('procedure_materials')
    op.drop_index('idx_imaging_series_study', table_name='imaging_series')
    op.drop_table('imaging_series')
    op.drop_index('idx_imaging_objects_study', table_name='imaging_objects')
    op.drop_table('imaging_objects')
    op.drop_index('idx_clinical_outcomes_tenant_time', table_name='clinical_outcomes')
    op.drop_table('clinical_outcomes')
    op.drop_index('idx_agent_messages_conversation_seq', table_name='agent_messages')
    op.drop_table('agent_messages')
    op.drop_index('idx_agent_executions_voice_session', table_name='agent_executions')
    op.drop_index('idx_agent_executions_tenant_status', table_name='agent_executions')
    op.drop_table('agent_executions')
    op.drop_index('idx_voice_sessions_tenant_time', table_name='voice_sessions')
    op.drop_table('voice_sessions')
    op.drop_index('idx_vital_signs_tenant_patient_time', table_name='vital_signs')
    op.drop_index('idx_vital_signs_encounter', table_name='vital_signs')
    op.drop_table('vital_signs')
    op.drop_table('treatment_plan_items')
    op.drop_index('idx_tooth_chart_snapshots_tenant_patient_time', table_name='tooth_chart_snapshots')
    op.drop_index('idx_tooth_chart_snapshots_encounter', table_name='tooth_chart_snapshots', postgresql_where=sa.text('encounter_id IS NOT NULL'))
    op.drop_table('tooth_chart_snapshots')
    op.drop_index('idx_referrals_tenant_status', table_name='referrals')
    op.drop_index('idx_referrals_target_tenant', table_name='referrals')
    op.drop_index('idx_referrals_patient_status', table_name='referrals')
    op.drop_table('referrals')
    op.drop_index('idx_procedures_tenant_patient', table_name='procedures')
    op.drop_index('idx_procedures_encounter', table_name='procedures')
    op.drop_table('procedures')
    op.drop_index('uq_perio_measurement_point', table_name='perio_measurements')
    op.drop_index('idx_perio_tenant_patient_time', table_name='perio_measurements')
    op.drop_index('idx_perio_patient_tooth_site_time', table_name='perio_measurements')
    op.drop_index('idx_perio_encounter', table_name='perio_measurements', postgresql_where=sa.text('encounter_id IS NOT NULL'))
    op.drop_table('perio_measurements')
    op.drop_index('idx_imaging_studies_tenant_patient', table_name='imaging_studies')
    op.drop_table('imaging_studies')
    op.drop_index('uq_fee_schedule_items_unique', table_name='fee_schedule_items')
    op.drop_index('idx_fee_schedule_items_schedule', table_name='fee_schedule_items')
    op.drop_index('idx_fee_schedule_items_procedure', table_name='fee_schedule_items')
    op.drop_table('fee_schedule_items')
    op.drop_index('uq_encounter_diagnoses_encounter_sequence', table_name='encounter_diagnoses')
    op.drop_index('idx_encounter_diagnoses_tenant_encounter', table_name='encounter_diagnoses')
    op.drop_table('encounter_diagnoses')
    op.drop_index('idx_clinical_notes_tenant_patient', table_name='clinical_notes')
    op.drop_table('clinical_notes')
    op.drop_index('idx_claim_status_events_tenant_to_status', table_name='claim_status_events')
    op.drop_index('idx_claim_status_events_claim_time', table_name='claim_status_events')
    op.drop_table('claim_status_events')
    op.drop_table('claim_lines')
    op.drop_index('idx_agent_conversations_tenant_status', table_name='agent_conversations')
    op.drop_table('agent_conversations')
    op.drop_index('uq_user_roles_assignment', table_name='user_roles')
    op.drop_index('idx_user_roles_user_tenant', table_name='user_roles')
    op.drop_index('idx_user_roles_role_tenant', table_name='user_roles')
    op.drop_table('user_roles')
    op.drop_index('idx_treatment_plans_tenant_patient', table_name='treatment_plans')
    op.drop_table('treatment_plans')
    op.drop_index('idx_team_members_user', table_name='team_members')
    op.drop_index('idx_team_members_team_status', table_name='team_members')
    op.drop_table('team_members')
    op.drop_index('idx_sync_job_logs_job_time', table_name='sync_job_logs')
    op.drop_table('sync_job_logs')
    op.drop_index('uq_procedure_catalog_scope_code', table_name='procedure_catalog')
    op.drop_index('idx_procedure_catalog_code', table_name='procedure_catalog')
    op.drop_index('idx_procedure_catalog_active', table_name='procedure_catalog')
    op.drop_table('procedure_catalog')
    op.drop_index('idx_phi_access_tenant_time', table_name='phi_access_logs')
    op.drop_index('idx_phi_access_resource', table_name='phi_access_logs')
    op.drop_index('idx_phi_access_patient_time', table_name='phi_access_logs', postgresql_where=sa.text('patient_id IS NOT NULL'))
    op.drop_index('idx_phi_access_actor', table_name='phi_access_logs')
    op.drop_table('phi_access_logs')
    op.drop_index('idx_patient_social_history_tenant_patient', table_name='patient_social_history')
    op.drop_table('patient_social_history')
    op.drop_index('idx_patient_relationships_related', table_name='patient_relationships')
    op.drop_index('idx_patient_relationships_patient', table_name='patient_relationships')
    op.drop_table('patient_relationships')
    op.drop_index('idx_patient_medications_tenant_patient', table_name='patient_medications')
    op.drop_table('patient_medications')
    op.drop_index('idx_patient_insurance_tenant_patient', table_name='patient_insurance_policies')
    op.drop_index('idx_patient_insurance_policy', table_name='patient_insurance_policies')
    op.drop_table('patient_insurance_policies')
    op.drop_index('uq_patient_identifiers_patient_system_value', table_name='patient_identifiers')
    op.drop_index('idx_patient_identifiers_tenant_patient', table_name='patient_identifiers')
    op.drop_table('patient_identifiers')
    op.drop_index('idx_patient_conditions_tenant_patient', table_name='patient_conditions')
    op.drop_table('patient_conditions')
    op.drop_index('idx_patient_allergies_tenant_patient', table_name='patient_allergies')
    op.drop_table('patient_allergies')
    op.drop_index('idx_patient_addresses_tenant_patient', table_name='patient_addresses')
    op.drop_table('patient_addresses')
    op.drop_index('idx_notifications_user_unread', table_name='notifications')
    op.drop_index('idx_notifications_tenant_status', table_name='notifications')
    op.drop_index('idx_notifications_patient_unread', table_name='notifications')
    op.drop_table('notifications')
    op.drop_index('idx_messages_tenant_sender', table_name='messages')
    op.drop_index('idx_messages_conversation_sent', table_name='messages')
    op.drop_table('messages')
    op.drop_index('uq_knowledge_localizations_version_locale', table_name='knowledge_localizations')
    op.drop_index('idx_knowledge_localizations_tenant_locale', table_name='knowledge_localizations')
    op.drop_table('knowledge_localizations')
    op.drop_index('idx_invoice_line_items_usage_reading', table_name='invoice_line_items')
    op.drop_index('idx_invoice_line_items_invoice', table_name='invoice_line_items')
    op.drop_table('invoice_line_items')
    op.drop_index('uq_fhir_resources_identity', table_name='fhir_resources')
    op.drop_index('idx_fhir_resources_tenant_type', table_name='fhir_resources')
    op.drop_table('fhir_resources')
    op.drop_index('idx_encounters_tenant_patient_time', table_name='encounters')
    op.drop_table('encounters')
    op.drop_index('idx_conversation_participants_user', table_name='conversation_participants')
    op.drop_index('idx_conversation_participants_patient', table_name='conversation_participants')
    op.drop_index('idx_conversation_participants_conversation', table_name='conversation_participants')
    op.drop_table('conversation_participants')
    op.drop_index('idx_claims_tenant_patient', table_name='claims')
    op.drop_table('claims')
    op.drop_index('idx_workflow_instances_workflow', table_name='workflow_instances')
    op.drop_index('idx_workflow_instances_tenant_status', table_name='workflow_instances')
    op.drop_index('idx_workflow_instances_entity', table_name='workflow_instances')
    op.drop_table('workflow_instances')
    op.drop_index('idx_user_tenants_tenant', table_name='user_tenants')
    op.drop_table('user_tenants')
    op.drop_index('uq_usage_meter_readings_period', table_name='usage_meter_readings')
    op.drop_index('idx_usage_meter_readings_tenant_meter', table_name='usage_meter_readings')
    op.drop_table('usage_meter_readings')
    op.drop_index('uq_teams_tenant_name', table_name='teams')
    op.drop_index('idx_teams_tenant_location', table_name='teams')
    op.drop_table('teams')
    op.drop_index('idx_sync_jobs_tenant_status', table_name='sync_jobs')
    op.drop_index('idx_sync_jobs_integration', table_name='sync_jobs')
    op.drop_table('sync_jobs')
    op.drop_table('role_permissions')
    op.drop_index('idx_patients_tenant_name_dob', table_name='patients')
    op.drop_table('patients')
    op.drop_index('uq_legal_hold_link', table_name='legal_hold_links')
    op.drop_index('idx_legal_hold_links_lookup', table_name='legal_hold_links')
    op.drop_index('idx_legal_hold_links_hold', table_name='legal_hold_links')
    op.drop_table('legal_hold_links')
    op.drop_index('uq_knowledge_versions_doc_number', table_name='knowledge_versions')
    op.drop_index('idx_knowledge_versions_tenant_status', table_name='knowledge_versions')
    op.drop_table('knowledge_versions')
    op.drop_index('uq_invoices_tenant_number', table_name='invoices')
    op.drop_index('idx_invoices_tenant_status', table_name='invoices')
    op.drop_index('idx_invoices_billing_account', table_name='invoices')
    op.drop_table('invoices')
    op.drop_index('uq_integration_credentials_ref', table_name='integration_credentials')
    op.drop_index('idx_integration_credentials_integration', table_name='integration_credentials')
    op.drop_table('integration_credentials')
    op.drop_index('uq_custom_field_values_entity', table_name='custom_field_values')
    op.drop_index('idx_custom_field_values_tenant_entity', table_name='custom_field_values')
    op.drop_index('idx_custom_field_values_definition', table_name='custom_field_values')
    op.drop_table('custom_field_values')
    op.drop_index('uq_code_values_scope_system_code', table_name='code_values')
    op.drop_index('idx_code_values_lookup', table_name='code_values')
    op.drop_index('idx_code_values_display_search', table_name='code_values')
    op.drop_index('idx_code_values_category', table_name='code_values')
    op.drop_table('code_values')
    op.drop_index('idx_ai_model_deployments_tenant_status', table_name='ai_model_deployments')
    op.drop_table('ai_model_deployments')
    op.drop_index('idx_ai_jobs_tenant_model_status', table_name='ai_inference_jobs')
    op.drop_table('ai_inference_jobs')
    op.drop_index('idx_agent_memories_tenant_scope', table_name='agent_memories')
    op.drop_index('idx_agent_memories_tenant_lang_scope', table_name='agent_memories')
    op.drop_table('agent_memories')
    op.drop_index('uq_workflows_tenant_key_version', table_name='workflows')
    op.drop_index('idx_workflows_tenant_active', table_name='workflows')
    op.drop_table('workflows')
    op.drop_index('uq_webhook_subscriptions_target', table_name='webhook_subscriptions')
    op.drop_index('idx_webhook_subscriptions_tenant_active', table_name='webhook_subscriptions')
    op.drop_table('webhook_subscriptions')
    op.drop_index('uq_user_auth_identities_provider_uid', table_name='user_auth_identities')
    op.drop_index('idx_user_auth_identities_user', table_name='user_auth_identities')
    op.drop_table('user_auth_identities')
    op.drop_index('uq_usage_meters_scope_key', table_name='usage_meters')
    op.drop_index('idx_usage_meters_active', table_name='usage_meters')
    op.drop_table('usage_meters')
    op.drop_index('idx_tenant_subscriptions_tenant_status', table_name='tenant_subscriptions')
    op.drop_index('idx_tenant_subscriptions_plan', table_name='tenant_subscriptions')
    op.drop_table('tenant_subscriptions')
    op.drop_table('tenant_settings')
    op.drop_table('tenant_quotas')
    op.drop_index('uq_tenant_integrations_scope', table_name='tenant_integrations')
    op.drop_index('idx_tenant_integrations_tenant_status', table_name='tenant_integrations')
    op.drop_table('tenant_integrations')
    op.drop_index('uq_tenant_features_tenant_feature', table_name='tenant_features')
    op.drop_index('idx_tenant_features_tenant_enabled', table_name='tenant_features')
    op.drop_table('tenant_features')
    op.drop_table('tenant_branding')
    op.drop_index('tenant_billing_accounts_tenant_unique', table_name='tenant_billing_accounts')
    op.drop_index('idx_tenant_billing_accounts_status', table_name='tenant_billing_accounts')
    op.drop_table('tenant_billing_accounts')
    op.drop_index('idx_sessions_user_active', table_name='sessions', postgresql_where=sa.text('revoked_at IS NULL'))
    op.drop_index('idx_sessions_token_hash', table_name='sessions')
    op.drop_index('idx_sessions_tenant', table_name='sessions')
    op.drop_index('idx_sessions_cleanup', table_name='sessions', postgresql_where=sa.text('revoked_at IS NULL'))
    op.drop_table('sessions')
    op.drop_index('idx_roles_tenant_name', table_name='roles')
    op.drop_table('roles')
    op.drop_index('idx_locations_tenant', table_name='locations')
    op.drop_table('locations')
    op.drop_index('idx_legal_holds_tenant_status', table_name='legal_holds')
    op.drop_table('legal_holds')
    op.drop_index('uq_knowledge_documents_tenant_slug', table_name='knowledge_documents')
    op.drop_index('idx_knowledge_documents_tenant_status', table_name='knowledge_documents')
    op.drop_table('knowledge_documents')
    op.drop_index('uq_fee_schedules_scope_name_effective', table_name='fee_schedules')
    op.drop_index('idx_fee_schedules_active', table_name='fee_schedules')
    op.drop_table('fee_schedules')
    op.drop_index('uq_drug_reference_scope_code', table_name='drug_reference')
    op.drop_index('idx_drug_reference_name', table_name='drug_reference')
    op.drop_table('drug_reference')
    op.drop_index('idx_documents_tenant_type', table_name='documents')
    op.drop_index('idx_documents_tenant_owner', table_name='documents')
    op.drop_table('documents')
    op.drop_index('uq_retention_policy_tenant_data_class_active', table_name='data_retention_policies')
    op.drop_index('idx_retention_tenant_class', table_name='data_retention_policies')
    op.drop_table('data_retention_policies')
    op.drop_index('uq_custom_field_definitions_scope', table_name='custom_field_definitions')
    op.drop_index('idx_custom_field_definitions_tenant_status', table_name='custom_field_definitions')
    op.drop_table('custom_field_definitions')
    op.drop_index('idx_conversations_tenant_type', table_name='conversations')
    op.drop_index('idx_conversations_tenant_status', table_name='conversations')
    op.drop_table('conversations')
    op.drop_index('uq_consents_subject_type_scope_active', table_name='consents')
    op.drop_index('idx_consents_subject', table_name='consents')
    op.drop_index('idx_consents_active', table_name='consents', postgresql_where=sa.text("status = 'GRANTED'"))
    op.drop_table('consents')
    op.drop_index('uq_code_systems_scope_key_version', table_name='code_systems')
    op.drop_index('idx_code_systems_active', table_name='code_systems')
    op.drop_table('code_systems')
    op.drop_index('idx_audit_tenant_time', table_name='audit_events')
    op.drop_index('idx_audit_resource', table_name='audit_events')
    op.drop_table('audit_events')
    op.drop_index('idx_api_clients_tenant', table_name='api_clients')
    op.drop_index('api_clients_client_id_unique', table_name='api_clients')
    op.drop_table('api_clients')
    op.drop_index('idx_ai_model_versions_model_version', table_name='ai_model_versions')
    op.drop_table('ai_model_versions')
    op.drop_index('idx_agent_workflows_tenant_active', table_name='agent_workflows')
    op.drop_table('agent_workflows')
    op.drop_index('idx_agent_tools_tenant_active', table_name='agent_tools')
    op.drop_index('agent_tools_name_unique', table_name='agent_tools')
    op.drop_table('agent_tools')
    op.drop_index('users_email_unique', table_name='users')
    op.drop_table('users')
    op.drop_index('idx_tenants_parent', table_name='tenants')
    op.drop_table('tenants')
    op.drop_index('subscription_plans_code_unique', table_name='subscription_plans')
    op.drop_table('subscription_plans')
    op.drop_index('permissions_key_unique', table_name='permissions')
    op.drop_table('permissions')
    op.drop_index('idx_external_systems_type_status', table_name='external_systems')
    op.drop_index('external_systems_key_unique', table_name='external_systems')
    op.drop_table('external_systems')
    op.drop_index('idx_billing_plans_active', table_name='billing_plans')
    op.drop_index('billing_plans_code_unique', table_name='billing_plans')
    op.drop_table('billing_plans')
    op.drop_table('ai_models')
    op.execute('DROP EXTENSION IF EXISTS vector')
    op.execute('DROP EXTENSION IF EXISTS "uuid-ossp"')
    op.execute("DROP FUNCTION IF EXISTS uuid_generate_v4()")
