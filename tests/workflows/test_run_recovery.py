"""No run is left behind: a run whose process died is resumed from its last checkpoint, a
decided-but-unresumed run is applied, each change exactly once; live leases are respected."""

from __future__ import annotations

import json
import os
import signal
import uuid

import pytest
from sqlalchemy import func, select, update

from core_schema.models import (
    ActionHistory,
    AgentApprovalRequest,
    AgentExecution,
    AgentStep,
    AuditEvent,
    ToolExecution,
    VoiceUtterance,
)
from core_schema.seed.demo import DEMO_TENANT_ID
from runtime.process import get_queue
from tests.recovery import FAST_LEASES, kill_once_its_run_exists, lease_held, spawn, wait_for, with_fast_leases
from tests.workflows.conftest import DENTIST_ID, chart_call, propose_chart
from workflows.recovery import MAX_RECOVERIES, recover


@pytest.fixture(scope="module")
def patient(new_patient) -> uuid.UUID:
    """A patient of the demo clinic only these tests chart (other tests keep their charts)."""
    return new_patient("Recovery", "Tests")


def _run(engine, run_id: uuid.UUID) -> AgentExecution:
    with engine.db.system_session() as s:
        return s.get(AgentExecution, run_id)


def _applied(engine, run_id: uuid.UUID) -> tuple[int, int, int]:
    """(SUCCEEDED tool executions, action_history rows, clinical audit rows) of one run."""
    with engine.db.system_session() as s:
        texecs = s.scalar(select(func.count()).select_from(ToolExecution).join(
            AgentApprovalRequest, AgentApprovalRequest.tool_execution_id == ToolExecution.id).where(
            AgentApprovalRequest.execution_id == run_id, ToolExecution.status == "SUCCEEDED"))
        history = s.scalar(select(func.count()).select_from(ActionHistory).where(ActionHistory.agent_execution_id == run_id))
        audits = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.metadata_["execution_id"].astext == str(run_id), AuditEvent.event_type.like("CLINICAL_%")))
    return texecs, history, audits


def test_decided_but_unresumed_run_is_applied_exactly_once(engine, patient) -> None:
    """The decider died after committing its decisions and before resuming the run."""
    run = propose_chart(engine, chart_call("14", "caries", ["O"], patient), chart_call("15", "missing", patient=patient),
                        patient=patient)
    assert run.status == "WAITING_APPROVAL"
    with engine.db.system_session() as s:
        s.execute(update(AgentApprovalRequest).where(AgentApprovalRequest.execution_id == run.execution_id)
                  .values(status="APPROVED", reviewer_id=DENTIST_ID))
        # one call was mid-flight when the process died: RUNNING, nothing committed
        first = s.scalars(select(AgentApprovalRequest.tool_execution_id).where(
            AgentApprovalRequest.execution_id == run.execution_id)).first()
        s.execute(update(ToolExecution).where(ToolExecution.id == first).values(status="RUNNING"))
    report = recover(engine, get_queue())
    assert str(run.execution_id) in report.resumed
    get_queue().drain()
    assert _run(engine, run.execution_id).status == "COMPLETED"
    assert _applied(engine, run.execution_id) == (2, 2, 2)
    again = recover(engine, get_queue())  # a second pass finds nothing to do for this run
    get_queue().drain()
    assert str(run.execution_id) not in again.resumed + again.requeued
    assert _applied(engine, run.execution_id) == (2, 2, 2)


def test_running_run_without_lease_is_requeued_and_one_with_a_live_lease_is_not(engine, patient) -> None:
    run = propose_chart(engine, chart_call("16", "missing", patient=patient), patient=patient)
    with engine.db.system_session() as s:  # as if its worker died while it ran
        s.execute(update(AgentExecution).where(AgentExecution.id == run.execution_id).values(status="RUNNING"))
        s.execute(update(AgentApprovalRequest).where(AgentApprovalRequest.execution_id == run.execution_id)
                  .values(status="APPROVED", reviewer_id=DENTIST_ID))
    with lease_held(engine.db, run.execution_id, seconds=30):
        report = recover(engine, get_queue())
        assert str(run.execution_id) not in report.requeued  # a live worker holds it
    report = recover(engine, get_queue())
    assert str(run.execution_id) in report.requeued
    get_queue().drain()
    assert _run(engine, run.execution_id).status == "COMPLETED"
    assert _applied(engine, run.execution_id) == (1, 1, 1)


