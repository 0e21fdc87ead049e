"""The persisted runtime end to end: approvals survive a SIGKILL, apply once, reject, edit,
time out and escalate, and the Redis queue is rebuilt from PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from approvals import queue as approval_queue
from approvals.decisions import ApprovalError, decide, pending_for, sweep_timeouts
from core_schema.models import (
    ActionHistory,
    AgentApprovalRequest,
    AgentExecution,
    AgentIntervention,
    AgentMetric,
    AgentStep,
    AuditEvent,
    ToolExecution,
)
from core_schema.seed.demo import DEMO_TENANT_ID, sid
from runtime.process import restore_queues
from tests.workflows.conftest import DENTIST_ID, chart_call, current_chart, propose_chart, snapshot_count

START_AND_WAIT = """
import json, sys, time, uuid
from core_schema.seed.demo import DEMO_TENANT_ID, sid
from approvals.chart_change import propose
from runtime.process import get_engine
engine = get_engine()
patient = uuid.UUID(sys.argv[1])
run = propose(engine, tenant_id=DEMO_TENANT_ID, user_id=sid("user", "dentist@demo.clinic"), patient_id=patient,
              calls=[("update_dental_chart", {"patient_id": str(patient),
                      "changes": [{"tooth": "36", "label": "caries", "surfaces": ["M", "O"]}]})])
