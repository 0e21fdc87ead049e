"""The memory repository on real PostgreSQL: scopes, kinds, hybrid search, merging, expiry, privacy, erasure."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from core_schema.errors import DomainError, InvalidInput
from memory.privacy import PrivacyError
from memory.records import MemoryWrite, Scope
from memory.repository import MemoryFilter
from tests.memory.helpers import DEMO_TENANT_ID, DENTIST_ID, HYGIENIST_ID, P1, P2, UNIVERSAL_TENANT_ID, count_rows

pytestmark = pytest.mark.usefixtures("clean")


def _patient(pid, content: str, **kw) -> MemoryWrite:
    return MemoryWrite(scope=Scope.patient(pid), kind="episodic", content=content, **kw)


def test_column_type_follows_the_server(platform) -> None:
    """pgvector where the server has it (embedded pgserver), real[] where not (plain PostgreSQL 15)."""
    with platform.db.engine.connect() as conn:
        udt = conn.exec_driver_sql(
            "SELECT udt_name FROM information_schema.columns WHERE table_name = 'agent_memories' AND column_name = 'embedding'"
        ).scalar_one()
    assert udt == ("vector" if platform.db.has_vector else "_float4")


def test_hybrid_search_finds_a_patients_memory_and_counts_the_read(platform, repo) -> None:
    repo.remember_many(DEMO_TENANT_ID, [
        _patient(P1, "Visit 2026-03-04: tooth 36 caries (O) under watch; bitewing taken."),
        _patient(P1, "Visit 2026-05-11: tooth 11 composite filling D2330 placed."),
        _patient(P2, "Visit 2026-05-12: tooth 36 crown D2740 prepared."),
    ])
    hits = repo.search(DEMO_TENANT_ID, "caries on 36", MemoryFilter(scopes=(Scope.patient(P1),)), limit=5)
    assert [h.scope.scope_id for h in hits] == [P1, P1]
    assert "36 caries" in hits[0].content
    assert hits[0].score > hits[1].score
    assert hits[0].access_count == 1 and hits[0].last_accessed_at is not None
    again = repo.search(DEMO_TENANT_ID, "caries on 36", MemoryFilter(scopes=(Scope.patient(P1),)), limit=1)
    assert again[0].id == hits[0].id and again[0].access_count == 2
    listed = repo.list(DEMO_TENANT_ID, MemoryFilter(scopes=(Scope.patient(P1),)))
    assert {m.access_count for m in listed if m.id == hits[0].id} == {2}  # listing is not recall


@pytest.mark.parametrize("mode", ["fts", "vector", "hybrid"])
def test_each_ranking_mode_puts_the_relevant_memory_first(repo, mode) -> None:
    repo.remember_many(DEMO_TENANT_ID, [
        MemoryWrite(scope=Scope.tenant(), kind="semantic", content="Protocol: amoxicillin prophylaxis before extraction for patients with prosthetic heart valves."),
        MemoryWrite(scope=Scope.tenant(), kind="semantic", content="Protocol: fluoride varnish every six months for children at high caries risk."),
        MemoryWrite(scope=Scope.tenant(), kind="semantic", content="Protocol: sterilise handpieces in the autoclave after every patient."),
    ])
    query = {"fts": "fluoride varnish", "vector": "how often should kids get topical fluoride",
             "hybrid": "antibiotic cover heart valve extraction"}[mode]
    hits = repo.search(DEMO_TENANT_ID, query, MemoryFilter(scopes=(Scope.tenant(),)), limit=3, mode=mode)
    expected = {"fts": "fluoride", "vector": "fluoride", "hybrid": "amoxicillin"}[mode]
    assert expected in hits[0].content
    if mode == "fts":
        assert len(hits) == 1  # full text alone finds only what shares a word


def test_vector_search_matches_meaning_without_shared_words(repo) -> None:
    repo.remember_many(DEMO_TENANT_ID, [
        MemoryWrite(scope=Scope.tenant(), kind="semantic", content="The clinic opens at eight in the morning on weekdays."),
        MemoryWrite(scope=Scope.tenant(), kind="semantic", content="Sterilise instruments in the autoclave after each use."),
    ])
    assert repo.search(DEMO_TENANT_ID, "cleaning dental tools between patients", mode="fts") == []
    hits = repo.search(DEMO_TENANT_ID, "cleaning dental tools between patients", mode="vector", limit=1)
    assert "autoclave" in hits[0].content


def test_clinics_and_scopes_stay_apart(platform, repo) -> None:
    repo.remember(DEMO_TENANT_ID, MemoryWrite(scope=Scope.clinician(DENTIST_ID), kind="procedural",
                                              content="Says 'MO' for mesio-occlusal on molars."))
    repo.remember(UNIVERSAL_TENANT_ID, MemoryWrite(scope=Scope.tenant(), kind="semantic",
                                                   content="Universal clinic: mesio-occlusal fillings use composite."))
    demo = repo.search(DEMO_TENANT_ID, "mesio-occlusal", limit=10)
    other = repo.search(UNIVERSAL_TENANT_ID, "mesio-occlusal", limit=10)
    assert [m.content for m in demo] == ["Says 'MO' for mesio-occlusal on molars."]
    assert [m.content for m in other] == ["Universal clinic: mesio-occlusal fillings use composite."]
    assert repo.search(DEMO_TENANT_ID, "mesio-occlusal", MemoryFilter(scopes=(Scope.clinician(HYGIENIST_ID),))) == []
    assert count_rows(platform.db) == 2


def test_near_duplicates_merge_but_other_teeth_do_not(platform, repo) -> None:
    first = repo.remember(DEMO_TENANT_ID, _patient(P1, "Tooth 46 has a deep distal caries, watch it.", importance=0.4))
    again = repo.remember(DEMO_TENANT_ID, _patient(P1, "Tooth 46 has a deep distal caries; watch it!", importance=0.8))
    other_tooth = repo.remember(DEMO_TENANT_ID, _patient(P1, "Tooth 36 has a deep distal caries, watch it."))
    assert again.merged and again.id == first.id and again.importance == 0.8
    assert not other_tooth.merged and other_tooth.id != first.id
    assert count_rows(platform.db, "scope_id = :p", p=P1) == 2


def test_expired_memories_are_not_recalled_and_are_purged(platform, repo) -> None:
    past = datetime.now(timezone.utc) - timedelta(minutes=1)
    repo.remember_many(DEMO_TENANT_ID, [
        _patient(P1, "Temporary: premedication reminder for 2026-01-10.", expires_at=past),
        _patient(P1, "Tooth 21 veneer planned D2962."),
    ])
    assert [m.content for m in repo.search(DEMO_TENANT_ID, "premedication reminder veneer", limit=5)] == ["Tooth 21 veneer planned D2962."]
    assert repo.purge_expired(DEMO_TENANT_ID) == 1
    assert count_rows(platform.db) == 1


@pytest.mark.parametrize("content, rule", [
    ("Ada Molar had tooth 16 treated.", "a patient name"),
    ("Patient ADA MOLAR returns for 16.", "a patient name"),
    ("Tooth 16 checked; patient born 1984-03-12.", "a birth date"),
    ("Tooth 16 checked (12/03/1984).", "a birth date"),
    ("DOB unknown, tooth 16 checked.", "a birth date"),
])
def test_names_and_birth_dates_are_refused_and_nothing_is_stored(platform, repo, content, rule) -> None:
    with pytest.raises(PrivacyError) as err:
        repo.remember_many(DEMO_TENANT_ID, [_patient(P1, "Tooth 11 sealed."), _patient(P1, content)])
    assert rule in str(err.value) and "memory 2" in str(err.value)
    assert isinstance(err.value, DomainError) and err.value.status == 422
    assert "Molar" not in str(err.value) and "1984" not in str(err.value)  # the refusal repeats nothing
    assert count_rows(platform.db) == 0  # the whole batch is refused


def test_raw_transcripts_are_refused(platform, repo) -> None:
    from sqlalchemy import text

    transcript = "sixteen occlusal caries and seventeen is missing please"
    with platform.db.system_session() as s:
        vs = s.execute(text(
            "INSERT INTO voice_sessions (tenant_id, user_id, patient_id, channel) "
            "VALUES (:t, :u, :p, 'CLI') RETURNING id"), {"t": DEMO_TENANT_ID, "u": DENTIST_ID, "p": P1}).scalar_one()
        s.execute(text("INSERT INTO voice_utterances (session_id, sequence_no, speaker, transcript) "
                       "VALUES (:s, 1, 'CLINICIAN', :tr)"), {"s": vs, "tr": transcript})
    try:
        with pytest.raises(PrivacyError, match="a dictation transcript"):
            repo.remember(DEMO_TENANT_ID, _patient(P1, f"Dictated: {transcript.upper()}"))
        assert repo.remember(DEMO_TENANT_ID, _patient(P1, "Tooth 16 caries (O); tooth 17 missing.")).id
    finally:
        with platform.db.system_session() as s:
            s.execute(text("DELETE FROM voice_utterances WHERE session_id = :s"), {"s": vs})
            s.execute(text("DELETE FROM voice_sessions WHERE id = :s"), {"s": vs})


def test_forget_patient_removes_rows_and_vectors_of_that_patient_only(platform, repo) -> None:
    repo.remember_many(DEMO_TENANT_ID, [_patient(P1, "Tooth 16 caries (O)."), _patient(P1, "Tooth 26 crown D2740."),
                                        _patient(P2, "Tooth 16 sealant D1351.")])
    assert count_rows(platform.db, "scope_id = :p AND embedding IS NOT NULL", p=P1) == 2
    assert repo.forget_patient(DEMO_TENANT_ID, P1) == 2
    assert count_rows(platform.db, "scope_id = :p OR source_id = :p", p=P1) == 0
    assert repo.search(DEMO_TENANT_ID, "tooth 16", limit=10)[0].scope.scope_id == P2
    assert repo.forget_patient(UNIVERSAL_TENANT_ID, P2) == 0  # another clinic cannot erase it
    assert count_rows(platform.db) == 1


def test_bad_input_is_refused_with_one_line(repo) -> None:
    with pytest.raises(InvalidInput):
        MemoryWrite(scope=Scope.tenant(), kind="dream", content="x")
    with pytest.raises(InvalidInput):
        MemoryWrite(scope=Scope.tenant(), kind="semantic", content="   ")
    with pytest.raises(InvalidInput):
        Scope("PATIENT")
    with pytest.raises(InvalidInput):
        repo.search(DEMO_TENANT_ID, "x", mode="psychic")
