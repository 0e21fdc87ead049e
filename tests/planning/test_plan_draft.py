"""Treatment planning: specialists and a supervisor converse (agent_conversations / agent_messages),
draft a phased plan with CDT codes and fees, and the reviewer decides each item: the plan holds
exactly the approved and edited items."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from api.cli import app as cli_app
from approvals.decisions import decide
from core_schema.errors import NotFound
from core_schema.models import AgentConversation, AgentMessage, ApiClient, TreatmentPlan, TreatmentPlanItem
from core_schema.seed.demo import DEMO_TENANT_ID, UNIVERSAL_PATIENT_ID
from planning.graph import NAME
from planning.service import draft, view
from tests.reconciliation.seeding import Seed


@pytest.fixture
def patient(engine, new_patient) -> Seed:
    sd = Seed(engine, new_patient("Plan", "Tests"))
    sd.radiograph("36", "periapical_radiolucency", [], 0.84)
    sd.radiograph("46", "caries", ["D"], 0.91)
    sd.perio(None, {("46", "DB"): 6, ("16", "MB"): 3})
    return sd


def _plan_items(engine, patient: uuid.UUID) -> list[tuple[str, str | None, str | None, int | None]]:
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        rows = s.execute(select(TreatmentPlanItem.cdt_code, TreatmentPlanItem.tooth_number, TreatmentPlanItem.surface,
                                TreatmentPlanItem.phase).join(TreatmentPlan, TreatmentPlan.id == TreatmentPlanItem.plan_id)
                         .where(TreatmentPlan.patient_id == patient).order_by(TreatmentPlanItem.sequence_order)).all()
        return [tuple(r) for r in rows]


def test_conversation_drafts_a_phased_plan_and_the_reviewer_decides_each_item(engine, actor, patient) -> None:
    dentist = actor()
    out = draft(engine, dentist, patient.patient)
    assert out.status == "WAITING_APPROVAL", out
    drafted = [(i.code, i.tooth, "".join(i.surfaces), i.phase, i.proposed_by) for i in out.items]
    assert drafted == [("D3330", "36", "", 1, "endodontic"), ("D4341", None, "", 2, "periodontal"),
                       ("D2391", "46", "D", 2, "restorative"), ("D2740", "36", "", 3, "restorative"),
                       ("D1110", None, "", 4, "periodontal")]
    assert all(i.fee and Decimal(i.fee) > 0 for i in out.items) and len(out.approval_ids) == 5
    endo = out.items[0]
    assert endo.alternatives == ["extraction"] and endo.cites[0]["type"] == "radiograph"
    assert out.items[1].cites and all(c["type"] == "perio" for c in out.items[1].cites)

    # the conversation: HIERARCHICAL, >= 3 agents speaking, tool use as FUNCTION_CALL / FUNCTION_RESULT
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        conv = s.get(AgentConversation, uuid.UUID(out.conversation_id))
        assert conv.conversation_type == "HIERARCHICAL" and conv.patient_id == patient.patient
        senders = set(s.scalars(select(AgentMessage.sender_id).where(AgentMessage.conversation_id == conv.id)))
        assert len(senders) == 5 and s.scalar(select(func.count()).select_from(ApiClient).where(ApiClient.id.in_(senders))) == 5
    kinds = {m.message_type for m in out.messages}
    assert {"TEXT", "FUNCTION_CALL", "FUNCTION_RESULT"} <= kinds
    assert {m.agent for m in out.messages} == {"supervisor", "endodontic", "surgical", "restorative", "periodontal"}
    assert _plan_items(engine, patient.patient) == []  # nothing written before the reviewer decides

    ids = [uuid.UUID(i) for i in out.approval_ids]
    decide(engine, ids[0], dentist, "approve")
    decide(engine, ids[1], dentist, "approve")
    decide(engine, ids[2], dentist, "edit", edits={"surfaces": ["D", "O"]})  # the caries reaches occlusal
    decide(engine, ids[3], dentist, "reject", comment="crown after healing review")
    decide(engine, ids[4], dentist, "approve")
    after = view(engine, DEMO_TENANT_ID, uuid.UUID(out.run_id))
    assert after.status == "COMPLETED"
    assert [i.status for i in after.items] == ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "CANCELLED", "SUCCEEDED"]
    assert _plan_items(engine, patient.patient) == [("D3330", "36", None, 1), ("D4341", None, None, 2),
                                                    ("D2392", "46", "OD", 2), ("D1110", None, None, 4)]


def test_resumed_run_writes_no_message_or_item_twice(engine, actor, patient) -> None:
    dentist = actor()
    out = draft(engine, dentist, patient.patient)
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        messages = s.scalar(select(func.count()).select_from(AgentMessage).where(
            AgentMessage.conversation_id == uuid.UUID(out.conversation_id)))
    # a second worker taking the run again (its lease lost) finds the conversation and proposal written
    assert engine.advance(uuid.UUID(out.run_id)).status == "WAITING_APPROVAL"
    again = view(engine, DEMO_TENANT_ID, uuid.UUID(out.run_id))
    assert len(again.messages) == messages and [i.tool_execution_id for i in again.items] == [i.tool_execution_id for i in out.items]
    # a second draft of the same patient skips nothing (no plan yet) but is its own conversation
    second = draft(engine, dentist, patient.patient)
    assert second.conversation_id != out.conversation_id and len(second.items) == len(out.items)


def test_items_already_planned_are_not_proposed_again(engine, actor, patient) -> None:
    patient.plan_item("D3330", "36")
    out = draft(engine, actor(), patient.patient)
    assert "D3330" not in [i.code for i in out.items]
    assert any("already in the open plan" in (m.content or "") for m in out.messages)


def test_cli_and_other_clinic(engine, actor, patient) -> None:
    result = CliRunner().invoke(cli_app, ["plan", "draft", "--patient", str(patient.patient), "--as", "dentist@demo.clinic", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert {"run_id", "status", "approval_ids", "items", "messages"} <= set(out) and len(out["approval_ids"]) == 5
    with pytest.raises(NotFound):
        draft(engine, actor(), UNIVERSAL_PATIENT_ID)
    assert engine.workflow_ids[NAME]