def test_run_that_keeps_dying_is_failed_with_a_reason(engine, patient) -> None:
    run = propose_chart(engine, chart_call("17", "missing", patient=patient), patient=patient)
    with engine.db.system_session() as s:
        s.execute(update(AgentExecution).where(AgentExecution.id == run.execution_id)
                  .values(status="RUNNING", metadata_={"recoveries": MAX_RECOVERIES}))
    report = recover(engine, get_queue())
    assert str(run.execution_id) in report.abandoned
    row = _run(engine, run.execution_id)
    assert row.status == "FAILED" and "abandoned" in row.error_details and row.completed_at is not None
    from core_schema.models import AgentMetric

    with engine.db.system_session() as s:
        names = set(s.scalars(select(AgentMetric.metric_name).where(AgentMetric.execution_id == run.execution_id)))
    assert names == {"COMPLETION_TIME", "TOOL_CALLS", "TOKEN_COST", "ERROR_RATE"}


def test_runs_recover_cli_reports_json(platform) -> None:
    result = platform.cli("runs", "recover", "--json")
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout)) >= {"requeued", "resumed", "abandoned", "stalled_jobs"}


def test_dictation_killed_before_interpretation_resumes_from_its_recording(platform, engine, tmp_path, patient) -> None:
    from evals.audio_synth import synthesize_wav

    wav = tmp_path / "d.wav"
    wav.write_bytes(synthesize_wav("Mark seventeen as missing"))
    patient = str(patient)  # its own chart: nothing another test charted can make the proposal invalid
    run_id = kill_once_its_run_exists(platform, engine, "dictate", str(wav), "--patient", patient,
                                      "--as", "dentist@demo.clinic", "--json")
    with engine.db.system_session() as s:
        run = s.get(AgentExecution, run_id)
        utterance = s.scalar(select(VoiceUtterance).where(VoiceUtterance.session_id == run.voice_session_id))
        assert (run.status, utterance.transcript) == ("RUNNING", None), "died before it heard anything"

    # the killed process was the run's worker: once its heartbeat is stale, recovery runs it here
    with_fast_leases(lambda: wait_for(lambda: get_queue().live_workers() == 0, 30))
    result = platform.cli("runs", "recover", "--json", env=FAST_LEASES)
    assert result.returncode == 0, result.stdout + result.stderr
    row = _run(engine, run_id)
    with engine.db.system_session() as s:
        utterance = s.scalar(select(VoiceUtterance).where(VoiceUtterance.session_id == row.voice_session_id))
        requests = s.scalar(select(func.count()).select_from(AgentApprovalRequest).where(
            AgentApprovalRequest.execution_id == run_id))
        transcribed = s.scalar(select(func.count()).select_from(AgentStep).where(
            AgentStep.execution_id == run_id, AgentStep.node_name == "transcribe", AgentStep.status == "COMPLETED"))
    # heard from the stored recording, by the recovered run
    assert utterance.transcript and transcribed == 1, (row.status, row.error_details, utterance.transcript, transcribed)
    # synthetic speech varies run to run: if it was understood, the proposal waits for its reviewer
    assert (row.status, requests) == ("WAITING_APPROVAL", 1) or (row.status == "COMPLETED" and requests == 0), (
        row.status, requests, utterance.transcript)


