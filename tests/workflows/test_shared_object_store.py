"""Two processes with different homes sharing only PostgreSQL, Redis and an S3 store (moto's
server, real HTTP on loopback), as an API host and a worker host would: what the first accepts,
the second's worker reads back from the store; the first home keeps no recording or image. A
worker killed while it reads is resumed by a process of the other home, which reads the object
again and proposes once.
"""

from __future__ import annotations

import json
import os
import signal
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from core_schema.models import (
    AgentApprovalRequest,
    AgentExecution,
    AgentStep,
    ImagingObject,
    VoiceRecording,
    VoiceUtterance,
)
from core_schema.seed.demo import DEMO_TENANT_ID
from core_schema.storage import blob_store
from runtime.process import get_queue
from tests.api.imaging_upload import phantom_case
from tests.object_store import files_under, moto_s3, process_env, servers_env
from tests.recovery import FAST_LEASES, kill_once_its_run_exists, spawn, wait_for, with_fast_leases

DENTIST = "dentist@demo.clinic"


@pytest.fixture(scope="module")
def s3(platform) -> Iterator[dict[str, str]]:
    with moto_s3() as env, process_env(env):
        yield env


def _home(platform, tmp_path, name: str) -> dict[str, str]:
    """The environment of a process on another host: its own home, the session's servers by URL."""
    return {"DENTALAGENT_HOME": str(tmp_path / name), **servers_env(platform)}


def test_accepted_by_one_home_read_by_the_other_homes_worker(platform, engine, new_patient, s3, tmp_path) -> None:
    from evals.audio_synth import synthesize_wav

    first, second = _home(platform, tmp_path, "api-host"), _home(platform, tmp_path, "worker-host")
    patient = str(new_patient("Shared", "Store"))
    wav, png_file, findings_file = tmp_path / "d.wav", tmp_path / "bw.png", tmp_path / "findings.json"
    wav.write_bytes(synthesize_wav("Mark seventeen as missing"))
    png, findings, _ = phantom_case(seed=41)
    png_file.write_bytes(png)
    findings_file.write_bytes(findings)
    # the first home could not interpret a dictation (an LLM interpreter with no endpoint): had one of
    # its commands run the graph instead of the second home's worker, the run would fail
    first["DENTALAGENT_INTERPRETER"] = "llm"
    worker = spawn(platform, "worker", "--concurrency", "1", "--interval-s", "0.5", env={**second, **FAST_LEASES})
    try:
        wait_for(lambda: get_queue().live_workers() > 0)
        # the first host takes the dictation (stores the recording); the second host's worker transcribes it
        heard = platform.cli("dictate", str(wav), "--patient", patient, "--as", DENTIST, "--json", env=first)
        assert heard.returncode == 0, heard.stdout + heard.stderr
        dictation = json.loads(heard.stdout)
        assert dictation["transcript"] and dictation["asr"]["model"], dictation  # heard from the stored recording
        assert dictation["status"] in ("WAITING_APPROVAL", "COMPLETED") and "error" not in dictation, dictation
        # the first host files a radiograph and asks for its review; the second host's worker reads it
        filed = platform.cli("imaging", "ingest", str(png_file), "--patient", patient, "--as", DENTIST, "--json", env=first)
        assert filed.returncode == 0, filed.stdout + filed.stderr
        object_id = json.loads(filed.stdout)["object_id"]
        reviewed = platform.cli("imaging", "review", object_id, "--findings", str(findings_file), "--as", DENTIST,
                                "--json", env=first)
        assert reviewed.returncode == 0, reviewed.stdout + reviewed.stderr
        review = json.loads(reviewed.stdout)
        assert review["status"] == "WAITING_APPROVAL" and len(review["approval_ids"]) == len(review["findings"]) > 0
        assert worker.poll() is None  # the second home's worker lived throughout (a caller drains only without one)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    assert files_under(tmp_path / "api-host") == [] and files_under(tmp_path / "worker-host") == []
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        audio = s.scalar(select(VoiceRecording.audio_uri).join(VoiceUtterance, VoiceUtterance.id == VoiceRecording.utterance_id)
                         .where(VoiceUtterance.id == uuid.UUID(dictation["utterance_id"])))
        image = s.get(ImagingObject, uuid.UUID(object_id))
        keys = [audio, image.storage_uri, image.processing_pipeline["display"]["uri"]]
    assert all(k.startswith(f"{DEMO_TENANT_ID}/") and blob_store().exists(k) for k in keys), keys


def test_worker_killed_while_reading_is_resumed_by_the_other_home(platform, engine, new_patient, s3, tmp_path) -> None:
    from evals.audio_synth import synthesize_wav

    wav = tmp_path / "k.wav"
    wav.write_bytes(synthesize_wav("Mark sixteen as missing"))
    with_fast_leases(lambda: wait_for(lambda: get_queue().live_workers() == 0, 30))
    # the first host takes the dictation and is its run's worker: killed before or while it reads the recording
    run_id = kill_once_its_run_exists(platform, engine, "dictate", str(wav), "--patient", str(new_patient("Killed", "Reader")),
                                      "--as", DENTIST, "--json")
    with_fast_leases(lambda: wait_for(lambda: get_queue().live_workers() == 0, 30))
    resumed = platform.cli("runs", "recover", "--json", env={**_home(platform, tmp_path, "other-host"), **FAST_LEASES})
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    with engine.db.system_session() as s:
        run = s.get(AgentExecution, run_id)
        utterance = s.scalar(select(VoiceUtterance).where(VoiceUtterance.session_id == run.voice_session_id))
        transcribed = s.scalar(select(func.count()).select_from(AgentStep).where(
            AgentStep.execution_id == run_id, AgentStep.node_name == "transcribe", AgentStep.status == "COMPLETED"))
        requests = s.scalar(select(func.count()).select_from(AgentApprovalRequest).where(
            AgentApprovalRequest.execution_id == run_id))
    assert utterance.transcript and transcribed == 1, (run.status, run.error_details, utterance.transcript)
    assert (run.status, requests) == ("WAITING_APPROVAL", 1) or (run.status == "COMPLETED" and requests == 0), (
        run.status, requests, utterance.transcript)
    assert files_under(tmp_path / "other-host") == []
