"""Imaging review as a service: check the request, queue the model runs, start the workflow, report.

``start_review`` runs ``imaging-review`` up to the reviewer's queue and answers with the
contract's fields. Everything that can be refused (unknown image, no model deployed, a
findings file that is invalid or made for another image) is refused before anything is written.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from sqlalchemy import select

from core_schema.directory import Actor
from core_schema.models import (
    AgentApprovalRequest,
    AIModelVersion,
    AIPrediction,
    ImagingObject,
    ImagingStudy,
    ToolExecution,
)
from core_schema.rows import get_row
from imaging import inference, registry
from imaging.config import images_root
from imaging.errors import ImagingError
from imaging.runners import parse_vendor_findings
from workflows.engine import Engine
from workflows.graphs.imaging_review import SPEC


def start_review(engine: Engine, actor: Actor, object_id: uuid.UUID, findings: bytes | None = None,
                 api_client_id: uuid.UUID | None = None, version_id: uuid.UUID | None = None,
                 mode: str = "imaging") -> dict[str, Any]:
    """``version_id``: run this version instead of the clinic's deployments (evals, engineers);
    ``mode`` ``imaging-eval`` keeps the run's review events out of training and monitoring."""
    t0 = time.perf_counter()
    doc = parse_vendor_findings(findings) if findings is not None else None
    with engine.db.tenant_session(actor.tenant_id) as s:
        obj = s.get(ImagingObject, object_id)
        study = s.get(ImagingStudy, obj.study_id) if obj else None
        if obj is None or study is None:
            raise ImagingError("object_not_found", f"imaging object {object_id} not found in this clinic", 404)
        if doc is not None and doc["image_sha256"].lower() != obj.hash:
            raise ImagingError("findings_other_image", "the findings file was made for another image "
                               "(its image_sha256 is not this image's)")
        active, shadows = registry.deployed(s, actor.tenant_id)
        patient_id, encounter_id = study.patient_id, study.encounter_id
    if version_id is not None:
        active, shadows = version_id, []
    if doc is not None:
        active = registry.vendor_version(engine.db, str(doc["model"]["name"]), str(doc["model"]["version"]))
    if active is not None and doc is None:
        with engine.db.tenant_session(actor.tenant_id) as s:
            if registry.spec_of(get_row(s, AIModelVersion, active)).get("runner") == "vendor-json":
                raise ImagingError("findings_required", "this clinic's deployed model imports vendor findings: "
                                   "give the vendor's findings file (--findings FILE.json)")
    if active is None and not shadows:
        raise ImagingError("no_model", "no image model is deployed for this clinic: register one (models register) "
                           "and deploy it (models deploy), or import vendor findings (--findings)")
    findings_uri = _store_findings(actor.tenant_id, findings) if findings is not None else None
    execution_id = uuid.uuid4()
    with engine.db.tenant_session(actor.tenant_id) as s:
        job_id = inference.create_job(s, tenant_id=actor.tenant_id, version_id=active, object_id=object_id,
                                      user_id=actor.user_id, role="ACTIVE", findings_uri=findings_uri) if active else None
        shadow_ids = [inference.create_job(s, tenant_id=actor.tenant_id, version_id=v, object_id=object_id,
                                           user_id=actor.user_id, role="SHADOW") for v in shadows if v != active]
    run = engine.start(SPEC.name, tenant_id=actor.tenant_id, user_id=actor.user_id, patient_id=patient_id,
                       encounter_id=encounter_id, api_client_id=api_client_id, execution_id=execution_id,
                       inputs={"imaging_object_id": str(object_id), "job_id": str(job_id) if job_id else None,
                               "shadow_job_ids": [str(j) for j in shadow_ids], "mode": mode})
    out = review_view(engine, actor.tenant_id, run.execution_id, job_id)
    out.update({"status": run.status, "shadow_job_ids": [str(j) for j in shadow_ids],
                "latency_ms": round((time.perf_counter() - t0) * 1000, 1)})
    if run.error:
        out["error"] = run.error
    return out


def _store_findings(tenant_id: uuid.UUID, data: bytes) -> str:
    import hashlib

    digest = hashlib.sha256(data).hexdigest()
    path = images_root() / str(tenant_id) / "findings" / f"{digest}.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return path.as_uri()


def review_view(engine: Engine, tenant_id: uuid.UUID, execution_id: uuid.UUID, job_id: uuid.UUID | None) -> dict[str, Any]:
    """The contract's answer: every finding of the ACTIVE job with its status and approval."""
    findings: list[dict[str, Any]] = []
    approval_ids: list[str] = []
    with engine.db.tenant_session(tenant_id) as s:
        requests = {r.tool_execution_id: r for r in s.scalars(select(AgentApprovalRequest).where(
            AgentApprovalRequest.execution_id == execution_id).order_by(AgentApprovalRequest.created_at))}
        by_prediction: dict[str, AgentApprovalRequest] = {}
        for texec_id, request in requests.items():
            texec = get_row(s, ToolExecution, texec_id)
            by_prediction[texec.input_params["arguments"]["prediction_id"]] = request
        preds = inference.predictions_of(s, job_id) if job_id else []
        for p in preds:
            if p.prediction_type == "tooth":
                continue
            raw = p.raw_output or {}
            a, chart = raw.get("assignment") or {}, raw.get("chart") or {}
            req = by_prediction.get(str(p.id))
            args = req.action_details.get("arguments", {}) if req else {}
            status = chart.get("status") if raw.get("triage") == "proposed" or not raw.get("triage") else raw["triage"]
            findings.append({
                "prediction_id": str(p.id), "label": args.get("label", p.prediction_type),
                "tooth": args.get("tooth", a.get("tooth")), "surfaces": args.get("surfaces", a.get("surfaces", [])),
                "confidence": float(p.confidence or 0), "box": raw.get("box"), "status": status,
                "approval_id": str(req.id) if req else None, "missing": a.get("missing", []),
                "conflict_reason": chart.get("reason"), "tooth_method": a.get("method")})
            if req:
                approval_ids.append(str(req.id))
    return {"run_id": str(execution_id), "job_id": str(job_id) if job_id else None, "findings": findings,
            "approval_ids": approval_ids}


def object_view(engine: Engine, tenant_id: uuid.UUID, object_id: uuid.UUID) -> dict[str, Any]:
    """An ingested image and its predictions (for the CLI and a web page)."""
    with engine.db.tenant_session(tenant_id) as s:
        obj = s.get(ImagingObject, object_id)
        if obj is None:
            raise ImagingError("object_not_found", f"imaging object {object_id} not found in this clinic", 404)
        preds = s.scalars(select(AIPrediction).where(AIPrediction.imaging_object_id == object_id)).all()
        return {"object_id": str(obj.id), "study_id": str(obj.study_id), "series_id": str(obj.series_id),
                "object_type": obj.object_type, "width": obj.width, "height": obj.height, "sha256": obj.hash,
                "renderings": {k: (obj.processing_pipeline or {}).get(k) for k in ("display", "thumbnail")},
                "predictions": [{"prediction_id": str(p.id), "job_id": str(p.job_id), "label": p.prediction_type,
                                 "confidence": float(p.confidence or 0), "raw_output": json.loads(json.dumps(p.raw_output))}
                                for p in preds]}
