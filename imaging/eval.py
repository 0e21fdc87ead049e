"""``eval imaging``: the pipeline measured on a labelled phantom set.

Each phantom (random findings and missing teeth, a few sizes, DICOM and PNG in turn) is
ingested for a synthetic eval patient and reviewed by the workflow up to the reviewer's queue
with the model version under test. Reported: per-label precision / recall of the findings the
model puts forward (at or above their threshold; a finding matches a truth of the same label
whose box it overlaps with IoU >= 0.3), tooth assignment accuracy and surface accuracy over
matched findings, and p50 / p95 per image of ingest, inference (the runner) and the whole run
up to the queue. Eval runs then reject their own requests (``other: eval``) with review
events kept out of training and monitoring; the report adds, per model version, the clinic's
real acceptance and edit rates from review events.

The phantoms measure the pipeline, not clinical accuracy: see ``imaging/README.md``.
"""

from __future__ import annotations

import json
import random
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from approvals.decisions import decide_batch
from core_schema.directory import Actor
from core_schema.models import AIInferenceJob, AIModel, AIModelVersion, AIPrediction, Patient
from core_schema.rows import get_row, present
from core_schema.stats import percentile
from imaging import monitoring, phantom, registry
from imaging.config import images_root
from imaging.ingest import ingest
from imaging.service import start_review
from workflows.engine import Engine

SIZES = ((640, 480), (800, 600), (1024, 768))
EVAL_PATIENT = ("Phantom", "Eval")
IOU = 0.3


