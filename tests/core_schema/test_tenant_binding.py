"""Issue 17: a clinic's binding cannot be read or replayed, and nothing one clinic's raw SQL
leaves on a pooled connection, in the role, or in the catalog reaches another clinic."""

from __future__ import annotations

import re
import threading
import time
import uuid

import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from approvals.decisions import decide
from core_schema.db import APP_ROLE, Database, tenant_token
from core_schema.models import Patient
from core_schema.seed.demo import DEMO_TENANT_ID, UNIVERSAL_PATIENT_ID, UNIVERSAL_TENANT_ID
from tests.workflows.conftest import chart_call, propose_chart

# What a binding looks like, before (uuid.sig) and after (uuid.pid.nonce.sig) issue 17.
_TOKEN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:\.[0-9a-f]+){1,3}")


def _seen(s) -> set:
    return set(s.scalars(select(Patient.id)))


def _steal(s) -> list[str]:
    """Every binding-like value another session's activity shows to this one (empty when the
    catalog refuses to show it: that is a pass, not an error)."""
    found: list[str] = []
    for query in ("SELECT string_agg(query, ' ') FROM pg_stat_activity WHERE pid <> pg_backend_pid()",
                  "SELECT string_agg(pg_stat_get_backend_activity(b), ' ') FROM pg_stat_get_backend_idset() b"):
        try:
            with s.begin_nested():
                s.execute(text("SELECT pg_stat_clear_snapshot()"))
                found += _TOKEN.findall(s.execute(text(query)).scalar_one() or "")
        except DBAPIError:
            pass
    return found


def test_binding_read_from_the_activity_of_a_busy_clinic_cannot_be_replayed(platform) -> None:
    """Clinic B works in threads; clinic A polls the catalog for B's binding and replays all it finds."""
    stop = threading.Event()

    def clinic_b() -> None:
        while not stop.is_set():
            with platform.db.tenant_session(UNIVERSAL_TENANT_ID) as s:
                _seen(s)

    threads = [threading.Thread(target=clinic_b) for _ in range(3)]
    for t in threads:
        t.start()
    stolen_views, tried = 0, set()
    try:
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            with platform.db.tenant_session(DEMO_TENANT_ID) as s:
                for token in _steal(s):
                    if token in tried:
                        continue
                    tried.add(token)
                    s.execute(text("SELECT set_config('app.tenant_id', :v, true)"), {"v": token})
                    if UNIVERSAL_PATIENT_ID in _seen(s):
                        stolen_views += 1
                    s.execute(text("UPDATE patients SET last_name = last_name WHERE id = :p"), {"p": UNIVERSAL_PATIENT_ID})
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert stolen_views == 0, f"clinic A read clinic B's patients with {stolen_views} replayed binding(s)"
    assert not [t for t in tried if t.startswith(str(UNIVERSAL_TENANT_ID))], "B's binding was readable from A"


def test_binding_is_a_bound_parameter_fresh_for_every_transaction(platform) -> None:
    values, texts = [], []
    for _ in range(2):
        with platform.db.tenant_session(DEMO_TENANT_ID) as s:
            pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
            values.append(s.execute(text("SELECT current_setting('app.tenant_id')")).scalar_one())
            with platform.db.system_session() as owner:  # what every session could read before 0006
                texts.append(owner.execute(text("SELECT query FROM pg_stat_activity WHERE pid = :p"), {"p": pid}).scalar_one())
    assert values[0] != values[1]
    assert all(v.split(".")[0] == str(DEMO_TENANT_ID) for v in values)
    assert not any(v in q for v in values for q in texts)


def test_binding_captured_elsewhere_binds_nothing_on_another_backend(platform) -> None:
    with platform.db.tenant_session(UNIVERSAL_TENANT_ID) as b:
        captured = b.execute(text("SELECT current_setting('app.tenant_id')")).scalar_one()
        b_pid = b.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with platform.db.tenant_session(DEMO_TENANT_ID) as a:  # B's connection is busy: A has another backend
            assert a.execute(text("SELECT pg_backend_pid()")).scalar_one() != b_pid
            a.execute(text("SELECT set_config('app.tenant_id', :v, true)"), {"v": captured})
            assert (a.execute(text("SELECT app_current_tenant()")).scalar_one(), _seen(a)) == (None, set())
            # A token signed for A's own clinic but naming B's backend binds nothing either.
            forged = tenant_token(platform.db.tenant_key(), str(DEMO_TENANT_ID), b_pid)
            a.execute(text("SELECT set_config('app.tenant_id', :v, true)"), {"v": forged})
            assert _seen(a) == set()


