"""Hardened tenancy: a login role that owns nothing, a signed tenant binding, forced RLS.

Tenant sessions log in as ``dentalagent_app`` (no superuser, member of no role, owns no
object), so ``RESET ROLE`` / ``SET ROLE`` / ``SET SESSION AUTHORIZATION`` lead nowhere.
``app.tenant_id`` holds ``<uuid>.<signature>``; ``app_current_tenant()`` (SECURITY DEFINER)
accepts it only when the signature was made with the per-database key in ``app_private``,
a schema the app role cannot use, so raw SQL cannot forge another clinic's binding.
Every RLS table is FORCEd; the migrating role keeps its access through ``owner_access``.
The app role gets only the table privileges tenant code needs (reference tables read-only,
audit append-only, nothing on LangGraph checkpoints, alembic_version or the key).

The role is cluster-wide and shared by every database of the server: downgrade leaves its
LOGIN attribute (and password) alone so other databases keep working.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import re

from alembic import op
from sqlalchemy import text

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APP_ROLE = "dentalagent_app"
FN = "app_current_tenant()"
WRAPPED = "(SELECT app_current_tenant())"
# pg_get_expr's rendering of WRAPPED, matched on downgrade.
WRAPPED_RE = re.compile(r"\(\s*SELECT app_current_tenant\(\)(?: AS app_current_tenant)?\s*\)")

# Global reference data: readable by every tenant, written only by owner-side code (seed).
READ_ONLY = (
    "ai_model_versions", "ai_models", "billing_plans", "external_systems", "permissions",
    "role_permissions", "subscription_plans",
    # Identity rows are shared across clinics: a clinic must not rewrite another's user.
    "tenants", "users", "user_auth_identities",
)
APPEND_ONLY = ("audit_events",)

# plpgsql, not sql: its plan is cached per connection (a non-inlined sql function is
# re-planned on every call). pg_catalog first: no object of the caller's can shadow a name.
SECURE_FN = """
CREATE OR REPLACE FUNCTION app_current_tenant() RETURNS uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v text := coalesce(current_setting('app.tenant_id', true), '');
  k bytea;
BEGIN
  SELECT t.key INTO k FROM app_private.tenant_key t;
  IF split_part(v, '.', 2) = encode(sha256(k || sha256(k || convert_to(split_part(v, '.', 1), 'UTF8'))), 'hex') THEN
    RETURN split_part(v, '.', 1)::uuid;
  END IF;
  RETURN NULL;
END $$"""

PLAIN_FN = """
CREATE OR REPLACE FUNCTION app_current_tenant() RETURNS uuid
LANGUAGE sql STABLE SECURITY INVOKER AS
$$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$"""


def _rls_tables() -> list[str]:
    rows = op.get_bind().execute(text(
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND relrowsecurity "
        "AND relnamespace = 'public'::regnamespace ORDER BY relname"
    ))
    return [r[0] for r in rows]


def _rewrite_policies(old: re.Pattern[str] | str, new: str) -> None:
    """ALTER every public policy whose expressions mention the tenant function."""
    bind = op.get_bind()
    rows = bind.execute(text(
        "SELECT policyname, tablename, qual, with_check FROM pg_policies "
        "WHERE schemaname = 'public' AND (qual LIKE '%app_current_tenant()%' OR with_check LIKE '%app_current_tenant()%')"
    )).all()
    pattern = old if isinstance(old, re.Pattern) else re.compile(re.escape(old))
    for name, table, qual, check in rows:
        parts = []
        if qual:
            parts.append(f"USING ({pattern.sub(lambda _: new, qual)})")
        if check:
            parts.append(f"WITH CHECK ({pattern.sub(lambda _: new, check)})")
        op.execute(f'ALTER POLICY "{name}" ON "{table}" ' + " ".join(parts))


def _role_setup() -> None:
    """Make the app role a LOGIN role that can never become anyone else."""
    op.execute(f"""DO $$ DECLARE r record; BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}' AND (NOT rolcanlogin OR rolsuper
                 OR rolcreaterole OR rolcreatedb OR rolbypassrls OR rolreplication)) THEN
        ALTER ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION;
      END IF;
      FOR r IN SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
               WHERE m.member = '{APP_ROLE}'::regrole LOOP
        EXECUTE format('REVOKE %I FROM {APP_ROLE}', r.rolname);
      END LOOP;
    END $$""")
    from core_schema.settings import get_settings

    password = get_settings().app_db_password
    if password:
        op.execute(f"ALTER ROLE {APP_ROLE} PASSWORD '" + password.replace("'", "''") + "'")


def _grants() -> None:
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP_ROLE}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {APP_ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM {APP_ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM {APP_ROLE}")
    op.execute(f"REVOKE CREATE ON SCHEMA public FROM {APP_ROLE}")
    # Tenant data: every table under RLS except the read-only and append-only ones.
    rls = _rls_tables()
    for table in rls:
        if table in APPEND_ONLY:
            op.execute(f'GRANT SELECT, INSERT ON "{table}" TO {APP_ROLE}')
        elif table in READ_ONLY:
            op.execute(f'GRANT SELECT ON "{table}" TO {APP_ROLE}')
        else:
            op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON "{table}" TO {APP_ROLE}')
    for table in READ_ONLY:
        if table not in rls:
            op.execute(f'GRANT SELECT ON "{table}" TO {APP_ROLE}')
    # No temporary objects: a temp table named like ours would shadow it for the next
    # clinic that gets this pooled connection.
    op.execute("""DO $$ BEGIN
      EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
      EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO CURRENT_USER', current_database());
    END $$""")


def upgrade() -> None:
    _role_setup()
    op.execute("CREATE SCHEMA app_private")
    op.execute("REVOKE ALL ON SCHEMA app_private FROM PUBLIC")
    op.execute(
        "CREATE TABLE app_private.tenant_key (one boolean PRIMARY KEY DEFAULT true CHECK (one), key bytea NOT NULL)"
    )
    # gen_random_uuid() is built in (PG 13+) and uses the strong random source; no pgcrypto.
    op.execute(
        "INSERT INTO app_private.tenant_key (key) "
        "SELECT decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex')"
    )
    op.execute(SECURE_FN)
    op.execute("REVOKE ALL ON FUNCTION app_current_tenant() FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION app_current_tenant() TO {APP_ROLE}")
    _rewrite_policies(FN, WRAPPED)  # an InitPlan: evaluated once per query, not per row
    for table in _rls_tables():
        op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY owner_access ON "{table}" TO CURRENT_USER USING (true) WITH CHECK (true)')
    _grants()


def downgrade() -> None:
    for table in _rls_tables():
        op.execute(f'DROP POLICY IF EXISTS owner_access ON "{table}"')
        op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
    _rewrite_policies(WRAPPED_RE, FN)
    op.execute(PLAIN_FN)
    op.execute("GRANT EXECUTE ON FUNCTION app_current_tenant() TO PUBLIC")
    op.execute("DROP SCHEMA app_private CASCADE")
    op.execute("""DO $$ BEGIN
      EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM CURRENT_USER', current_database());
      EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO PUBLIC', current_database());
    END $$""")
    # 0002's privileges: every public table, and the default for future ones.
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}"
    )