def test_worker_process_executes_runs_and_a_killed_worker_is_replaced(platform, engine, patient) -> None:
    worker = spawn(platform, "worker", "--concurrency", "1", "--interval-s", "0.5", env=FAST_LEASES)
    try:
        wait_for(lambda: get_queue().live_workers() > 0)
        result = platform.cli("dictate", "--text", "Mark eighteen as missing", "--patient", str(patient),
                              "--as", "dentist@demo.clinic", "--json", env=FAST_LEASES)
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)
        assert out["status"] == "WAITING_APPROVAL" and len(out["approval_ids"]) == 1
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    # the dead worker's heartbeat goes stale; the next caller finds no live worker and works alone
    result = platform.cli("approvals", "approve", out["approval_ids"][0], "--as", "dentist@demo.clinic", "--json",
                          env=FAST_LEASES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["run_status"] == "COMPLETED"
    assert _applied(engine, uuid.UUID(out["run_id"])) == (1, 1, 1)


def test_re_proposing_after_a_crash_reuses_calls_and_requests(engine, patient) -> None:
    """A run resumed from an older checkpoint proposes again: no second call, request or queue entry."""
    from approvals import queue as approval_queue
    from approvals.decisions import Proposal, request
    from tools.executor import Call

    run = propose_chart(engine, chart_call("13", "missing", patient=patient), patient=patient)
    with engine.db.system_session() as s:
        req = s.scalar(select(AgentApprovalRequest).where(AgentApprovalRequest.execution_id == run.execution_id))
        texec = s.get(ToolExecution, req.tool_execution_id)
        key, args = texec.input_params["idempotency_key"], texec.input_params["arguments"]
    again = engine.executor.record_pending(Call(tool="update_dental_chart", args=args, tenant_id=DEMO_TENANT_ID,
                                                user_id=DENTIST_ID, idempotency_key=key))
    assert again == req.tool_execution_id
    ids, still_open = request(engine, run.state, req.step_id,
                              [Proposal(req.tool_execution_id, "update_dental_chart", "x", "y")])
    assert ids == [req.id] and still_open == 1
    assert approval_queue.queued(engine.redis, DEMO_TENANT_ID, DENTIST_ID).count(str(req.id)) == 1
    with engine.db.system_session() as s:
        assert s.scalar(select(func.count()).select_from(AgentApprovalRequest).where(
            AgentApprovalRequest.execution_id == run.execution_id)) == 1


def test_a_redis_outage_inside_a_run_interrupts_it_and_it_is_resumed_not_failed(engine) -> None:
    """Infrastructure failing mid-run is not the run's failure: it stays RUNNING and is resumed."""
    import redis
    from langgraph.graph import END, START, StateGraph

    from tests.workflows.conftest import DENTIST_ID as USER
    from workflows.engine import WorkflowSpec

    outages = {"left": 1}

    def build(e):  # type: ignore[no-untyped-def]
        g = StateGraph(dict)

        @e.node("flaky", "TOOL_CALL")
        def flaky(state, ctx):  # type: ignore[no-untyped-def]
            if outages["left"]:
                outages["left"] -= 1
                raise redis.exceptions.ConnectionError("Connection reset by peer")
            return {"done": 1}

        g.add_node("flaky", flaky)
        g.add_edge(START, "flaky")
        g.add_edge("flaky", END)
        return g

    if "test-flaky" not in engine.graphs:
        engine.add(WorkflowSpec("test-flaky", "fails once on Redis", "DIAGNOSTIC", build))
    result = engine.start("test-flaky", tenant_id=DEMO_TENANT_ID, user_id=USER)
    assert result.status == "COMPLETED", result.error
    assert outages["left"] == 0
    row = _run(engine, result.execution_id)
    assert row.metadata_.get("recoveries") == 1 and row.error_details is None


def test_a_run_resumed_from_scratch_keeps_what_it_proposed_even_if_the_chart_changed(engine, patient, actor) -> None:
    """Checkpoints lost with a dead worker: the run starts over, and the chart changed meanwhile.
    It must keep its recorded proposal (a reviewer may already have it), not re-derive a new one."""
    from sqlalchemy import text

    from approvals.decisions import decide
    from voice.service import run_dictation as dictate

    dentist = actor()
    out = dictate(engine, dentist, patient, text="tooth 46 occlusal caries")
    assert out["status"] == "WAITING_APPROVAL" and len(out["approval_ids"]) == 1
    run_id = uuid.UUID(out["run_id"])
    other = propose_chart(engine, chart_call("46", "missing", patient=patient), patient=patient)
    assert decide(engine, uuid.UUID(other.state["approval_ids"][0]), dentist, "approve").run.status == "COMPLETED"
    with engine.db.system_session() as s:  # as if its worker died before any checkpoint reached the database
        for table in ("checkpoint_writes", "checkpoint_blobs", "checkpoints"):
            s.execute(text(f"DELETE FROM {table} WHERE thread_id = :t"), {"t": str(run_id)})
        s.execute(update(AgentExecution).where(AgentExecution.id == run_id).values(status="RUNNING"))
    recover(engine, get_queue())
    get_queue().drain()
    assert _run(engine, run_id).status == "WAITING_APPROVAL"
    with engine.db.system_session() as s:
        requests = s.scalars(select(AgentApprovalRequest.id).where(AgentApprovalRequest.execution_id == run_id)).all()
    assert [str(r) for r in requests] == out["approval_ids"]
    decision = decide(engine, uuid.UUID(out["approval_ids"][0]), dentist, "approve")
    assert decision.run.status == "FAILED" and decision.failure  # the tooth is missing now: refused, and said so