@pytest.mark.parametrize("statement", [
    "SELECT count(*) FROM pg_stat_activity",
    "SELECT pg_stat_get_backend_activity(1)",
    "SELECT count(*) FROM pg_locks",
    "SELECT pg_advisory_lock(42)",
    "SELECT pg_try_advisory_lock(hashtextextended('run-lease:' || gen_random_uuid()::text, 0))",
    "SELECT pg_advisory_xact_lock(42)",
    "SELECT lo_from_bytea(0, 'clinic A was here'::bytea)",
    "SELECT lo_creat(-1)",
    "SELECT lo_get(1)",
    "SELECT pg_terminate_backend(1)",
    "SELECT pg_cancel_backend(1)",
])
def test_catalog_reach_into_other_backends_is_refused(platform, statement: str) -> None:
    with pytest.raises(ProgrammingError, match="permission denied"):
        with platform.db.tenant_session(DEMO_TENANT_ID) as s:
            s.execute(text(statement))


def test_large_object_made_by_one_clinic_is_not_read_by_another(platform) -> None:
    """The probe's path end to end: clinic A stores a large object, clinic B fetches it by oid."""
    oid = None
    try:
        with platform.db.tenant_session(DEMO_TENANT_ID) as a:
            oid = a.execute(text("SELECT lo_from_bytea(0, 'clinic A only'::bytea)")).scalar_one()
    except ProgrammingError as refused:
        assert "permission denied" in str(refused)
    if oid is not None:  # A could store one: B must not be able to read it
        try:
            with pytest.raises(ProgrammingError, match="permission denied"):
                with platform.db.tenant_session(UNIVERSAL_TENANT_ID) as b:
                    b.execute(text("SELECT lo_get(:o)"), {"o": oid})
        finally:
            with platform.db.system_session() as owner:
                owner.execute(text("SELECT lo_unlink(:o)"), {"o": oid})


def test_tenant_lock_is_scoped_by_clinic(platform) -> None:
    """Two clinics locking the same key do not wait on each other; one clinic twice does."""
    with platform.db.tenant_session(DEMO_TENANT_ID) as a:
        a.execute(text("SELECT app_tenant_lock('chart:1')"))
        with platform.db.tenant_session(UNIVERSAL_TENANT_ID) as b:
            b.execute(text("SET LOCAL lock_timeout = '200ms'"))
            b.execute(text("SELECT app_tenant_lock('chart:1')"))  # granted at once
        with pytest.raises(DBAPIError, match="lock timeout"):
            with platform.db.tenant_session(DEMO_TENANT_ID) as a2:
                a2.execute(text("SET LOCAL lock_timeout = '200ms'"))
                a2.execute(text("SELECT app_tenant_lock('chart:1')"))


def test_run_notifications_are_not_heard_by_the_app_role(platform, engine) -> None:
    app_url = platform.db.app_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(app_url, autocommit=True) as listener:
        listener.execute("LISTEN dentalagent_runs")
        result = propose_chart(engine, chart_call("18", "caries", ["O"]))
        assert result.status == "WAITING_APPROVAL"
        heard = [n.payload for n in listener.notifies(timeout=1.0, stop_after=1)]
    assert heard == []
    assert engine.db.runs_channel != "dentalagent_runs" and str(engine.db.tenant_key().hex()) not in engine.db.runs_channel


def _fresh_pool(platform) -> Database:
    return Database(platform.db.url).verify()


@pytest.mark.parametrize("setting,value,probe", [
    ("statement_timeout", "1", "SELECT count(*) FROM patients"),
    ("default_transaction_read_only", "on", "UPDATE patients SET last_name = last_name WHERE id = :p"),
    ("lock_timeout", "1", "SELECT count(*) FROM patients"),
])
def test_role_defaults_stored_from_a_tenant_session_reach_no_later_connection(platform, setting, value, probe) -> None:
    with platform.db.tenant_session(DEMO_TENANT_ID) as s:
        s.execute(text(f"ALTER ROLE current_user SET {setting} = {value}"))
    db = _fresh_pool(platform)  # new connections, as every process started after the attack
    try:
        with db.tenant_session(UNIVERSAL_TENANT_ID) as s:
            s.execute(text(probe), {"p": UNIVERSAL_PATIENT_ID})
            shown = s.execute(text(f"SHOW {setting}")).scalar_one()
        with platform.db.engine.connect() as owner:
            stored = owner.execute(text(
                "SELECT count(*) FROM pg_db_role_setting WHERE setrole = :r ::regrole"), {"r": APP_ROLE}).scalar_one()
    finally:
        db.dispose()
        platform.db.clear_role_defaults()
    assert shown != value or setting == "lock_timeout" and shown == "0"
    assert stored == 0  # the owner cleared what the attack stored


def test_pooled_connection_leftovers_do_not_reach_the_next_clinic(platform) -> None:
    db = _fresh_pool(platform)  # used one at a time, it holds one connection
    try:
        with db.tenant_session(DEMO_TENANT_ID) as s:
            pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
            s.execute(text("LISTEN dentalagent_runs"))
            s.execute(text("DECLARE held CURSOR WITH HOLD FOR SELECT id FROM patients"))
            s.execute(text("SELECT set_config('statement_timeout', '5', false)"))
            s.execute(text("SELECT set_config('app.tenant_id', current_setting('app.tenant_id'), false)"))
        with db.tenant_session(UNIVERSAL_TENANT_ID) as s:
            assert s.execute(text("SELECT pg_backend_pid()")).scalar_one() == pid  # the same pooled connection
            leftovers = s.execute(text(
                "SELECT (SELECT count(*) FROM pg_listening_channels()), "
                "(SELECT count(*) FROM pg_cursors WHERE name = 'held'), current_setting('statement_timeout')"
            )).one()
            assert _seen(s) == {UNIVERSAL_PATIENT_ID}
    finally:
        db.dispose()
    assert tuple(leftovers) == (0, 0, "30s")  # PREPARE: see the next test


