"""Imaging review latency: the ONNX runner alone on CPU vs the whole run up to the reviewer's queue.

Phantom bitewings (800x600, DICOM, 12-bit) are ingested, then reviewed by the workflow with the
phantom detector (``imaging.test_model``) up to the approval queue. Reported per image:
ingest, the runner alone on the CPU execution provider (resize + session, warm), each node
of the run (its step rows) and the whole run up to the queue; the workflow's overhead is the ratio of the
whole run to the runner. The phantom model is tiny, so the ratio shows the pipeline's cost
(database, checkpoints, approvals, Redis), not a real detector's. Goal: run to queue < 1 s.

Usage: python -m benchmarks.imaging [--images 20]
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid

NODES = ("ingest", "infer", "map", "compare", "triage", "request_approval")


def measure(images: int) -> dict[str, list[float]]:
    from sqlalchemy import select

    from approvals.decisions import decide_batch
    from core_schema.directory import find_actor
    from core_schema.models import AgentStep, Patient
    from core_schema.seed.demo import DEMO_TENANT_ID
    from imaging import phantom
    from imaging.eval import phantom_version
    from imaging.ingest import ingest
    from imaging.registry import spec_of
    from imaging.runners import OnnxDetector, RunnerInput
    from imaging.service import start_review
    from runtime.process import get_engine

    engine = get_engine()
    with engine.db.system_session() as s:
        dentist = find_actor(s, "dentist@demo.clinic")
        patient = Patient(tenant_id=DEMO_TENANT_ID, first_name="Bench", last_name="Imaging")
        s.add(patient)
        s.flush()
        patient_id = patient.id
    version = phantom_version(engine)
    with engine.db.system_session() as s:
        from core_schema.models import AIModelVersion
        from core_schema.rows import get_row

        v = get_row(s, AIModelVersion, version)
        spec, artifact = spec_of(v), v.artifact_uri
    runner = OnnxDetector(runner_path(artifact), spec, providers=("CPUExecutionProvider",))
    out: dict[str, list[float]] = {"ingest": [], "runner_cpu": [], "run_to_queue": []}
    rng_cases = [phantom.random_case(__import__("random").Random(i)) for i in range(images + 1)]
    for i, (findings, missing) in enumerate(rng_cases):
        ph = phantom.make_phantom(findings, missing=missing, size=(800, 600), seed=i)
        data = phantom.to_dicom(ph.pixels)
        t0 = time.perf_counter()
        obj = ingest(engine.db, dentist, patient_id, data, f"bench-{i}.dcm")
        t_ingest = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        runner.run(RunnerInput(pixels=ph.pixels, sha256=obj["sha256"], width=800, height=600))
        t_runner = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        result = start_review(engine, dentist, uuid.UUID(obj["object_id"]), version_id=version, mode="imaging-eval")
        t_run = (time.perf_counter() - t0) * 1000
        assert result["status"] == "WAITING_APPROVAL" or not result["findings"], result.get("error")
        with engine.db.tenant_session(DEMO_TENANT_ID) as s:
            steps = dict(s.execute(select(AgentStep.node_name, AgentStep.duration_ms).where(
                AgentStep.execution_id == uuid.UUID(result["run_id"]))).all())
        if result["approval_ids"]:
            decide_batch(engine, [uuid.UUID(a) for a in result["approval_ids"]], dentist, "reject", comment="other: bench")
        if i == 0:
            continue  # warm-up (session creation, first connections)
        out["ingest"].append(t_ingest)
        out["runner_cpu"].append(t_runner)
        for node in NODES:
            out.setdefault(f"node:{node}", []).append(float(steps.get(node) or 0))
        out["run_to_queue"].append(t_run)
    return out


def runner_path(uri: str):
    from imaging.storage import path_of

    return path_of(uri)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=20)
    args = parser.parse_args()
    from benchmarks._platform import bench_platform
    from core_schema.stats import percentile

    with bench_platform():
        results = measure(args.images)
    print(f"imaging review, {args.images} phantom bitewings 800x600 DICOM (ms per image)")
    print(f"{'stage':<24}{'p50':>9}{'p95':>9}{'mean':>9}")
    for name, values in results.items():
        print(f"{name:<24}{percentile(values, 50):>9.1f}{percentile(values, 95):>9.1f}{statistics.fmean(values):>9.1f}")
    ratio = statistics.median(results["run_to_queue"]) / statistics.median(results["runner_cpu"])
    print(f"workflow overhead: run to queue / runner alone = {ratio:.1f}x (medians)")


if __name__ == "__main__":
    main()
