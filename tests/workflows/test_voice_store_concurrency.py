"""Utterances dictated into one voice session at once get distinct, gapless sequence numbers."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text

from core_schema.models import VoiceUtterance
from core_schema.seed.demo import DEMO_PATIENT_IDS, DEMO_TENANT_ID
from tests.workflows.conftest import DENTIST_ID
from voice import sessions as voice_store
from voice.sessions import VoiceInputError

WAIT_S = 60


def _new_session(db) -> uuid.UUID:
    with db.tenant_session(DEMO_TENANT_ID) as s:
        vs = voice_store.start_or_continue(s, tenant_id=DEMO_TENANT_ID, user_id=DENTIST_ID,
                                           patient_id=DEMO_PATIENT_IDS[0], session_id=None, channel="TEXT")
        return vs.id


def _add(db, session_id: uuid.UUID, transcript: str) -> int:
    with db.tenant_session(DEMO_TENANT_ID) as s:
        return voice_store.add_utterance(s, session_id, transcript).sequence_no


def _sequence_numbers(db, session_id: uuid.UUID) -> list[int]:
    with db.tenant_session(DEMO_TENANT_ID) as s:
        return list(s.scalars(select(VoiceUtterance.sequence_no).where(VoiceUtterance.session_id == session_id)
                              .order_by(VoiceUtterance.sequence_no)))


def _someone_waits_on_a_lock(db) -> bool:
    with db.system_session() as s:
        return bool(s.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                  "AND wait_event_type = 'Lock'")))


def test_second_writer_waits_for_the_first_and_takes_the_next_number(platform) -> None:
    db = platform.db
    session_id = _new_session(db)
    with ThreadPoolExecutor(1) as pool:
        with db.tenant_session(DEMO_TENANT_ID) as first:
            assert voice_store.add_utterance(first, session_id, "sixteen occlusal caries").sequence_no == 1
            second = pool.submit(_add, db, session_id, "seventeen is missing")
            # The second writer must block on the session until the first commits (checked, not slept).
            while not _someone_waits_on_a_lock(db):
                assert not second.done(), second.exception()
        assert second.result(timeout=WAIT_S) == 2
    assert _sequence_numbers(db, session_id) == [1, 2]


def test_eight_parallel_writers_on_one_session_all_succeed(platform) -> None:
    db = platform.db
    session_id = _new_session(db)
    start = threading.Barrier(8)

    def write(i: int) -> int:
        start.wait(timeout=WAIT_S)
        return _add(db, session_id, f"tooth {i} is missing")

    with ThreadPoolExecutor(8) as pool:
        numbers = sorted(pool.map(write, range(8), timeout=WAIT_S))
    assert numbers == list(range(1, 9))
    assert _sequence_numbers(db, session_id) == list(range(1, 9))


def test_unknown_session_is_a_clear_error(platform) -> None:
    with pytest.raises(VoiceInputError, match="not found"), platform.db.tenant_session(DEMO_TENANT_ID) as s:
        voice_store.add_utterance(s, uuid.uuid4(), "sixteen occlusal caries")
