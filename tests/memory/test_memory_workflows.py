"""Memory in the voice-to-chart workflow: run summaries written and recalled, habits learned from
reviewer edits (per clinician, per clinic), a patient forgotten."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text

from approvals import decisions as approvals
from core_schema.models import AgentApprovalRequest, AgentContextWindow
from core_schema.seed.demo import UNIVERSAL_PATIENT_ID
from memory.records import Scope
from memory.repository import MemoryFilter
from tests.memory.helpers import DEMO_TENANT_ID, DENTIST_ID, UNIVERSAL_TENANT_ID, count_rows
from voice.service import run_dictation as dictate

pytestmark = pytest.mark.usefixtures("clean")


@pytest.fixture
def P2(new_patient) -> uuid.UUID:  # noqa: N802 - the name the tests read
    """A patient only this test charts (a seeded one may already hold these findings)."""
    return new_patient("Mnemo", "Quillfeather")


@pytest.fixture
def P3(new_patient, platform) -> Iterator[uuid.UUID]:  # noqa: N802
    """A patient whose corrections teach a habit; the corrections go with the test, or every later
    dictation of this dentist in the session would be rewritten the learned way."""
    patient = new_patient("Habit", "Learner")
    yield patient
    with platform.db.system_session() as s:
        s.execute(text("DELETE FROM agent_interventions WHERE execution_id IN "
                       "(SELECT id FROM agent_executions WHERE patient_id = :p)"), {"p": patient})


def _requests(engine, tenant, run_id: str) -> list[AgentApprovalRequest]:
    with engine.db.tenant_session(tenant) as s:
        return list(s.scalars(select(AgentApprovalRequest).where(AgentApprovalRequest.execution_id == uuid.UUID(run_id))
                              .order_by(AgentApprovalRequest.created_at)))


def test_an_applied_dictation_leaves_a_summary_that_history_recalls_and_forget_erases(platform, engine, actor, repo, P2) -> None:
    dentist = actor()
    out = dictate(engine, dentist, P2, text="Tooth sixteen occlusal caries and mark seventeen as missing")
    decisions = approvals.decide_batch(engine, [uuid.UUID(a) for a in out["approval_ids"]], dentist, "approve")
    assert decisions[-1].run.status == "COMPLETED"

    hits = repo.search(DEMO_TENANT_ID, "caries tooth 16", MemoryFilter(scopes=(Scope.patient(P2),)), limit=3)
    assert len(hits) == 1 and hits[0].kind == "episodic" and hits[0].source_id == uuid.UUID(out["run_id"])
    assert "charted tooth 16 caries (O)" in hits[0].content and "tooth 17 missing" in hits[0].content
    assert "Mnemo" not in hits[0].content and "Quillfeather" not in hits[0].content and "1969" not in hits[0].content

    history = engine.executor.run  # history.show's tool answers from the summaries
    from tools.executor import Call

    result = history(Call(tool="get_patient_history", args={"patient_id": str(P2)}, tenant_id=DEMO_TENANT_ID,
                          user_id=DENTIST_ID, idempotency_key=f"hist:{uuid.uuid4()}"))
    assert result.ok, result
    assert [v["memory_id"] for v in result.output["visit_summaries"]] == [str(hits[0].id)]

    assert repo.forget_patient(DEMO_TENANT_ID, P2) == 1
    assert count_rows(platform.db, "scope_id = :p OR source_id = :p", p=P2) == 0
    assert repo.search(DEMO_TENANT_ID, "caries tooth 16", MemoryFilter(scopes=(Scope.patient(P2),))) == []


def test_three_identical_corrections_teach_that_clinician_only(platform, engine, actor, repo, P3) -> None:
    dentist, hygienist, other_clinic = actor(), actor("hygienist@demo.clinic"), actor("dentist@universal.clinic")
    for _ in range(3):  # the reviewer keeps correcting "sixteen" to 26 for this dentist's dictations
        out = dictate(engine, dentist, P3, text="caries on sixteen")
        [req] = _requests(engine, DEMO_TENANT_ID, out["run_id"])
        assert req.action_details["arguments"]["changes"][0]["tooth"] == "16"
        changes = [{**req.action_details["arguments"]["changes"][0], "tooth": "26"}]
        [decision] = approvals.decide_batch(engine, [req.id], dentist, "edit", edits={"changes": changes})
        assert decision.run.status == "COMPLETED"

    # Only this correction's habit: the dentist's edits in other tests of the session may teach others.
    learned = [m for m in repo.list(DEMO_TENANT_ID, MemoryFilter(scopes=(Scope.clinician(DENTIST_ID),),
                                                                  kinds=("procedural",)))
               if '"16" -> "26"' in m.content]
    assert len(learned) == 1 and "3 times" in learned[0].content

    fourth = dictate(engine, dentist, P3, text="caries on sixteen")
    [req] = _requests(engine, DEMO_TENANT_ID, fourth["run_id"])
    assert req.action_details["arguments"]["changes"][0]["tooth"] == "26"  # proposed the corrected way
    assert req.status == "PENDING" and str(learned[0].id) in (req.reason or "")  # still approved, memory listed
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:  # the recall that shaped it is a context window
        [window] = s.scalars(select(AgentContextWindow).where(AgentContextWindow.execution_id == uuid.UUID(fourth["run_id"])))
    assert ("memory", str(learned[0].id)) in [(i["kind"], i["source_id"]) for i in window.context_items]
    assert window.total_tokens == sum(i["tokens"] for i in window.context_items) > 5

    colleague = dictate(engine, hygienist, P3, text="caries on sixteen")
    [req] = _requests(engine, DEMO_TENANT_ID, colleague["run_id"])
    assert req.action_details["arguments"]["changes"][0]["tooth"] == "16" and "habit" not in (req.reason or "")

    elsewhere = dictate(engine, other_clinic, UNIVERSAL_PATIENT_ID, text="caries on sixteen")
    for req in _requests(engine, UNIVERSAL_TENANT_ID, elsewhere["run_id"]):
        assert "habit" not in (req.reason or "")
    assert repo.list(UNIVERSAL_TENANT_ID, MemoryFilter(kinds=("procedural",))) == []
    for run in (fourth, colleague, elsewhere):  # leave nothing waiting
        tenant = UNIVERSAL_TENANT_ID if run is elsewhere else DEMO_TENANT_ID
        who = other_clinic if run is elsewhere else dentist
        ids = [r.id for r in _requests(engine, tenant, run["run_id"])]
        if ids:
            approvals.decide_batch(engine, ids, who, "reject")
