"""Row-level security: every tenant-scoped table is filtered on ``app.tenant_id``.

Tenant sessions run as the non-owner role ``dentalagent_app`` (``SET LOCAL ROLE``) with the
transaction-local setting ``app.tenant_id``; the policies below are what they can see. Tables
without a tenant column inherit isolation from their parent row (a child is visible only if its
parent is). Global reference tables (plans, permissions, AI model registry) stay readable.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APP_ROLE = "dentalagent_app"

TENANT_TABLES = (
    "action_history", "agent_approval_requests", "agent_conversations", "agent_executions",
    "agent_interventions", "agent_memories", "agent_metrics", "ai_inference_jobs",
    "ai_predictions", "claim_status_events", "claims", "clinical_notes", "clinical_outcomes",
    "consents", "conversations", "custom_field_definitions", "custom_field_values",
    "data_retention_policies", "dicom_transactions", "documents", "encounter_diagnoses",
    "encounters", "fee_schedules", "fhir_resources", "image_annotations", "imaging_studies",
    "invoices", "knowledge_documents", "knowledge_localizations", "knowledge_versions",
    "legal_hold_links", "legal_holds", "locations", "messages", "notifications",
    "patient_addresses", "patient_allergies", "patient_conditions", "patient_identifiers",
    "patient_insurance_policies", "patient_medications", "patient_relationships",
    "patient_social_history", "patients", "perio_measurements", "phi_access_logs", "procedures",
    "referrals", "sessions", "sync_jobs", "teams", "tenant_billing_accounts", "tenant_branding",
    "tenant_features", "tenant_integrations", "tenant_quotas", "tenant_settings",
    "tenant_subscriptions", "tool_executions", "tooth_chart_snapshots", "treatment_plans",
    "usage_meter_readings", "user_roles", "user_tenants", "vital_signs", "voice_recordings",
    "voice_sessions", "webhook_subscriptions", "workflow_instances", "workflows",
)

# tenant_id is nullable: NULL marks a row shared by every tenant.
SHARED_TENANT_TABLES = (
    "agent_tools", "agent_workflows", "ai_model_deployments", "api_clients", "audit_events",
    "code_systems", "code_values", "drug_reference", "procedure_catalog", "roles",
    "usage_meters",
)

# Tables without tenant_id, isolated through the parent row they belong to.
CHILD_TABLES = {
    "team_members": ("team_id", "teams"),
    "procedure_materials": ("procedure_id", "procedures"),
    "imaging_objects": ("study_id", "imaging_studies"),
    "imaging_series": ("study_id", "imaging_studies"),
    "ai_review_events": ("prediction_id", "ai_predictions"),
    "ai_outcome_links": ("prediction_id", "ai_predictions"),
    "treatment_plan_items": ("plan_id", "treatment_plans"),
    "claim_lines": ("claim_id", "claims"),
    "invoice_line_items": ("invoice_id", "invoices"),
    "integration_credentials": ("tenant_integration_id", "tenant_integrations"),
    "sync_job_logs": ("sync_job_id", "sync_jobs"),
    "conversation_participants": ("conversation_id", "conversations"),
    "fee_schedule_items": ("fee_schedule_id", "fee_schedules"),
    "voice_utterances": ("session_id", "voice_sessions"),
    "agent_steps": ("execution_id", "agent_executions"),
    "agent_messages": ("conversation_id", "agent_conversations"),
    "agent_context_windows": ("execution_id", "agent_executions"),
}

CURRENT_TENANT = "app_current_tenant()"


def _policies() -> list[tuple[str, str]]:
    """(table, CREATE POLICY statements) for every isolated table."""
    out: list[tuple[str, str]] = [
        ("tenants", f"CREATE POLICY tenant_isolation ON tenants USING (id = {CURRENT_TENANT})"),
        # A user is visible to a clinic only through that clinic's membership rows.
        ("users", "CREATE POLICY tenant_isolation ON users USING "
                  "(EXISTS (SELECT 1 FROM user_tenants ut WHERE ut.user_id = users.id))"),
        ("user_auth_identities", "CREATE POLICY tenant_isolation ON user_auth_identities USING "
                                 "(EXISTS (SELECT 1 FROM users u WHERE u.id = user_auth_identities.user_id))"),
    ]
    for table in TENANT_TABLES + SHARED_TENANT_TABLES:
        out.append((table, f"CREATE POLICY tenant_isolation ON {table} "
                           f"USING (tenant_id = {CURRENT_TENANT}) WITH CHECK (tenant_id = {CURRENT_TENANT})"))
    for table in SHARED_TENANT_TABLES:
        # Global rows (tenant_id NULL: the shared catalog, global tools) are read-only to tenants.
        out.append((table, f"CREATE POLICY shared_read ON {table} FOR SELECT USING (tenant_id IS NULL)"))
    for table, (column, parent) in CHILD_TABLES.items():
        out.append((table, f"CREATE POLICY tenant_isolation ON {table} "
                           f"USING (EXISTS (SELECT 1 FROM {parent} p WHERE p.id = {table}.{column}))"))
    return out


def upgrade() -> None:
    op.execute(
        f"""DO $$ BEGIN CREATE ROLE {APP_ROLE} NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"""
    )
    op.execute(f"GRANT {APP_ROLE} TO CURRENT_USER")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}"
    )
    op.execute(
        "CREATE FUNCTION app_current_tenant() RETURNS uuid LANGUAGE sql STABLE AS "
        "$$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$"
    )
    tables = sorted({t for t, _ in _policies()})
    for table in tables:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    for _, statement in _policies():
        op.execute(statement)


def downgrade() -> None:
    for table in sorted({t for t, _ in _policies()}):
        op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
        op.execute(f"DROP POLICY IF EXISTS shared_read ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("DROP FUNCTION IF EXISTS app_current_tenant()")
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {APP_ROLE}"
    )
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP_ROLE}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {APP_ROLE}")
    # The role itself is cluster-wide and may serve other databases: it is kept.