print(json.dumps({"run_id": str(run.execution_id), "status": run.status, "approval_ids": run.state["approval_ids"]}), flush=True)
time.sleep(600)
"""


@pytest.fixture
def patient(new_patient) -> uuid.UUID:
    """A patient of the demo clinic charted by this test only (the tests assert what the chart shows)."""
    return new_patient("Runtime", "Tests")


def test_approval_survives_sigkill_and_applies_exactly_once(platform, engine, patient) -> None:
    before = snapshot_count(engine, patient)
    proc = subprocess.Popen([sys.executable, "-c", START_AND_WAIT, str(patient)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **platform.env})
    try:
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        started = json.loads(line)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert started["status"] == "WAITING_APPROVAL" and len(started["approval_ids"]) == 1
    approval_id = started["approval_ids"][0]
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        assert s.get(AgentApprovalRequest, uuid.UUID(approval_id)).status == "PENDING"
        assert s.get(AgentExecution, uuid.UUID(started["run_id"])).status == "WAITING_APPROVAL"
    assert approval_id in approval_queue.queued(engine.redis, DEMO_TENANT_ID, DENTIST_ID)

    result = platform.cli("approvals", "approve", approval_id, "--as", "dentist@demo.clinic", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["run_status"] == "COMPLETED"
    again = platform.cli("approvals", "approve", approval_id, "--as", "dentist@demo.clinic", "--json")
    assert again.returncode != 0 and "already decided" in json.loads(again.stdout)["error"]

    assert snapshot_count(engine, patient) == before + 1
    shown = json.loads(platform.cli("chart", "show", "--patient", str(patient), "--json").stdout)
    assert shown["teeth"]["36"]["conditions"] == [{"label": "caries", "surfaces": ["M", "O"]}]
    run_view = json.loads(platform.cli("runs", "show", started["run_id"], "--json").stdout)
    assert run_view["status"] == "COMPLETED" and run_view["approvals"][0]["status"] == "APPROVED"
    assert [t["status"] for t in run_view["tool_executions"]] == ["SUCCEEDED"]
    assert started["run_id"] in {r["id"] for r in json.loads(platform.cli("runs", "list", "--json").stdout)}
    assert approval_id not in approval_queue.queued(engine.redis, DEMO_TENANT_ID, DENTIST_ID)
    run_id = uuid.UUID(started["run_id"])
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        run = s.get(AgentExecution, run_id)
        assert run.status == "COMPLETED" and run.checkpoint_id and run.metadata_.get("trace_id")
        steps = {st.id: st for st in s.scalars(select(AgentStep).where(AgentStep.execution_id == run_id))}
        assert [st.node_name for st in sorted(steps.values(), key=lambda x: x.sequence_no)] == [
            "gate", "request_approval", "await_approval", "await_approval", "apply", "summarize"]
        request = s.get(AgentApprovalRequest, uuid.UUID(approval_id))
        texec = s.get(ToolExecution, request.tool_execution_id)
        assert texec.status == "SUCCEEDED" and steps[texec.agent_step_id].node_name == "apply"
        history = s.scalars(select(ActionHistory).where(ActionHistory.agent_execution_id == run_id)).all()
        assert len(history) == 1 and history[0].approval_request_id == request.id
        assert history[0].undo_expires_at > datetime.now(timezone.utc)
        audit = s.scalars(select(AuditEvent).where(AuditEvent.resource_id == history[0].entity_id)).all()
        assert [a.metadata_["action_history_id"] for a in audit] == [str(history[0].id)]
        assert steps[request.step_id].node_name == "request_approval"
        metrics = {m.metric_name for m in s.scalars(select(AgentMetric).where(AgentMetric.execution_id == run_id))}
        assert metrics == {"COMPLETION_TIME", "TOOL_CALLS", "TOKEN_COST", "ERROR_RATE"}


def test_two_concurrent_approvals_apply_once(engine, actor, patient) -> None:
    run = propose_chart(engine, chart_call("37", "fracture", patient=patient), patient=patient)
    approval_id = uuid.UUID(run.state["approval_ids"][0])
    before = snapshot_count(engine, patient)
    dentist = actor()
    outcomes: list[object] = []
    barrier = threading.Barrier(2)

    def approve() -> None:
        barrier.wait()
        try:
            outcomes.append(decide(engine, approval_id, dentist, "approve"))
        except ApprovalError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    errors = [o for o in outcomes if isinstance(o, ApprovalError)]
    assert len(errors) == 1 and "already decided" in str(errors[0])
    assert snapshot_count(engine, patient) == before + 1


def test_resuming_twice_does_not_apply_twice(engine, actor, patient) -> None:
    run = propose_chart(engine, chart_call("35", "watch", patient=patient), patient=patient)
    before = snapshot_count(engine, patient)
    decide(engine, uuid.UUID(run.state["approval_ids"][0]), actor(), "approve")
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:  # a stale second resume (e.g. a retried request)
        s.get(AgentExecution, run.execution_id).status = "WAITING_APPROVAL"
    assert engine.resume(run.execution_id, DEMO_TENANT_ID, {"decided_by": "retry"}) is not None
    assert snapshot_count(engine, patient) == before + 1


def test_batch_of_one_run_resumes_once_after_last_decision(engine, actor, patient) -> None:
    run = propose_chart(engine, chart_call("46", "caries", ["O"], patient=patient), chart_call("47", "missing", patient=patient), patient=patient)
    first, second = (uuid.UUID(a) for a in run.state["approval_ids"])
    d1 = decide(engine, first, actor(), "approve")
    assert d1.run is None  # still waiting for the second request
    d2 = decide(engine, second, actor(), "approve")
    assert d2.run.status == "COMPLETED"
    teeth = current_chart(engine, patient)["teeth"]
    assert teeth["47"]["status"] == "missing" and {"label": "caries", "surfaces": ["O"]} in teeth["46"]["conditions"]


def test_assistant_may_not_approve_tier3(engine, actor, patient) -> None:
    run = propose_chart(engine, chart_call("45", "caries", ["D"], patient=patient), patient=patient)
    with pytest.raises(ApprovalError, match="may not decide tier-3"):
        decide(engine, uuid.UUID(run.state["approval_ids"][0]), actor("assistant@demo.clinic"), "approve")


def test_other_clinic_cannot_see_or_decide(engine, actor, patient) -> None:
    run = propose_chart(engine, chart_call("44", "caries", ["B"], patient=patient), patient=patient)
    with pytest.raises(ApprovalError, match="not found in this clinic"):
        decide(engine, uuid.UUID(run.state["approval_ids"][0]), actor("dentist@universal.clinic"), "approve")


def test_reject_cancels_run_and_writes_nothing(engine, actor, patient) -> None:
    before = current_chart(engine, patient)
    run = propose_chart(engine, chart_call("48", "impacted", patient=patient), patient=patient)
    decision = decide(engine, uuid.UUID(run.state["approval_ids"][0]), actor(), "reject", comment="not impacted")
    assert decision.run.status == "CANCELLED"
    assert current_chart(engine, patient) == before
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        texec = s.get(ToolExecution, uuid.UUID(run.state["tool_execution_ids"][0]))
        assert texec.status == "CANCELLED"
        assert s.scalars(select(ActionHistory).where(ActionHistory.agent_execution_id == run.execution_id)).all() == []


def test_edit_applies_the_corrected_action_and_records_intervention(platform, engine, patient) -> None:
    run = propose_chart(engine, chart_call("26", "caries", ["O"], patient=patient), patient=patient)
    approval_id = run.state["approval_ids"][0]
    corrected = json.dumps([{"tooth": "27", "label": "caries", "surfaces": ["O"]}])
    result = platform.cli("approvals", "edit", approval_id, "--as", "dentist@demo.clinic",
                          "--set", f"changes={corrected}", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    teeth = current_chart(engine, patient)["teeth"]
    assert {"label": "caries", "surfaces": ["O"]} in teeth["27"]["conditions"]
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        iv = s.scalars(select(AgentIntervention).where(AgentIntervention.execution_id == run.execution_id)).one()
        assert iv.intervention_type == "CORRECT" and iv.use_for_training
        assert iv.original_action["arguments"]["changes"][0]["tooth"] == "26"
        assert iv.corrected_action["arguments"]["changes"][0]["tooth"] == "27"


def test_flushed_redis_is_rebuilt_from_postgres(platform, engine, patient) -> None:
    run = propose_chart(engine, chart_call("25", "caries", ["M"], patient=patient), patient=patient)
    approval_id = run.state["approval_ids"][0]
    if platform.mode == "embedded":
        engine.redis.flushall()  # this session's own Redis server
    else:  # the machine's Redis is shared: flush only this session's namespace
        for k in engine.redis.scan_iter(match=platform.env["DENTALAGENT_REDIS_PREFIX"] + "*"):
            engine.redis.delete(k)
    assert approval_queue.queued(engine.redis, DEMO_TENANT_ID, DENTIST_ID) == []
    result = platform.cli("approvals", "rebuild-queue", "--json")
    assert result.returncode == 0, result.stderr
    assert approval_id in approval_queue.queued(engine.redis, DEMO_TENANT_ID, DENTIST_ID)
    assert restore_queues() >= 1  # the start-up path does the same


def _sweep_and_listen(engine, user_id: uuid.UUID) -> tuple[list[uuid.UUID], list[dict]]:
    """Sweep two hours ahead; the ids timed out and the messages published to ``user_id``."""
    pubsub = engine.redis.pubsub()
    pubsub.subscribe(approval_queue.channel(DEMO_TENANT_ID, user_id))
    pubsub.get_message(timeout=1)  # subscription confirmation
    timed_out = sweep_timeouts(engine, now=datetime.now(timezone.utc) + timedelta(hours=2))
    received = []  # other tests' pending requests are overdue at +2 h too
    while (message := pubsub.get_message(timeout=2)) is not None:
        if message["type"] == "message":
            received.append(json.loads(message["data"]))
    pubsub.close()
    return timed_out, received


def _escalated(engine, run) -> AgentApprovalRequest:
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        return s.scalars(select(AgentApprovalRequest).where(
            AgentApprovalRequest.execution_id == run.execution_id, AgentApprovalRequest.status == "PENDING")).one()


@pytest.fixture
def clinic_timeout(engine):
    """The demo clinic's setting that makes pending requests time out (30 minutes); unset afterwards."""
    from approvals.decisions import TIMEOUT_SETTING
    from core_schema.models import TenantSetting

    def _set(minutes: int | None) -> None:
        with engine.db.system_session() as s:
            row = s.get(TenantSetting, DEMO_TENANT_ID)
            options = {k: v for k, v in (row.clinical_workflow_options or {}).items() if k != TIMEOUT_SETTING}
            row.clinical_workflow_options = {**options, **({TIMEOUT_SETTING: minutes} if minutes else {})}

    _set(30)
    yield
    _set(None)


