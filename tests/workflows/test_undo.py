"""Undo restores the exact previous chart, once, within the window, for the right people."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from approvals.chart_change import propose
from approvals.decisions import decide
from core_schema.models import ActionHistory, AuditEvent
from core_schema.seed.demo import DEMO_TENANT_ID
from tests.workflows.conftest import chart_call, current_chart, propose_chart
from undo.actions import UndoError, cleanup_expired, undo, undoable


@pytest.fixture
def patient(new_patient) -> uuid.UUID:
    """A patient charted by this test only (the tests compare the chart before and after)."""
    return new_patient("Undo", "Tests")


def _applied_action(engine, actor, patient: uuid.UUID, *call) -> uuid.UUID:
    run = propose_chart(engine, *call, patient=patient)
    decide(engine, uuid.UUID(run.state["approval_ids"][0]), actor(), "approve")
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        return s.scalars(select(ActionHistory.id).where(ActionHistory.agent_execution_id == run.execution_id)).one()


def test_undo_restores_exact_previous_chart_and_refuses_repeat(platform, engine, actor, patient) -> None:
    before = current_chart(engine, patient)
    action_id = _applied_action(engine, actor, patient, chart_call("16", "caries", ["O"], patient=patient))
    assert current_chart(engine, patient) != before

    listed = json.loads(platform.cli("actions", "list", "--as", "dentist@demo.clinic", "--json").stdout)
    assert str(action_id) in {a["id"] for a in listed}
    result = platform.cli("undo", str(action_id), "--as", "dentist@demo.clinic", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert current_chart(engine, patient) == before

    again = platform.cli("undo", str(action_id), "--as", "dentist@demo.clinic", "--json")
    assert again.returncode != 0 and "already undone" in json.loads(again.stdout)["error"]
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        row = s.get(ActionHistory, action_id)
        assert row.is_undone and row.undone_by_user_id is not None
        assert s.scalars(select(AuditEvent).where(AuditEvent.event_type == "CLINICAL_UNDO",
                                                  AuditEvent.resource_id == row.entity_id)).first() is not None


def test_expired_undo_is_refused_and_cleaned_up(engine, actor, patient) -> None:
    action_id = _applied_action(engine, actor, patient, chart_call("17", "watch", patient=patient))
    with engine.db.system_session() as s:
        s.get(ActionHistory, action_id).undo_expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    with pytest.raises(UndoError, match="undo window .* closed"):
        undo(engine, action_id, actor())
    assert cleanup_expired(engine) >= 1
    with engine.db.system_session() as s:
        assert s.get(ActionHistory, action_id) is None


def test_only_author_or_supervisor_may_undo(engine, actor, patient) -> None:
    action_id = _applied_action(engine, actor, patient, chart_call("18", "fracture", patient=patient))
    with pytest.raises(UndoError, match="or a supervisor"):
        undo(engine, action_id, actor("hygienist@demo.clinic"))
    with pytest.raises(UndoError, match="not found in this clinic"):
        undo(engine, action_id, actor("dentist@universal.clinic"))
    assert undo(engine, action_id, actor("admin@demo.clinic"))["undone"] is True  # admin supervises


def test_undo_refused_when_a_later_change_touched_the_same_tooth(engine, actor, patient) -> None:
    first = _applied_action(engine, actor, patient, chart_call("14", "caries", ["O"], patient=patient))
    _applied_action(engine, actor, patient, chart_call("14", "fracture", patient=patient))
    with pytest.raises(UndoError, match=f"action {first} cannot be undone"):
        undo(engine, first, actor())


def test_undo_of_approved_change_needs_the_deciding_permission_and_audit_names_both(engine, actor, patient) -> None:
    assistant, dentist = actor("assistant@demo.clinic"), actor()
    name, args = chart_call("15", "sealant", ["O"], patient=patient)
    run = propose(engine, tenant_id=DEMO_TENANT_ID, user_id=assistant.user_id, calls=[(name, args)], patient_id=patient)
    approval_id = uuid.UUID(run.state["approval_ids"][0])
    assert decide(engine, approval_id, dentist, "approve").run.status == "COMPLETED"
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        row = s.scalars(select(ActionHistory).where(ActionHistory.agent_execution_id == run.execution_id)).one()
        action_id, entity_id = row.id, row.entity_id
        assert row.user_id == dentist.user_id  # the approver authorised the write
        audit = s.scalars(select(AuditEvent).where(AuditEvent.resource_id == entity_id)).one()
        assert (audit.actor_type, audit.actor_id) == ("USER", dentist.user_id)
        assert audit.metadata_["requested_by_user_id"] == str(assistant.user_id)
        assert audit.metadata_["approved_by_user_id"] == str(dentist.user_id)

    # The assistant asked for it but may not decide tier-3 changes, so may not undo one either.
    with pytest.raises(UndoError, match="needs approvals.decide.tier3"):
        undo(engine, action_id, assistant)
    assert str(action_id) not in {a["id"] for a in undoable(engine, assistant)}
    assert str(action_id) in {a["id"] for a in undoable(engine, dentist)}
    with pytest.raises(UndoError, match="or a supervisor"):
        undo(engine, action_id, actor("hygienist@demo.clinic"))
    assert undo(engine, action_id, dentist)["undone"] is True
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        audit = s.scalars(select(AuditEvent).where(AuditEvent.event_type == "CLINICAL_UNDO",
                                                   AuditEvent.resource_id == entity_id)).one()
        assert audit.actor_id == dentist.user_id
        assert audit.metadata_["undone_by_user_id"] == str(dentist.user_id)
        assert audit.metadata_["requested_by_user_id"] == str(assistant.user_id)
        assert audit.metadata_["approved_by_user_id"] == str(dentist.user_id)
