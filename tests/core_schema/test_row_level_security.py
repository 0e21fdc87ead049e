"""A session of clinic A cannot read or change clinic B's rows, even with raw SQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import ProgrammingError

from core_schema.models import FeeScheduleItem, Patient, ProcedureCatalog, User
from core_schema.seed.demo import (
    DEMO_PATIENT_IDS,
    DEMO_TENANT_ID,
    UNIVERSAL_PATIENT_ID,
    UNIVERSAL_TENANT_ID,
)


def test_orm_queries_see_only_own_tenant(platform) -> None:
    with platform.db.tenant_session(DEMO_TENANT_ID) as s:
        ids = set(s.scalars(select(Patient.id)))
    assert ids == set(DEMO_PATIENT_IDS)
    with platform.db.tenant_session(UNIVERSAL_TENANT_ID) as s:
        assert set(s.scalars(select(Patient.id))) == {UNIVERSAL_PATIENT_ID}


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
