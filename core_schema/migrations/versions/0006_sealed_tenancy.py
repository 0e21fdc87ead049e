"""Sealed tenancy: a binding that cannot be replayed, and nothing shared through the catalog.

0003 bound a clinic with ``<uuid>.<signature>``, the same value for every transaction of a
clinic, sent as SQL text: another session of the app role could read it in
``pg_stat_activity`` and replay it. Now:

- The binding is ``<uuid>.<backend pid>.<nonce>.<signature>``, sent as a bound parameter.
  ``app_current_tenant()`` accepts it only on the backend it was signed for, so a value seen
  anywhere else binds nothing; a fresh nonce per transaction means no two are alike.
- What one session of the app role could learn of another, or hold against it, is revoked
  from PUBLIC: other backends' activity and query text (``pg_stat_activity``, the
  ``pg_stat_get_backend_*`` functions), ``pg_locks``, advisory locks (tenant code locks
  through ``app_tenant_lock``, which scopes the key by the bound clinic), large objects,
  and signalling other backends. These are catalog functions owned by the bootstrap
  superuser: a migrating role that is not a superuser cannot revoke them, and the
  migration then warns instead (``dentalagent doctor`` reports it).
- Item 13 of issue 17: audit rows without a clinic are not readable by clinics,
  ``role_permissions`` follows its role's clinic, ``phi_access_logs`` is append-only and
  ``action_history`` changes only by being undone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

APP_ROLE = "dentalagent_app"

def _tenant_function(sealed: bool) -> str:
    """``app_current_tenant()``: 0006's (signed over uuid, backend pid and nonce, accepted on that
    backend only) or, for the downgrade, 0003's (signed over the uuid alone)."""
    if sealed:
        pid_check = "IF split_part(v, '.', 2) <> pg_backend_pid()::text THEN RETURN NULL; END IF;"
        body = "split_part(v, '.', 1) || '.' || split_part(v, '.', 2) || '.' || split_part(v, '.', 3)"
        signature = "split_part(v, '.', 4)"
    else:
        pid_check, body, signature = "", "split_part(v, '.', 1)", "split_part(v, '.', 2)"
    return f"""
CREATE OR REPLACE FUNCTION app_current_tenant() RETURNS uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v text := coalesce(current_setting('app.tenant_id', true), '');
  k bytea;
BEGIN
  {pid_check}
  SELECT t.key INTO k FROM app_private.tenant_key t;
  IF {signature} = encode(sha256(k || sha256(k || convert_to({body}, 'UTF8'))), 'hex') THEN
    RETURN split_part(v, '.', 1)::uuid;
  END IF;
  RETURN NULL;
END $$"""


# A transaction-level advisory lock whose key belongs to the bound clinic: tenant code
# serialises its own writers and can never hold a lock another clinic (or a run lease) needs.
TENANT_LOCK_FN = """
CREATE OR REPLACE FUNCTION app_tenant_lock(lock_key text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  t uuid := public.app_current_tenant();
BEGIN
  IF t IS NULL THEN
    RAISE EXCEPTION 'no clinic is bound to this session' USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('tenant:' || t::text || ':' || lock_key, 0));
END $$"""

# Catalog functions and views through which one backend of the app role reaches another.
_CATALOG_FUNCTIONS = """
SELECT p.oid::regprocedure::text AS sig FROM pg_proc p
WHERE p.pronamespace = 'pg_catalog'::regnamespace AND (
  p.proname LIKE 'pg\\_advisory\\_%' OR p.proname LIKE 'pg\\_try\\_advisory\\_%'
  OR p.proname LIKE 'lo\\_%' OR p.proname IN ('loread', 'lowrite')
  OR p.proname LIKE 'pg\\_stat\\_get\\_backend\\_%'
  OR p.proname IN ('pg_stat_get_activity', 'pg_lock_status', 'pg_blocking_pids', 'pg_safe_snapshot_blocking_pids',
                   'pg_terminate_backend', 'pg_cancel_backend', 'pg_stat_get_progress_info',
                   'pg_log_backend_memory_contexts'))
"""
_CATALOG_VIEWS = ("pg_stat_activity", "pg_locks", "pg_stat_progress_vacuum", "pg_stat_progress_analyze",
                  "pg_stat_progress_create_index", "pg_stat_progress_cluster", "pg_stat_progress_basebackup",
                  "pg_stat_progress_copy")


