"""The open encounter: not closed, the latest started when several are; tools and dictation agree."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from core_schema.encounters import CLOSED_ENCOUNTER_STATUSES, open_encounter
from core_schema.identities import DEMO_TENANT_ID, sid
from core_schema.models import Encounter
from core_schema.seed.demo import UNIVERSAL_TENANT_ID
from voice.sessions import start_or_continue

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def _encounter(s, patient_id: uuid.UUID, status: str, *, check_in: datetime | None = None,  # type: ignore[no-untyped-def]
               scheduled: datetime | None = None) -> uuid.UUID:
    row = Encounter(tenant_id=DEMO_TENANT_ID, patient_id=patient_id, location_id=sid("location", "demo"),
                    encounter_type="EXAM", status=status, check_in_at=check_in, scheduled_start_at=scheduled)
    s.add(row)
    s.flush()
    return row.id


def _open(platform, patient_id: uuid.UUID, tenant_id: uuid.UUID = DEMO_TENANT_ID) -> uuid.UUID | None:  # type: ignore[no-untyped-def]
    with platform.db.tenant_session(tenant_id) as s:
        found = open_encounter(s, tenant_id, patient_id)
        return found.id if found else None


def test_no_encounter_or_only_closed_ones_is_none(platform, new_patient) -> None:
    pid = new_patient("Closed", "Visits")
    assert _open(platform, pid) is None
    with platform.db.system_session() as s:
        for status in CLOSED_ENCOUNTER_STATUSES:
            _encounter(s, pid, status, check_in=NOW)
    assert _open(platform, pid) is None


def test_the_visit_in_the_chair_beats_a_later_booking_and_a_closed_visit(platform, new_patient) -> None:
    pid = new_patient("Busy", "Patient")
    with platform.db.system_session() as s:
        earlier = _encounter(s, pid, "IN_PROGRESS", check_in=NOW - timedelta(hours=3), scheduled=NOW - timedelta(hours=3))
        current = _encounter(s, pid, "IN_PROGRESS", check_in=NOW - timedelta(minutes=10), scheduled=NOW - timedelta(hours=1))
        _encounter(s, pid, "SCHEDULED", scheduled=NOW + timedelta(days=30))  # next month's booking
        _encounter(s, pid, "CHECKED_OUT", check_in=NOW)  # finished, though started last
    assert _open(platform, pid) == current != earlier


def test_a_booked_visit_not_yet_checked_in_is_open(platform, new_patient) -> None:
    pid = new_patient("Booked", "Only")
    with platform.db.system_session() as s:
        _encounter(s, pid, "SCHEDULED", scheduled=NOW - timedelta(days=1))
        today = _encounter(s, pid, "SCHEDULED", scheduled=NOW)
        _encounter(s, pid, "CANCELLED", scheduled=NOW + timedelta(hours=1))
    assert _open(platform, pid) == today


def test_another_clinic_never_sees_the_encounter(platform, new_patient) -> None:
    pid = new_patient("Other", "Clinic")
    with platform.db.system_session() as s:
        _encounter(s, pid, "IN_PROGRESS", check_in=NOW)
    assert _open(platform, pid, UNIVERSAL_TENANT_ID) is None


def test_dictation_attaches_to_the_same_open_encounter(platform, new_patient) -> None:
    pid = new_patient("Dictated", "Visit")
    with platform.db.system_session() as s:
        booked = _encounter(s, pid, "SCHEDULED", scheduled=NOW - timedelta(minutes=5))
    with platform.db.tenant_session(DEMO_TENANT_ID) as s:
        vs = start_or_continue(s, tenant_id=DEMO_TENANT_ID, user_id=sid("user", "dentist@demo.clinic"),
                               patient_id=pid, session_id=None, channel="TEXT")
        assert vs.encounter_id == booked == open_encounter(s, DEMO_TENANT_ID, pid).id