def iou(a: list[float], b: list[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def phantom_version(engine: Engine) -> uuid.UUID:
    """The phantom detector, built and registered once per content (``phantom-<sha8>``)."""
    import hashlib

    from imaging.test_model import CLASSES, THRESHOLDS, build

    path = build(images_root() / "models" / "phantom_detector.onnx")
    tag = "phantom-" + hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    with engine.db.system_session() as s:
        found = s.scalar(select(AIModelVersion.id).join(AIModel, AIModel.id == AIModelVersion.model_id)
                         .where(AIModel.name == "phantom-detector", AIModelVersion.version_tag == tag))
    if found:
        return found
    out = registry.register(engine.db, name="phantom-detector", version=tag, runner="onnx", artifact=str(path),
                            classes=CLASSES, thresholds=THRESHOLDS,
                            metrics={"note": "hand-built phantom detector: pipeline tests only, not clinical"})
    return uuid.UUID(out["version_id"])


def _eval_patient(engine: Engine, tenant_id: uuid.UUID) -> uuid.UUID:
    with engine.db.tenant_session(tenant_id) as s:
        found = s.scalar(select(Patient.id).where(Patient.first_name == EVAL_PATIENT[0],
                                                  Patient.last_name == EVAL_PATIENT[1]).limit(1))
        if found:
            return found
        row = Patient(tenant_id=tenant_id, first_name=EVAL_PATIENT[0], last_name=EVAL_PATIENT[1])
        s.add(row)
        s.flush()
        return row.id


def run(engine: Engine, actor: Actor, *, images: int = 20, seed: int = 0,
        version_id: uuid.UUID | None = None) -> dict[str, Any]:
    rng = random.Random(seed)
    version = version_id or phantom_version(engine)
    patient = _eval_patient(engine, actor.tenant_id)
    counts: dict[str, dict[str, int]] = {}
    tooth_ok = tooth_n = surf_ok = surf_n = 0
    ingest_ms: list[float] = []
    infer_ms: list[float] = []
    run_ms: list[float] = []
    for i in range(images):
        findings, missing = phantom.random_case(rng)
        ph = phantom.make_phantom(findings, missing=missing, size=SIZES[i % len(SIZES)], seed=seed * 1000 + i)
        dicom = i % 2 == 0
        data = phantom.to_dicom(ph.pixels) if dicom else phantom.to_png(ph.pixels)
        t0 = time.perf_counter()
        obj = ingest(engine.db, actor, patient, data, f"phantom-{i}.{'dcm' if dicom else 'png'}")
        ingest_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        out = start_review(engine, actor, uuid.UUID(obj["object_id"]), version_id=version, mode="imaging-eval")
        run_ms.append((time.perf_counter() - t0) * 1000)
        with engine.db.tenant_session(actor.tenant_id) as s:
            job = get_row(s, AIInferenceJob, uuid.UUID(out["job_id"]))
            infer_ms.append(float((job.compute_env or {}).get("inference_ms", 0.0)))
            preds = [p for p in s.scalars(select(AIPrediction).where(AIPrediction.job_id == job.id))
                     if p.prediction_type != "tooth" and (p.raw_output or {}).get("triage") != "below_threshold"]
            predicted = [(p.prediction_type, raw["box"], raw.get("assignment") or {})
                         for p in preds for raw in [present(p.raw_output, f"raw_output of prediction {p.id}")]]
        truth = list(ph.findings)
        for label in {t["label"] for t in truth} | {p[0] for p in predicted}:
            counts.setdefault(label, {"tp": 0, "fp": 0, "fn": 0})
        used: set[int] = set()
        for label, box, assignment in predicted:
            best, score = None, IOU
            for j, t in enumerate(truth):
                if j not in used and t["label"] == label and iou(box, t["box"]) >= score:
                    best, score = j, iou(box, t["box"])
            if best is None:
                counts[label]["fp"] += 1
                continue
            used.add(best)
            counts[label]["tp"] += 1
            tooth_n += 1
            tooth_ok += int(assignment.get("tooth") == truth[best]["tooth"])
            surf_n += 1
            surf_ok += int(list(assignment.get("surfaces") or []) == truth[best]["surfaces"])
        for j, t in enumerate(truth):
            if j not in used:
                counts[t["label"]]["fn"] += 1
        if out["approval_ids"]:  # leave nothing in a reviewer's queue
            decide_batch(engine, [uuid.UUID(a) for a in out["approval_ids"]], actor, "reject", comment="other: eval run")
    per_label = {}
    for label, c in sorted(counts.items()):
        p_den, r_den = c["tp"] + c["fp"], c["tp"] + c["fn"]
        per_label[label] = {**c, "precision": round(c["tp"] / p_den, 4) if p_den else None,
                            "recall": round(c["tp"] / r_den, 4) if r_den else None}
    with engine.db.system_session() as s:
        v = get_row(s, AIModelVersion, version)
        model = get_row(s, AIModel, v.model_id)
        version_text = f"{model.name} {v.version_tag}"
    return {
        "model_version_id": str(version), "model": version_text, "images": images, "seed": seed,
        "note": "phantom radiographs: these figures measure the pipeline, not clinical accuracy",
        "per_label": per_label,
        "tooth_assignment_accuracy": round(tooth_ok / tooth_n, 4) if tooth_n else None,
        "surface_accuracy": round(surf_ok / surf_n, 4) if surf_n else None,
        "latency_ms": {name: {"p50": round(percentile(v, 50), 2), "p95": round(percentile(v, 95), 2), "mean": round(statistics.fmean(v), 2)}
                       for name, v in (("ingest", ingest_ms), ("inference", infer_ms), ("run_to_queue", run_ms))},
        "review_rates": monitoring.review_rates(engine.db, actor.tenant_id),
    }


def markdown(result: dict[str, Any]) -> str:
    lines = [f"# Imaging eval: {result['model']}", "", f"_{result['note']}_", "",
             f"{result['images']} phantom images (seed {result['seed']}).", "",
             "| label | tp | fp | fn | precision | recall |", "| --- | --- | --- | --- | --- | --- |"]
    for label, r in result["per_label"].items():
        lines.append(f"| {label} | {r['tp']} | {r['fp']} | {r['fn']} | {r['precision']} | {r['recall']} |")
    lines += ["", f"Tooth assignment accuracy: {result['tooth_assignment_accuracy']}; "
                  f"surface accuracy: {result['surface_accuracy']}", "",
              "| per image (ms) | p50 | p95 | mean |", "| --- | --- | --- | --- |"]
    for name, r in result["latency_ms"].items():
        lines.append(f"| {name} | {r['p50']} | {r['p95']} | {r['mean']} |")
    if result["review_rates"]:
        lines += ["", "| model version | label | reviewed | acceptance | edit | rejection |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for r in result["review_rates"]:
            lines.append(f"| {r['model']} {r['version']} | {r['label']} | {r['reviewed']} | {r['acceptance_rate']} | "
                         f"{r['edit_rate']} | {r['rejection_rate']} |")
    return "\n".join(lines) + "\n"


def write_report(result: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    json_path, md_path = folder / "imaging_eval.json", folder / "imaging_eval.md"
    json_path.write_text(json.dumps(result, indent=2))
    md_path.write_text(markdown(result))
    return json_path, md_path