def test_chart_changes_do_not_expire_without_a_clinic_timeout(engine, actor) -> None:
    """Nothing vanishes: with no clinic setting a request has no deadline, a sweep hours later
    leaves it where it was, and it can still be decided."""
    run = propose_chart(engine, chart_call("25", "caries", ["D"]))
    approval_id = uuid.UUID(run.state["approval_ids"][0])
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        assert s.get(AgentApprovalRequest, approval_id).timeout_at is None
    timed_out, _ = _sweep_and_listen(engine, DENTIST_ID)
    assert approval_id not in timed_out
    assert approval_id in {uuid.UUID(r["id"]) for r in pending_for(engine, actor())}
    assert decide(engine, approval_id, actor(), "reject", comment="not there").status == "REJECTED"


def test_timeout_stays_with_the_reviewer_marked_overdue_when_nobody_else_may_decide(engine, actor, clinic_timeout) -> None:
    # The demo clinic has one dentist: the admin supervises but may not decide tier-3 changes.
    run = propose_chart(engine, chart_call("24", "caries", ["D"]))
    approval_id = uuid.UUID(run.state["approval_ids"][0])
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        assert s.get(AgentApprovalRequest, approval_id).timeout_at is not None  # the clinic's 30 minutes
    timed_out, received = _sweep_and_listen(engine, DENTIST_ID)
    assert approval_id in timed_out
    notice = next(m for m in received if m["type"] == "APPROVAL_TIMEOUT" and m["approval_id"] == str(approval_id))
    assert notice["execution_id"] == str(run.execution_id) and notice["overdue"] is True
    assert notice["escalated_to"] is None and "stays in your inbox" in notice["reason"]
    assert "approvals.decide.tier3" in notice["reason"]
    still = _escalated(engine, run)  # the one pending request of the run: the same one, not a copy
    assert still.id == approval_id and still.assigned_to_user_id == DENTIST_ID and still.priority == "URGENT"
    assert still.timeout_at is None  # overdue once: not swept again
    admin = sid("user", "admin@demo.clinic")
    assert str(approval_id) in approval_queue.queued(engine.redis, DEMO_TENANT_ID, DENTIST_ID)
    assert str(approval_id) not in approval_queue.queued(engine.redis, DEMO_TENANT_ID, admin)
    listed = {r["id"]: r for r in pending_for(engine, actor())}
    assert listed[str(approval_id)]["overdue"] is True  # the dentist's inbox shows it, marked overdue
    assert str(approval_id) not in {r["id"] for r in pending_for(engine, actor("admin@demo.clinic"))}
    assert sweep_timeouts(engine, now=datetime.now(timezone.utc) + timedelta(hours=4)).count(approval_id) == 0
    done = decide(engine, approval_id, actor(), "approve")  # late, but decided by whom it waited for
    assert done.run.status == "COMPLETED"


