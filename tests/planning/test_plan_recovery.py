"""Kill the process mid-conversation: recovery finishes the run with every message and item once."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from approvals.decisions import decide_batch
from core_schema.models import AgentApprovalRequest, AgentExecution, AgentMessage, TreatmentPlan, TreatmentPlanItem
from planning import conversation as talk
from runtime.process import get_queue
from runtime.runs import recover
from tests.reconciliation.seeding import Seed
from tests.recovery import kill_once_its_run_exists, wait_for, with_fast_leases


def _counts(engine, run_id: uuid.UUID, patient: uuid.UUID) -> tuple[int, int, int]:
    """(messages of the run's conversation, approval requests, plan items of the patient)."""
    with engine.db.system_session() as s:
        messages = s.scalar(select(func.count()).select_from(AgentMessage).where(
            AgentMessage.conversation_id == talk.conversation_id(str(run_id))))
        requests = s.scalar(select(func.count()).select_from(AgentApprovalRequest).where(AgentApprovalRequest.execution_id == run_id))
        items = s.scalar(select(func.count()).select_from(TreatmentPlanItem).join(
            TreatmentPlan, TreatmentPlan.id == TreatmentPlanItem.plan_id).where(TreatmentPlan.patient_id == patient))
    return messages, requests, items


def test_plan_draft_killed_mid_run_resumes_without_duplicates(platform, engine, actor, new_patient) -> None:
    sd = Seed(engine, new_patient("Plan", "Killed"))
    sd.radiograph("36", "periapical_radiolucency", [], 0.84)
    sd.radiograph("46", "caries", ["D"], 0.91)
    with_fast_leases(lambda: wait_for(lambda: get_queue().live_workers() == 0, 30))
    # the kill lands before the first node, mid-conversation or while waiting: recovery finishes from any of them
    run_id = kill_once_its_run_exists(platform, engine, "plan", "draft", "--patient", str(sd.patient),
                                      "--as", "dentist@demo.clinic", "--json")
    with_fast_leases(lambda: wait_for(lambda: get_queue().live_workers() == 0, 30))
    with_fast_leases(recover)  # this process recovers the run (no worker is alive): what `runs recover` does
    with engine.db.system_session() as s:
        run = s.get(AgentExecution, run_id)
        assert run.status == "WAITING_APPROVAL", (run.status, run.error_details)
        ids = s.scalars(select(AgentApprovalRequest.id).where(AgentApprovalRequest.execution_id == run_id)).all()
    messages, requests, items = _counts(engine, run_id, sd.patient)
    assert messages > 10 and requests == 4 and items == 0  # root canal 36, composite 46, crown 36, prophylaxis
    assert decide_batch(engine, list(ids), actor(), "approve")[-1].run.status == "COMPLETED"
    with_fast_leases(recover)
    assert _counts(engine, run_id, sd.patient) == (messages, 4, 4)