def test_a_prepared_statement_swapped_by_one_clinic_never_runs_for_the_next(platform) -> None:
    """psycopg's own prepared statements are kept across checkouts; one clinic DEALLOCATEs one
    and PREPAREs its own under that name: the next clinic gets a fresh connection instead."""
    db = _fresh_pool(platform)
    try:
        for _ in range(6):  # psycopg prepares a statement after 5 executions
            with db.tenant_session(DEMO_TENANT_ID) as s:
                _seen(s)
        with db.tenant_session(DEMO_TENANT_ID) as s:
            pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
            names = s.execute(text("SELECT name FROM pg_prepared_statements WHERE NOT from_sql")).scalars().all()
            assert names, "psycopg prepared nothing: the attack below would prove nothing"
            for name in names:
                s.execute(text(f'DEALLOCATE "{name}"'))
                s.execute(text(f'PREPARE "{name}" AS SELECT NULL::uuid AS id WHERE $1::text IS NOT NULL'))
        with db.tenant_session(UNIVERSAL_TENANT_ID) as s:
            assert s.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
            assert _seen(s) == {UNIVERSAL_PATIENT_ID}
        with db.tenant_session(UNIVERSAL_TENANT_ID) as s:  # and kept preparing on the new connection
            pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
            s.execute(text("SELECT 1"))
        with db.tenant_session(UNIVERSAL_TENANT_ID) as s:
            assert s.execute(text("SELECT pg_backend_pid()")).scalar_one() == pid
    finally:
        db.dispose()


def test_tenant_sessions_have_a_statement_timeout(platform) -> None:
    with platform.db.tenant_session(DEMO_TENANT_ID) as s:
        assert s.execute(text("SHOW statement_timeout")).scalar_one() == "30s"


def test_audit_rows_without_a_clinic_are_not_readable_by_clinics(platform) -> None:
    with platform.db.system_session() as owner:
        owner.execute(text("INSERT INTO audit_events (tenant_id, actor_type, event_type, resource_type) "
                           "VALUES (NULL, 'SYSTEM', 'LOGIN_FAILED', 'user')"))
    with platform.db.tenant_session(DEMO_TENANT_ID) as s:
        assert s.execute(text("SELECT count(*) FROM audit_events WHERE tenant_id IS NULL")).scalar_one() == 0


def test_role_permissions_follow_their_roles_clinic(platform) -> None:
    with platform.db.system_session() as owner:
        other = owner.execute(text(
            "SELECT count(*) FROM role_permissions rp JOIN roles r ON r.id = rp.role_id WHERE r.tenant_id = :t"),
            {"t": UNIVERSAL_TENANT_ID}).scalar_one()
    with platform.db.tenant_session(DEMO_TENANT_ID) as s:
        seen = s.execute(text(
            "SELECT count(*) FROM role_permissions rp WHERE NOT EXISTS (SELECT 1 FROM roles r WHERE r.id = rp.role_id)"
        )).scalar_one()
        own = s.execute(text("SELECT count(*) FROM role_permissions")).scalar_one()
    assert other > 0 and seen == 0 and own > 0


@pytest.mark.parametrize("statement", [
    "UPDATE phi_access_logs SET access_type = access_type",
    "DELETE FROM phi_access_logs",
    "DELETE FROM action_history",
    "UPDATE action_history SET change_summary = 'rewritten'",
    "UPDATE action_history SET new_state = '{}'::jsonb",
])
def test_evidence_tables_are_not_rewritable(platform, statement: str) -> None:
    with pytest.raises(ProgrammingError, match="permission denied"):
        with platform.db.tenant_session(DEMO_TENANT_ID) as s:
            s.execute(text(statement))


def test_an_undone_action_cannot_be_undone_back(engine, actor, new_patient) -> None:
    patient = new_patient("Undone", "Back")  # its own chart: a seeded patient's tooth 17 may be missing by now
    result = propose_chart(engine, chart_call("17", "caries", ["O"], patient=patient), patient=patient)
    decide(engine, uuid.UUID(result.state["approval_ids"][0]), actor(), "approve")
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        action = s.execute(text("SELECT id FROM action_history WHERE agent_execution_id = :e"),
                           {"e": result.execution_id}).scalar_one()
        s.execute(text("UPDATE action_history SET is_undone = true, undone_at = now() WHERE id = :a"), {"a": action})
    with pytest.raises(ProgrammingError, match="change only by being undone"):
        with engine.db.tenant_session(DEMO_TENANT_ID) as s:
            s.execute(text("UPDATE action_history SET is_undone = false, undone_at = NULL WHERE id = :a"), {"a": action})