def test_a_request_assigned_to_nobody_is_in_the_inbox_of_who_may_decide_it_and_who_dictated_it(engine, actor) -> None:
    """Every run waiting for a decision is reachable from an inbox, even one whose request found
    no reviewer (e.g. asked while the clinic had no dentist, or escalated to nobody before)."""
    run = propose_chart(engine, chart_call("26", "caries", ["B"]))
    approval_id = uuid.UUID(run.state["approval_ids"][0])
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        s.get(AgentApprovalRequest, approval_id).assigned_to_user_id = None
    assert str(approval_id) in {r["id"] for r in pending_for(engine, actor())}  # the dentist may decide it
    assert str(approval_id) not in {r["id"] for r in pending_for(engine, actor("admin@demo.clinic"))}
    decide(engine, approval_id, actor(), "reject", comment="test over")


@pytest.fixture
def second_dentist(engine):
    """Another dentist of the demo clinic (tier-3 and supervise), deactivated afterwards."""
    from core_schema.models import User, UserRole, UserTenant

    user_id = sid("user", "zz.second.dentist@demo.clinic")
    with engine.db.system_session() as s:
        if s.get(User, user_id) is None:
            s.add(User(id=user_id, email="zz.second.dentist@demo.clinic", full_name="Second Dentist"))
            s.flush()
            s.add(UserTenant(user_id=user_id, tenant_id=DEMO_TENANT_ID, user_type="STAFF"))
            s.add(UserRole(user_id=user_id, role_id=sid("role", str(DEMO_TENANT_ID), "dentist"), tenant_id=DEMO_TENANT_ID))
        else:
            s.get(User, user_id).status = "ACTIVE"
    yield user_id
    with engine.db.system_session() as s:
        s.get(User, user_id).status = "INACTIVE"


