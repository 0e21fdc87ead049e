"""A review whose process dies is resumed from its checkpoint; approved findings apply exactly once."""

from __future__ import annotations

import json
import os
import signal
import uuid

import pytest
from sqlalchemy import func, select

from core_schema.models import (
    ActionHistory,
    AgentApprovalRequest,
    AgentExecution,
    AIInferenceJob,
    AIPrediction,
    AIReviewEvent,
    ClinicalNote,
)
from core_schema.seed.demo import DEMO_TENANT_ID
from imaging import phantom, registry
from imaging.ingest import ingest
from imaging.test_model import CLASSES, THRESHOLDS
from runtime.process import get_queue
from tests.imaging.conftest import FINDINGS, MISSING
from tests.recovery import FAST_LEASES, kill_once_its_run_exists, spawn, wait_for, with_fast_leases
from tests.workflows.conftest import current_chart


@pytest.fixture(scope="module")
def deployed(engine, model_file) -> str:
    from core_schema.directory import find_actor

    with engine.db.system_session() as s:
        dentist = find_actor(s, "dentist@demo.clinic")
    out = registry.register(engine.db, name="phantom-detector-recovery", version="1.0", runner="onnx",
                            artifact=str(model_file), classes=CLASSES, thresholds=THRESHOLDS)
    registry.deploy(engine.db, dentist, uuid.UUID(out["version_id"]))
    return out["version_id"]


def _counts(engine, run_id: uuid.UUID, patient: uuid.UUID) -> tuple[int, int, int, int, int]:
    """(chart + note writes, approval requests, jobs, predictions, review events) of one run."""
    with engine.db.system_session() as s:
        writes = s.scalar(select(func.count()).select_from(ActionHistory).where(ActionHistory.agent_execution_id == run_id))
        requests = s.scalar(select(func.count()).select_from(AgentApprovalRequest).where(
            AgentApprovalRequest.execution_id == run_id))
        run = s.get(AgentExecution, run_id)
        job_id = (run.state_snapshot or {}).get("job_id")
        jobs = s.scalar(select(func.count()).select_from(AIInferenceJob).where(AIInferenceJob.id == uuid.UUID(job_id))) if job_id else 0
        preds = s.scalar(select(func.count()).select_from(AIPrediction).where(AIPrediction.patient_id == patient))
        events = s.scalar(select(func.count()).select_from(AIReviewEvent).join(
            AIPrediction, AIPrediction.id == AIReviewEvent.prediction_id).where(AIPrediction.patient_id == patient))
    return writes, requests, jobs, preds, events


def _patient(engine, name: str) -> uuid.UUID:
    from core_schema.models import Patient

    with engine.db.system_session() as s:
        row = Patient(tenant_id=DEMO_TENANT_ID, first_name=name, last_name="Recovery")
        s.add(row)
        s.flush()
        return row.id


def test_worker_killed_while_waiting_for_the_reviewer_applies_once(platform, engine, actor, deployed, tmp_path) -> None:
    patient = _patient(engine, "Waiting")
    bw = phantom.make_phantom(FINDINGS, missing=MISSING, seed=11)
    obj = ingest(engine.db, actor(), patient, phantom.to_dicom(bw.pixels), "bw.dcm")
    worker = spawn(platform, "worker", "--concurrency", "1", "--interval-s", "0.5", env=FAST_LEASES)
    try:
        wait_for(lambda: get_queue().live_workers() > 0)
        result = platform.cli("imaging", "review", obj["object_id"], "--as", "dentist@demo.clinic", "--json",
                              env=FAST_LEASES)
        assert result.returncode == 0, result.stdout + result.stderr
        out = json.loads(result.stdout)
        assert out["status"] == "WAITING_APPROVAL" and len(out["approval_ids"]) == 5
    finally:
        os.kill(worker.pid, signal.SIGKILL)  # the run's worker dies while the run waits for its reviewer
        worker.wait()
    run_id = uuid.UUID(out["run_id"])
    assert _counts(engine, run_id, patient) == (0, 5, 1, 12, 0)
    # no live worker: the deciding caller resumes the run from its checkpoint itself
    result = platform.cli("approvals", "approve", *out["approval_ids"], "--as", "dentist@demo.clinic", "--json",
                          env=FAST_LEASES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)[-1]["run_status"] == "COMPLETED"
    assert _counts(engine, run_id, patient) == (6, 5, 1, 12, 5)  # 5 findings + 1 report, each once
    again = platform.cli("approvals", "approve", out["approval_ids"][0], "--as", "dentist@demo.clinic", "--json")
    assert again.returncode != 0 and "already decided" in json.loads(again.stdout)["error"]
    platform.cli("runs", "recover", "--json")
    assert _counts(engine, run_id, patient) == (6, 5, 1, 12, 5)
    teeth = current_chart(engine, patient)["teeth"]
    assert {c["label"] for c in teeth["16"]["conditions"]} == {"caries"} and "45" in teeth


def test_review_killed_mid_run_resumes_without_duplicating_predictions(platform, engine, actor, deployed) -> None:
    patient = _patient(engine, "Killed")
    bw = phantom.make_phantom(FINDINGS, missing=MISSING, seed=12)
    obj = ingest(engine.db, actor(), patient, phantom.to_png(bw.pixels), "bw.png")
    with_fast_leases(lambda: wait_for(lambda: get_queue().live_workers() == 0, 30))
    # where the kill lands (before the first node, mid-inference, mid-triage, waiting) varies with load:
    # from any of them recovery must propose every finding once
    run_id = kill_once_its_run_exists(platform, engine, "imaging", "review", obj["object_id"],
                                      "--as", "dentist@demo.clinic", "--json")
    with_fast_leases(lambda: wait_for(lambda: get_queue().live_workers() == 0, 30))
    result = platform.cli("runs", "recover", "--json", env=FAST_LEASES)
    assert result.returncode == 0, result.stdout + result.stderr
    with engine.db.system_session() as s:
        run = s.get(AgentExecution, run_id)
        assert run.status == "WAITING_APPROVAL", (run.status, run.error_details)
        ids = s.scalars(select(AgentApprovalRequest.id).where(AgentApprovalRequest.execution_id == run_id)).all()
    assert _counts(engine, run_id, patient) == (0, 5, 1, 12, 0)  # one job, its predictions once
    from approvals.decisions import decide_batch

    decision = decide_batch(engine, list(ids), actor(), "approve")[-1]
    assert decision.run.status == "COMPLETED"
    assert _counts(engine, run_id, patient) == (6, 5, 1, 12, 5)
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        assert s.scalar(select(func.count()).select_from(ClinicalNote).where(ClinicalNote.patient_id == patient)) == 1
