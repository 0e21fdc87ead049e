"""Honest outcomes: a change the tool would refuse is refused before anyone approves it; one
that still fails after approval fails the run, the CLI and notifies the reviewer; a batch is
decided all or nothing; an edit never moves a change to another patient."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from approvals import queue as approval_queue
from approvals.decisions import ApprovalError, decide, decide_batch
from core_schema.models import (
    ActionHistory,
    AgentApprovalRequest,
    AgentExecution,
    AgentIntervention,
    AgentStep,
    AuditEvent,
    ToolExecution,
)
from core_schema.seed.demo import DEMO_PATIENT_IDS, DEMO_TENANT_ID
from tests.workflows.conftest import DENTIST_ID, chart_call, current_chart, propose_chart, snapshot_count
from tools.executor import Call
from voice.service import run_dictation as dictate

PATIENT = DEMO_PATIENT_IDS[1]


def _status(engine, approval_id: str | uuid.UUID) -> str:
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        return s.get(AgentApprovalRequest, uuid.UUID(str(approval_id))).status


def _row_counts(engine) -> tuple[int, ...]:
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (ToolExecution, ActionHistory, AuditEvent))


# -- 1a: refused before anything is decided ---------------------------------------------------

def test_validate_is_a_dry_run_that_leaves_nothing(engine) -> None:
    def call(tooth: str, surfaces: list[str]) -> Call:
        name, args = chart_call(tooth, "caries", surfaces, patient=PATIENT)
        return Call(tool=name, args=args, tenant_id=DEMO_TENANT_ID, user_id=DENTIST_ID, idempotency_key=f"dry:{uuid.uuid4()}")

    before_chart, before_rows, before_snaps = current_chart(engine, PATIENT), _row_counts(engine), snapshot_count(engine, PATIENT)
    assert engine.executor.validate(call("15", ["D"])) is None  # the tool accepted it, and it was rolled back
    assert "anterior tooth" in engine.executor.validate(call("41", ["O"]))
    assert "not a valid FDI tooth" in engine.executor.validate(call("99", []))
    assert engine.executor.validate(Call(tool="update_dental_chart", args={"patient_id": str(PATIENT), "changes": []},
                                         tenant_id=DEMO_TENANT_ID, user_id=DENTIST_ID, idempotency_key="dry:x")
                                    ).startswith("invalid input for update_dental_chart")
    assert current_chart(engine, PATIENT) == before_chart
    assert snapshot_count(engine, PATIENT) == before_snaps and _row_counts(engine) == before_rows


def test_dictated_change_the_tool_refuses_becomes_a_problem_not_a_proposal(engine, actor) -> None:
    before = current_chart(engine, PATIENT)
    # (an occlusal surface on an incisor is asked about by the interpreter; a surface on a whole-tooth
    # status passes it and is refused by the tool)
    out = dictate(engine, actor(), PATIENT, text="tooth 17 occlusal missing")
    assert out["approval_ids"] == [] and out["status"] == "COMPLETED"
    assert any("missing is recorded on the whole tooth 17" in p for p in out["problems"]), out["problems"]
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        steps = s.scalars(select(AgentStep.id).where(AgentStep.execution_id == uuid.UUID(out["run_id"]))).all()
        assert s.scalars(select(ToolExecution).where(ToolExecution.agent_step_id.in_(steps))).all() == []
    assert current_chart(engine, PATIENT) == before

    mixed = dictate(engine, actor(), PATIENT, text="tooth 17 occlusal missing and tooth 15 distal caries")
    assert len(mixed["approval_ids"]) == 1 and mixed["status"] == "WAITING_APPROVAL"
    assert any("tooth 17" in p for p in mixed["problems"])
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        proposed = s.get(AgentApprovalRequest, uuid.UUID(mixed["approval_ids"][0])).action_details["arguments"]
    assert [c["tooth"] for c in proposed["changes"]] == ["15"]
    assert decide(engine, uuid.UUID(mixed["approval_ids"][0]), actor(), "reject").run.status == "CANCELLED"


def test_edit_the_tool_would_refuse_is_refused_and_changes_nothing(platform, engine, actor) -> None:
    run = propose_chart(engine, chart_call("14", "watch", patient=PATIENT), patient=PATIENT)
    approval_id = run.state["approval_ids"][0]
    texec_id = uuid.UUID(run.state["tool_execution_ids"][0])
    result = platform.cli("approvals", "edit", approval_id, "--as", "dentist@demo.clinic",
                          "--set", 'changes=[{"tooth":"99","label":"caries"}]', "--json")
    assert result.returncode != 0 and "Traceback" not in result.stdout + result.stderr
    assert "tooth 99 is not a valid FDI tooth" in json.loads(result.stdout)["error"]
    occlusal = platform.cli("approvals", "edit", approval_id, "--as", "dentist@demo.clinic",
                            "--set", 'changes=[{"tooth":"41","label":"caries","surfaces":["O"]}]', "--json")
    assert occlusal.returncode != 0 and "anterior tooth" in json.loads(occlusal.stdout)["error"]
    assert _status(engine, approval_id) == "PENDING"
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        assert s.get(ToolExecution, texec_id).input_params["arguments"]["changes"][0]["tooth"] == "14"
        assert s.scalars(select(AgentIntervention).where(AgentIntervention.execution_id == run.execution_id)).all() == []
    assert decide(engine, uuid.UUID(approval_id), actor(), "reject").run.status == "CANCELLED"


# -- 3: an edit stays on the proposal's patient ----------------------------------------------

@pytest.mark.parametrize(("key", "value", "says"), [
    ("patient_id", str(DEMO_PATIENT_IDS[0]), "patient_id cannot be edited"),
    ("encounter_id", str(uuid.uuid4()), "encounter_id cannot be edited"),
    ("tooth", "15", "update_dental_chart has no tooth to edit"),
])
def test_edit_cannot_change_patient_visit_or_unknown_keys(platform, engine, actor, key, value, says) -> None:
    run = propose_chart(engine, chart_call("13", "watch", patient=PATIENT), patient=PATIENT)
    approval_id = run.state["approval_ids"][0]
    before = current_chart(engine, DEMO_PATIENT_IDS[0])
    result = platform.cli("approvals", "edit", approval_id, "--as", "dentist@demo.clinic", "--set", f"{key}={value}", "--json")
    assert result.returncode != 0 and says in json.loads(result.stdout)["error"]
    assert _status(engine, approval_id) == "PENDING" and current_chart(engine, DEMO_PATIENT_IDS[0]) == before
    decide(engine, uuid.UUID(approval_id), actor(), "reject")


# -- 1b: a change that fails after approval fails the run, the CLI, and tells the reviewer ----

def test_approved_change_that_fails_fails_run_and_cli_and_notifies_reviewer(platform, engine, actor) -> None:
    by_cli = propose_chart(engine, chart_call("18", "caries", ["O"], patient=PATIENT), patient=PATIENT)
    in_process = propose_chart(engine, chart_call("18", "fracture", patient=PATIENT), patient=PATIENT)
    missing = propose_chart(engine, chart_call("18", "missing", patient=PATIENT), patient=PATIENT)
    # Valid when proposed; refused once the tooth is charted missing.
    assert decide(engine, uuid.UUID(missing.state["approval_ids"][0]), actor(), "approve").run.status == "COMPLETED"

    approval_id, texec_id = by_cli.state["approval_ids"][0], by_cli.state["tool_execution_ids"][0]
    result = platform.cli("approvals", "approve", approval_id, "--as", "dentist@demo.clinic", "--json")
    assert result.returncode == 1, result.stdout + result.stderr
    out = json.loads(result.stdout)
    assert f"change {texec_id}" in out["error"] and "tooth 18 is recorded as missing" in out["error"]
    assert out["decisions"][0]["status"] == "APPROVED" and out["decisions"][0]["run_status"] == "FAILED"
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        run = s.get(AgentExecution, by_cli.execution_id)
        assert run.status == "FAILED" and f"change {texec_id}" in run.error_details
        assert "recorded as missing" in run.error_details
        assert s.get(ToolExecution, uuid.UUID(texec_id)).status == "FAILED"
        assert s.scalars(select(ActionHistory).where(ActionHistory.agent_execution_id == by_cli.execution_id)).all() == []
    text = platform.cli("approvals", "approve", approval_id, "--as", "dentist@demo.clinic")
    assert text.returncode != 0 and "already decided" in text.stderr

    # The reviewer is told on their channel (in-process: see the report on embedded Redis and pub/sub).
    pubsub = engine.redis.pubsub()
    pubsub.subscribe(approval_queue.channel(DEMO_TENANT_ID, DENTIST_ID))
    pubsub.get_message(timeout=1)  # subscription confirmation
    approval_id, texec_id = in_process.state["approval_ids"][0], in_process.state["tool_execution_ids"][0]
    decision = decide(engine, uuid.UUID(approval_id), actor(), "approve")
    received = []
    while (message := pubsub.get_message(timeout=2)) is not None:
        if message["type"] == "message":
            received.append(json.loads(message["data"]))
    pubsub.close()
    assert decision.run.status == "FAILED" and f"change {texec_id}" in decision.failure
    failed = [m for m in received if m["type"] == "APPLY_FAILED"]
    assert failed and failed[0]["approval_id"] == approval_id and failed[0]["execution_id"] == str(in_process.execution_id)
    assert failed[0]["tool_execution_id"] == texec_id and "recorded as missing" in failed[0]["reason"]


# -- 2: a batch is decided all or nothing ---------------------------------------------------

def test_batch_with_malformed_id_decides_nothing(platform, engine, actor) -> None:
    before = snapshot_count(engine, PATIENT)
    run = propose_chart(engine, chart_call("12", "watch", patient=PATIENT), patient=PATIENT)
    valid = run.state["approval_ids"][0]
    result = platform.cli("approvals", "approve", valid, "not-a-uuid", "--as", "dentist@demo.clinic", "--json")
    assert result.returncode == 2 and "must be a UUID" in json.loads(result.stdout)["error"]
    assert "nothing was decided" in json.loads(result.stdout)["error"]
    assert _status(engine, valid) == "PENDING" and snapshot_count(engine, PATIENT) == before
    decide(engine, uuid.UUID(valid), actor(), "reject")


def test_batch_with_unknown_or_decided_id_decides_nothing(platform, engine, actor) -> None:
    before = snapshot_count(engine, PATIENT)
    run = propose_chart(engine, chart_call("11", "watch", patient=PATIENT), chart_call("21", "watch", patient=PATIENT),
                        patient=PATIENT)
    first, second = run.state["approval_ids"]
    unknown = str(uuid.uuid4())
    result = platform.cli("approvals", "approve", first, unknown, "--as", "dentist@demo.clinic", "--json")
    assert result.returncode != 0 and f"approval {unknown} not found" in json.loads(result.stdout)["error"]
    assert _status(engine, first) == "PENDING"

    other = propose_chart(engine, chart_call("22", "watch", patient=PATIENT), patient=PATIENT)
    decided = other.state["approval_ids"][0]
    decide(engine, uuid.UUID(decided), actor(), "reject")
    with pytest.raises(ApprovalError, match="already decided: REJECTED.*nothing in this batch was decided"):
        decide_batch(engine, [uuid.UUID(first), uuid.UUID(decided), uuid.UUID(second)], actor(), "approve")
    with pytest.raises(ApprovalError, match="may not decide tier-3"):
        decide_batch(engine, [uuid.UUID(first), uuid.UUID(second)], actor("hygienist@demo.clinic"), "approve")
    assert (_status(engine, first), _status(engine, second)) == ("PENDING", "PENDING")
    assert snapshot_count(engine, PATIENT) == before

    both = decide_batch(engine, [uuid.UUID(first), uuid.UUID(second)], actor(), "reject")
    assert [d.status for d in both] == ["REJECTED", "REJECTED"] and both[-1].run.status == "CANCELLED"



def test_approving_a_finding_already_charted_says_it_changed_nothing(engine, actor, new_patient) -> None:
    patient = new_patient()
    first = dictate(engine, actor(), patient, text="tooth 36 occlusal caries")
    applied = decide(engine, uuid.UUID(first["approval_ids"][0]), actor(), "approve")
    assert applied.run.status == "COMPLETED" and applied.result and not applied.result.startswith("no change")
    again = dictate(engine, actor(), patient, text="tooth 36 occlusal caries")
    repeat = decide(engine, uuid.UUID(again["approval_ids"][0]), actor(), "approve")
    assert repeat.run.status == "COMPLETED"
    assert repeat.as_dict()["result"] == "no change: every finding was already charted"
