"""Inference jobs: one ``ai_inference_jobs`` row per model run, its predictions and ROIs.

A job is created QUEUED (by the review service, before its run starts) and executed by the
run's ``infer`` node: RUNNING, then COMPLETED with its predictions (each an ``ai_predictions``
row with its ROI in ``image_annotations``) in one transaction, or FAILED with the reason.
Executing a COMPLETED job again does nothing, so a resumed run never duplicates predictions.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core_schema.db import Database
from core_schema.models import (
    AIInferenceJob,
    AIModelVersion,
    AIPrediction,
    ImageAnnotation,
    ImagingObject,
    ImagingStudy,
)
from core_schema.rows import get_row
from core_schema.statuses import InferenceJobStatus
from core_schema.storage import blobs
from imaging import storage
from imaging.errors import ImagingError
from imaging.registry import spec_of
from imaging.runners import RunnerInput, runner_for

log = logging.getLogger(__name__)


def create_job(s: Any, *, tenant_id: uuid.UUID, version_id: uuid.UUID, object_id: uuid.UUID, user_id: uuid.UUID,
               role: str, findings_uri: str | None = None) -> uuid.UUID:
    job = AIInferenceJob(id=uuid.uuid4(), tenant_id=tenant_id, model_version_id=version_id, input_type="IMAGING_OBJECT",
                         input_ref_id=object_id, requested_by_user_id=user_id, status=InferenceJobStatus.QUEUED,
                         compute_env={"role": role, **({"findings_uri": findings_uri} if findings_uri else {})})
    s.add(job)
    s.flush()
    return job.id


def execute(db: Database, tenant_id: uuid.UUID, job_id: uuid.UUID) -> dict[str, Any]:
    """Run a job to COMPLETED (or FAILED, raising ``ImagingError``); returns timings."""
    with db.tenant_session(tenant_id) as s:
        job = s.get(AIInferenceJob, job_id)
        if job is None:
            raise ImagingError("job_not_found", f"inference job {job_id} not found", 404)
        if job.status == InferenceJobStatus.COMPLETED:
            return {"job_id": str(job_id), "reused": True}
        version = s.get(AIModelVersion, job.model_version_id)
        obj = s.get(ImagingObject, job.input_ref_id)
        study = s.get(ImagingStudy, obj.study_id) if obj else None
        if version is None or obj is None or study is None:
            raise ImagingError("job_invalid", f"inference job {job_id} has no model version or image")
        output_types, artifact = spec_of(version), version.artifact_uri
        env = dict(job.compute_env or {})
        display = (obj.processing_pipeline or {}).get("display", {}).get("uri")
        image_meta = (obj.hash, obj.width, obj.height, study.patient_id, obj.id)
        job.status, job.started_at = InferenceJobStatus.RUNNING, datetime.now(timezone.utc)
    digest, width, height, patient_id, object_id = image_meta
    t0 = time.perf_counter()
    try:
        findings = json.loads(blobs.read(tenant_id, env["findings_uri"])) if env.get("findings_uri") else None
        runner = runner_for(output_types, artifact, findings)
        pixels = storage.read_grey(tenant_id, display) if runner.name != "vendor-json" else None
        load_ms = (time.perf_counter() - t0) * 1000
        result = runner.run(RunnerInput(pixels=pixels, sha256=digest or "", width=width or 0, height=height or 0))
    except Exception as exc:
        reason = str(exc) if isinstance(exc, ImagingError) else f"{type(exc).__name__} in the {output_types.get('runner')} runner"
        if not isinstance(exc, ImagingError):
            log.exception("inference job %s failed", job_id)
        with db.tenant_session(tenant_id) as s:
            job = get_row(s, AIInferenceJob, job_id)
            job.status, job.completed_at, job.error_details = InferenceJobStatus.FAILED, datetime.now(timezone.utc), reason
        raise ImagingError(getattr(exc, "code", "inference_failed"), reason) from None
    total_ms = (time.perf_counter() - t0) * 1000
    with db.tenant_session(tenant_id) as s:
        job = get_row(s, AIInferenceJob, job_id)
        if job.status == InferenceJobStatus.COMPLETED:  # another process finished it meanwhile
            return {"job_id": str(job_id), "reused": True}
        rois: list[ImageAnnotation | None] = []
        for d in result.detections:
            box = d.bbox()
            rois.append(ImageAnnotation(
                id=uuid.uuid4(), tenant_id=tenant_id, imaging_object_id=object_id,
                annotation_type="POLYGON" if d.polygon else "BOX",
                annotation_data={"box": box, "polygon": d.polygon, "label": d.label, "source": "AI",
                                 "job_id": str(job_id)}) if box is not None or d.polygon else None)
        s.add_all([r for r in rois if r is not None])
        s.flush()  # the annotations first (the predictions reference them), in one batch
        s.add_all([AIPrediction(
            id=uuid.uuid4(), job_id=job_id, tenant_id=tenant_id, patient_id=patient_id, imaging_object_id=object_id,
            prediction_type=d.label, code=d.tooth if d.is_tooth else None,
            confidence=Decimal(str(round(min(max(d.confidence, 0.0), 1.0), 4))),
            roi_annotation_id=roi.id if roi else None,
            raw_output={"label": d.label, "box": d.bbox(), "tooth": d.tooth, "surfaces": d.surfaces, "values": d.values,
                        **({"polygon": d.polygon} if d.polygon else {}), "model": d.raw})
            for d, roi in zip(result.detections, rois, strict=True)])
        job.status, job.completed_at = InferenceJobStatus.COMPLETED, datetime.now(timezone.utc)
        job.compute_env = {**env, **result.compute_env, "load_ms": round(load_ms, 2),
                           "inference_ms": round(result.inference_ms, 2), "total_ms": round(total_ms, 2),
                           "detections": len(result.detections)}
    return {"job_id": str(job_id), "inference_ms": result.inference_ms, "total_ms": total_ms}


def predictions_of(s: Any, job_id: uuid.UUID) -> list[AIPrediction]:
    """A job's predictions in a stable order (confidence, then id)."""
    return list(s.scalars(select(AIPrediction).where(AIPrediction.job_id == job_id)
                          .order_by(AIPrediction.confidence.desc(), AIPrediction.id)))