def test_timeout_escalates_to_another_user_who_may_decide_the_tier(engine, actor, second_dentist, clinic_timeout) -> None:
    run = propose_chart(engine, chart_call("23", "caries", ["D"]))
    approval_id = uuid.UUID(run.state["approval_ids"][0])
    timed_out, received = _sweep_and_listen(engine, DENTIST_ID)
    assert approval_id in timed_out
    escalated = _escalated(engine, run)
    assert escalated.assigned_to_user_id == second_dentist  # never back to the dentist who let it time out
    assert str(escalated.id) in approval_queue.queued(engine.redis, DEMO_TENANT_ID, second_dentist)
    notice = next(m for m in received if m["type"] == "APPROVAL_TIMEOUT" and m["approval_id"] == str(approval_id))
    assert notice["escalated_to"] == str(second_dentist) and "reason" not in notice
    assert str(escalated.id) not in {r["id"] for r in pending_for(engine, actor())}  # left the first inbox
    assert decide(engine, escalated.id, actor("zz.second.dentist@demo.clinic"), "approve").run.status == "COMPLETED"


def test_an_edit_of_one_request_is_what_the_run_applies_when_the_last_is_approved(engine, actor, patient) -> None:
    """Two requests of one run: the first edited (the inbox's E), the second approved last (A): the
    run resumes once and applies the edited change, not the proposed one."""
    run = propose_chart(engine, chart_call("21", "caries", ["M"], patient=patient),
                        chart_call("22", "caries", ["D"], patient=patient), patient=patient)
    first, second = (uuid.UUID(a) for a in run.state["approval_ids"])
    edited = [{"tooth": "21", "label": "caries", "surfaces": ["D"]}]
    assert decide(engine, first, actor(), "edit", edits={"changes": edited}).run is None
    assert decide(engine, second, actor(), "approve").run.status == "COMPLETED"
    teeth = current_chart(engine, patient)["teeth"]
    assert {"label": "caries", "surfaces": ["D"]} in teeth["21"]["conditions"], teeth.get("21")


def test_a_runs_requests_are_listed_in_the_order_they_were_proposed(engine, actor, patient) -> None:
    """A run's requests are written in one transaction: each still gets its own created_at, in the
    order proposed, so the run's trace (the dictation panel's review rows) and the inbox list them as
    proposed, not in whatever order the table's pages hold them after a long session."""
    from approvals.decisions import decide_batch
    from workflows.run_views import show_run

    run = propose_chart(engine, *(chart_call(t, "caries", ["M"], patient=patient) for t in ("21", "22", "23")),
                        patient=patient)
    ids = run.state["approval_ids"]
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        created = dict(s.execute(select(AgentApprovalRequest.id, AgentApprovalRequest.created_at)
                                 .where(AgentApprovalRequest.execution_id == run.execution_id)).all())
    in_proposal_order = [created[uuid.UUID(a)] for a in ids]
    assert len(set(in_proposal_order)) == 3 and in_proposal_order == sorted(in_proposal_order)
    assert [a["id"] for a in show_run(engine.db, DEMO_TENANT_ID, run.execution_id)["approvals"]] == ids
    decide_batch(engine, [uuid.UUID(a) for a in ids], actor(), "reject")  # leave nothing waiting