def _catalog_acl(grant: bool) -> None:
    """Revoke (or give back) PUBLIC's use of the cross-backend catalog; warn when not allowed."""
    verb, prep = ("GRANT", "TO") if grant else ("REVOKE", "FROM")
    views = ", ".join(f"'{v}'" for v in _CATALOG_VIEWS)
    op.execute(f"""DO $$ DECLARE r record; BEGIN
      FOR r IN {_CATALOG_FUNCTIONS} LOOP
        EXECUTE '{verb} EXECUTE ON FUNCTION ' || r.sig || ' {prep} PUBLIC';
      END LOOP;
      FOR r IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'pg_catalog'::regnamespace
               AND c.relname IN ({views}) LOOP
        EXECUTE '{verb} SELECT ON pg_catalog.' || quote_ident(r.relname) || ' {prep} PUBLIC';
      END LOOP;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE WARNING 'dentalagent: not a superuser, so the app role keeps PUBLIC access to pg_stat_activity, '
        'pg_locks, advisory locks and large objects (see README, tenant isolation)';
    END $$""")


def upgrade() -> None:
    op.execute(_tenant_function(sealed=True))
    op.execute(TENANT_LOCK_FN)
    op.execute("REVOKE ALL ON FUNCTION app_tenant_lock(text) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION app_tenant_lock(text) TO {APP_ROLE}")
    _catalog_acl(grant=False)
    # Audit rows without a clinic (logins of unknown users, system events) are the owner's.
    op.execute("DROP POLICY IF EXISTS shared_read ON audit_events")
    # A role's permissions are visible where the role is (its clinic's roles and the shared ones).
    op.execute("ALTER TABLE role_permissions ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE role_permissions FORCE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY tenant_isolation ON role_permissions USING "
               "(EXISTS (SELECT 1 FROM roles r WHERE r.id = role_permissions.role_id))")
    op.execute("CREATE POLICY owner_access ON role_permissions TO CURRENT_USER USING (true) WITH CHECK (true)")
    # PHI access logs are evidence: appended, never rewritten.
    op.execute(f"REVOKE UPDATE, DELETE ON phi_access_logs FROM {APP_ROLE}")
    # An action row changes once: when it is undone (undo.actions); nothing else of it, ever.
    op.execute(f"REVOKE UPDATE, DELETE ON action_history FROM {APP_ROLE}")
    op.execute(f"GRANT UPDATE (is_undone, undone_at, undone_by_user_id, undo_reason) ON action_history TO {APP_ROLE}")
    op.execute("""CREATE OR REPLACE FUNCTION app_action_history_undo_only() RETURNS trigger
      LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
      BEGIN
        IF current_user = 'dentalagent_app' AND (OLD.is_undone OR NOT NEW.is_undone OR NEW.undone_at IS NULL) THEN
          RAISE EXCEPTION 'action_history rows change only by being undone, once'
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$""")
    op.execute("CREATE TRIGGER action_history_undo_only BEFORE UPDATE ON action_history "
               "FOR EACH ROW EXECUTE FUNCTION app_action_history_undo_only()")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS action_history_undo_only ON action_history")
    op.execute("DROP FUNCTION IF EXISTS app_action_history_undo_only()")
    op.execute(f"REVOKE UPDATE (is_undone, undone_at, undone_by_user_id, undo_reason) ON action_history FROM {APP_ROLE}")
    op.execute(f"GRANT UPDATE, DELETE ON action_history TO {APP_ROLE}")
    op.execute(f"GRANT UPDATE, DELETE ON phi_access_logs TO {APP_ROLE}")
    op.execute("DROP POLICY IF EXISTS owner_access ON role_permissions")
    op.execute("DROP POLICY IF EXISTS tenant_isolation ON role_permissions")
    op.execute("ALTER TABLE role_permissions NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE role_permissions DISABLE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY shared_read ON audit_events FOR SELECT USING (tenant_id IS NULL)")
    _catalog_acl(grant=True)
    op.execute("DROP FUNCTION IF EXISTS app_tenant_lock(text)")
    op.execute(_tenant_function(sealed=False))
