"""A session of clinic A cannot read or change clinic B's rows, even with raw SQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import ProgrammingError

from core_schema.db import Database, tenant_token
from core_schema.models import FeeScheduleItem, Patient, ProcedureCatalog, User
from core_schema.seed.demo import (
    DEMO_PATIENT_IDS,
    DEMO_TENANT_ID,
    UNIVERSAL_PATIENT_ID,
    UNIVERSAL_TENANT_ID,
)


def test_orm_queries_see_only_own_tenant(platform) -> None:
    with platform.db.system_session() as s:  # the owner sees every clinic (tests add patients)
        owned = {t: set(s.scalars(select(Patient.id).where(Patient.tenant_id == t)))
                 for t in (DEMO_TENANT_ID, UNIVERSAL_TENANT_ID)}
    assert set(DEMO_PATIENT_IDS) <= owned[DEMO_TENANT_ID] and UNIVERSAL_PATIENT_ID in owned[UNIVERSAL_TENANT_ID]
    with platform.db.tenant_session(DEMO_TENANT_ID) as s:
        assert set(s.scalars(select(Patient.id))) == owned[DEMO_TENANT_ID]
    with platform.db.tenant_session(UNIVERSAL_TENANT_ID) as s:
        assert set(s.scalars(select(Patient.id))) == owned[UNIVERSAL_TENANT_ID]


def test_raw_sql_cannot_read_or_update_other_tenant(platform) -> None:
    with platform.db.tenant_session(DEMO_TENANT_ID) as s:
        seen = s.execute(text("SELECT count(*) FROM patients WHERE tenant_id = :b"), {"b": UNIVERSAL_TENANT_ID}).scalar()
        updated = s.execute(
            text("UPDATE patients SET last_name = 'Hacked' WHERE id = :p"), {"p": UNIVERSAL_PATIENT_ID}
        ).rowcount
        deleted = s.execute(text("DELETE FROM encounters WHERE tenant_id = :b"), {"b": UNIVERSAL_TENANT_ID}).rowcount
        tenants = s.execute(text("SELECT id FROM tenants")).scalars().all()
    assert (seen, updated, deleted) == (0, 0, 0)
    assert tenants == [DEMO_TENANT_ID]
    with platform.db.system_session() as s:
        assert s.get(Patient, UNIVERSAL_PATIENT_ID).last_name == "Bicuspid"


def test_cannot_write_rows_into_other_tenant(platform) -> None:
    with pytest.raises(ProgrammingError, match="row-level security"):
        with platform.db.tenant_session(DEMO_TENANT_ID) as s:
            s.execute(
                text("INSERT INTO patients (tenant_id, first_name, last_name) VALUES (:b, 'X', 'Y')"),
                {"b": UNIVERSAL_TENANT_ID},
            )


def test_cannot_escape_by_changing_the_setting_to_nothing(platform) -> None:
    with platform.db.tenant_session(DEMO_TENANT_ID) as s:
        s.execute(text("SELECT set_config('app.tenant_id', '', true)"))
        assert s.execute(text("SELECT count(*) FROM patients")).scalar() == 0


def test_child_rows_follow_their_parent_and_shared_catalog_is_readable(platform) -> None:
    with platform.db.tenant_session(DEMO_TENANT_ID) as s:
        fee_schedules = {i.fee_schedule_id for i in s.scalars(select(FeeScheduleItem))}
        catalog = s.scalars(select(ProcedureCatalog)).all()
        users = {u.email for u in s.scalars(select(User))}
        changed = s.execute(text("UPDATE procedure_catalog SET is_active = false")).rowcount
    assert len(fee_schedules) == 1  # only the demo clinic's schedule, not the other tenant's
    assert len(catalog) > 20  # the shared catalog (tenant_id NULL) is visible ...
    assert changed == 0  # ... but read-only to a tenant
    assert "dentist@universal.clinic" not in users and "dentist@demo.clinic" in users


# --- Raw SQL in a tenant session cannot leave its clinic (issue 7, part 5) -------------------

def _owner(platform) -> str:
    with platform.db.engine.connect() as conn:
        return conn.execute(text("SELECT current_user")).scalar_one()


def _demo_patients(platform) -> int:
    """How many patients the demo clinic has, as the owner counts them (tests add patients)."""
    with platform.db.system_session() as s:
        return int(s.execute(text("SELECT count(*) FROM patients WHERE tenant_id = :t"), {"t": DEMO_TENANT_ID}).scalar())


def _patients_seen(s) -> int:
    return s.execute(text("SELECT count(*) FROM patients")).scalar_one()


def test_tenant_session_logs_in_as_a_role_that_owns_nothing_and_is_no_one_else(platform) -> None:
    with platform.db.tenant_session(DEMO_TENANT_ID) as s:
        user, session_user, superuser = s.execute(text(
            "SELECT current_user, session_user, rolsuper FROM pg_roles WHERE rolname = current_user"
        )).one()
        memberships = s.execute(text(
            "SELECT count(*) FROM pg_auth_members WHERE member = current_user::regrole"
        )).scalar_one()
        owned = s.execute(text(
            "SELECT count(*) FROM pg_class WHERE relowner = current_user::regrole"
        )).scalar_one()
    assert (user, session_user, superuser) == ("dentalagent_app", "dentalagent_app", False)
    assert (memberships, owned) == (0, 0)


def test_reset_role_stays_the_app_role(platform) -> None:
    with platform.db.tenant_session(DEMO_TENANT_ID) as s:
        s.execute(text("RESET ROLE"))
        assert s.execute(text("SELECT current_user")).scalar_one() == "dentalagent_app"
        assert _patients_seen(s) == _demo_patients(platform)


@pytest.mark.parametrize("statement", [
    "SET ROLE {owner}",
    "SET SESSION AUTHORIZATION {owner}",
    "SELECT set_config('role', '{owner}', false)",
    "SELECT set_config('session_authorization', '{owner}', false)",
    "COPY (SELECT 1) TO PROGRAM 'true'",
    "CREATE TEMP TABLE patients (id uuid)",
    "CREATE TABLE public.scratch (id int)",
    "SELECT key FROM app_private.tenant_key",
    "CREATE OR REPLACE FUNCTION app_current_tenant() RETURNS uuid LANGUAGE sql AS $$ SELECT NULL::uuid $$",
    "ALTER TABLE patients NO FORCE ROW LEVEL SECURITY",
])
def test_escapes_are_refused(platform, statement: str) -> None:
    with pytest.raises(ProgrammingError, match="permission denied|must be|must be owner"):
        with platform.db.tenant_session(DEMO_TENANT_ID) as s:
            s.execute(text(statement.format(owner=_owner(platform))))


@pytest.mark.parametrize("statement", [
    "INSERT INTO role_permissions (role_id, permission_id) SELECT r.id, p.id FROM roles r, permissions p LIMIT 1",
    "DELETE FROM role_permissions",
    "UPDATE permissions SET description = 'x'",
    "DELETE FROM permissions",
    "UPDATE alembic_version SET version_num = 'x'",
    "SELECT * FROM alembic_version",
    "UPDATE audit_events SET tenant_id = tenant_id",
    "DELETE FROM audit_events",
    "UPDATE users SET email = 'x@example.org'",
    "UPDATE tenants SET name = 'x'",
])
def test_reference_audit_and_migration_tables_are_not_writable(platform, statement: str) -> None:
    with pytest.raises(ProgrammingError, match="permission denied"):
        with platform.db.tenant_session(DEMO_TENANT_ID) as s:
            s.execute(text(statement))


@pytest.mark.parametrize("table", ["checkpoints", "checkpoint_blobs", "checkpoint_writes", "checkpoint_migrations"])
@pytest.mark.parametrize("verb", ["SELECT * FROM", "DELETE FROM"])
def test_langgraph_checkpoints_are_out_of_reach(engine, platform, table: str, verb: str) -> None:
    with pytest.raises(ProgrammingError, match="permission denied"):
        with platform.db.tenant_session(DEMO_TENANT_ID) as s:
            s.execute(text(f"{verb} {table}"))


def test_setting_another_tenant_id_unsigned_or_forged_sees_nothing(platform) -> None:
    other = str(UNIVERSAL_TENANT_ID)
    with platform.db.tenant_session(DEMO_TENANT_ID) as s:
        pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
        own = s.execute(text("SELECT current_setting('app.tenant_id')")).scalar_one()
        _, _, nonce, signature = own.split(".")
        forged = [
            other,  # the bare uuid, as before the hardening
            f"{other}.{own.split('.', 1)[1]}",  # another clinic's id with our valid pid, nonce and signature
            f"{other}.{signature}",  # 0003's format
            tenant_token(b"guessed key", other, pid),
            f"{other}.{pid}.{nonce}.{'0' * 64}",
            "not-a-uuid.abc",
        ]
        for value in forged:
            s.execute(text("SELECT set_config('app.tenant_id', :v, true)"), {"v": value})
            assert (s.execute(text("SELECT app_current_tenant()")).scalar_one(), _patients_seen(s)) == (None, 0), value
        s.execute(text("SELECT set_config('app.tenant_id', :v, false)"), {"v": own})  # our own token still binds us
        assert _patients_seen(s) == _demo_patients(platform)


def test_session_level_settings_do_not_follow_the_pooled_connection(platform) -> None:
    db = Database(platform.db.url).verify()  # a fresh pool: used one at a time, it holds one connection
    try:
        with db.tenant_session(DEMO_TENANT_ID) as s:
            pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
            s.execute(text("SELECT set_config('search_path', 'pg_catalog', false)"))
            s.execute(text("SELECT set_config('app.tenant_id', current_setting('app.tenant_id'), false)"))
        with db.tenant_session(UNIVERSAL_TENANT_ID) as s:
            assert s.execute(text("SELECT pg_backend_pid()")).scalar_one() == pid  # same pooled connection
            assert s.execute(text("SHOW search_path")).scalar_one() == '"$user", public'
            assert set(s.scalars(select(Patient.id))) == {UNIVERSAL_PATIENT_ID}
    finally:
        db.dispose()


def test_every_rls_table_is_forced_and_keeps_an_owner_policy(platform) -> None:
    with platform.db.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT c.relname, c.relforcerowsecurity, EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid "
            "AND p.polname = 'owner_access' AND p.polroles = ARRAY[current_user::regrole::oid]) "
            "FROM pg_class c WHERE c.relkind = 'r' AND c.relrowsecurity AND c.relnamespace = 'public'::regnamespace"
        )).all()
    assert len(rows) > 90
    assert [name for name, forced, owner_policy in rows if not (forced and owner_policy)] == []


def test_policies_evaluate_the_tenant_function_once_per_query(platform) -> None:
    with platform.db.engine.connect() as conn:
        exprs = conn.execute(text(
            "SELECT coalesce(qual, '') || ' ' || coalesce(with_check, '') FROM pg_policies "
            "WHERE schemaname = 'public' AND (qual LIKE '%app_current_tenant%' OR with_check LIKE '%app_current_tenant%')"
        )).scalars().all()
    assert len(exprs) > 80
    # Every call sits in a sub-SELECT (an InitPlan), none is evaluated row by row.
    assert [e for e in exprs if e.count("app_current_tenant()") != e.count("SELECT app_current_tenant()")] == []


def test_app_role_privileges_are_the_minimum(platform) -> None:
    with platform.db.engine.connect() as conn:
        writable = set(conn.execute(text(
            "SELECT table_name FROM information_schema.role_table_grants WHERE grantee = 'dentalagent_app' "
            "AND privilege_type IN ('UPDATE', 'DELETE')"
        )).scalars())
        readable = set(conn.execute(text(
            "SELECT table_name FROM information_schema.role_table_grants WHERE grantee = 'dentalagent_app' "
            "AND privilege_type = 'SELECT'"
        )).scalars())
        unsecured_writable = set(conn.execute(text(
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' "
            "AND NOT (c.relrowsecurity AND c.relforcerowsecurity) "
            "AND (has_table_privilege('dentalagent_app', c.oid, 'INSERT') OR has_table_privilege('dentalagent_app', c.oid, 'UPDATE') "
            "OR has_table_privilege('dentalagent_app', c.oid, 'DELETE'))"
        )).scalars())
        # A table the owner creates later gives the app role nothing.
        conn.execute(text("CREATE TABLE scratch_future (id int)"))
        future = conn.execute(text("SELECT has_table_privilege('dentalagent_app', 'scratch_future', 'SELECT')")).scalar_one()
        conn.rollback()
    assert {"patients", "agent_steps", "procedures"} <= writable
    assert writable.isdisjoint({"audit_events", "permissions", "role_permissions", "users", "tenants", "alembic_version"})
    assert {"permissions", "role_permissions", "audit_events", "procedure_catalog"} <= readable
    assert "alembic_version" not in readable and not any(t.startswith("checkpoint") for t in readable)
    assert unsecured_writable == set()
    assert future is False
