"""Imaging's service, for both faces: start a review run and read it back, and (for the HTTP
face) a patient's radiographs, their renderings, uploads and reviews.

Refusals follow the API contract: another clinic's patient, image or run is ``not_found`` (404,
never "forbidden"); a file that is not an accepted image, or a findings file that is invalid
or made for another image, is 422; a file over the limit 413. Everything that can be refused
is checked before anything is written (the upload is decoded before it is filed).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from core_schema.db import get_database
from core_schema.directory import Actor
from core_schema.errors import DomainError, NotFound
from core_schema.models import (
    AgentApprovalRequest,
    AgentExecution,
    AgentWorkflow,
    AIInferenceJob,
    AIModel,
    AIModelVersion,
    AIPrediction,
    ImagingObject,
    ImagingStudy,
    Patient,
    ToolExecution,
)
from core_schema.rows import get_row
from core_schema.settings import get_settings
from core_schema.statuses import ApprovalStatus, DeploymentStatus
from core_schema.storage import blobs
from core_schema.storage.base import BlobMissing
from imaging import inference, registry
from imaging.errors import ImagingError
from imaging.graph import SPEC
from imaging.ingest import ingest
from imaging.runners import parse_vendor_findings
from imaging.schemas import (
    ImagingFindingOut,
    ImagingObjectOut,
    ImagingReviewOut,
    ImagingStudyOut,
    ImagingUploadOut,
    ReviewSummaryOut,
)
from imaging.storage import sha256
from workflows.engine import Engine

WORKFLOW = "imaging-review"
RENDERINGS = ("display", "thumbnail")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _http(exc: ImagingError) -> DomainError:
    """The HTTP status of an imaging refusal: unknown ids are not_found, bad input 422, too big 413."""
    if exc.status == 404:
        return NotFound(exc.message)
    if exc.code == "image_too_large":
        return DomainError("too_large", exc.message, 413)
    if exc.status == 400 and exc.code not in ("no_model",):
        return DomainError(exc.code, exc.message, 422)
    if exc.code == "no_model":
        return DomainError(exc.code, exc.message, 409)
    return exc


def _reviews(s: Any, patient_id: uuid.UUID) -> dict[str, list[ReviewSummaryOut]]:
    """Review runs of a patient's images, newest first, by imaging object id."""
    rows = s.execute(
        select(AgentExecution.id, AgentExecution.status, AgentExecution.started_at,
               AgentExecution.state_snapshot["imaging_object_id"].astext)
        .join(AgentWorkflow, AgentWorkflow.id == AgentExecution.workflow_id)
        .where(AgentWorkflow.name == WORKFLOW, AgentExecution.patient_id == patient_id)
        .order_by(AgentExecution.started_at.desc())).all()
    pending: dict[uuid.UUID, int] = {}
    if rows:
        for execution_id, in s.execute(select(AgentApprovalRequest.execution_id).where(
                AgentApprovalRequest.execution_id.in_([r[0] for r in rows]), AgentApprovalRequest.status == ApprovalStatus.PENDING)):
            pending[execution_id] = pending.get(execution_id, 0) + 1
    out: dict[str, list[ReviewSummaryOut]] = {}
    for run_id, status, started, object_id in rows:
        out.setdefault(str(object_id), []).append(ReviewSummaryOut(
            run_id=str(run_id), status=status, started_at=_iso(started), pending=pending.get(run_id, 0)))
    return out


def _object_out(obj: ImagingObject, study: ImagingStudy, reviews: dict[str, list[ReviewSummaryOut]]) -> ImagingObjectOut:
    return ImagingObjectOut(
        object_id=str(obj.id), study_id=str(obj.study_id), series_id=str(obj.series_id) if obj.series_id else None,
        object_type=obj.object_type, modality=study.modality, width=obj.width, height=obj.height, sha256=obj.hash,
        created_at=_iso(obj.created_at), display_url=f"/api/v1/imaging/objects/{obj.id}/display",
        thumbnail_url=f"/api/v1/imaging/objects/{obj.id}/thumbnail", reviews=reviews.get(str(obj.id), []))


def studies(tenant_id: uuid.UUID, patient_id: uuid.UUID) -> list[ImagingStudyOut]:
    """A patient's studies, newest first, each with its images and their review runs."""
    with get_database().tenant_session(tenant_id) as s:
        if s.get(Patient, patient_id) is None:
            raise NotFound(f"patient {patient_id} not found in this clinic")
        reviews = _reviews(s, patient_id)
        rows = s.execute(select(ImagingStudy, ImagingObject).join(ImagingObject, ImagingObject.study_id == ImagingStudy.id)
                         .where(ImagingStudy.patient_id == patient_id)
                         .order_by(ImagingStudy.created_at.desc(), ImagingObject.created_at.desc())).all()
        out: dict[uuid.UUID, ImagingStudyOut] = {}
        for study, obj in rows:
            if study.id not in out:
                out[study.id] = ImagingStudyOut(study_id=str(study.id), modality=study.modality,
                                                acquired_at=_iso(study.acquisition_datetime),
                                                created_at=_iso(study.created_at), objects=[])
            out[study.id].objects.append(_object_out(obj, study, reviews))
        return list(out.values())


def image_object(tenant_id: uuid.UUID, object_id: uuid.UUID) -> ImagingObjectOut:
    with get_database().tenant_session(tenant_id) as s:
        obj = s.get(ImagingObject, object_id)
        study = s.get(ImagingStudy, obj.study_id) if obj else None
        if obj is None or study is None:
            raise NotFound(f"imaging object {object_id} not found in this clinic")
        return _object_out(obj, study, _reviews(s, study.patient_id))


def _rendering_ref(tenant_id: uuid.UUID, object_id: uuid.UUID, kind: str) -> str:
    """The key of a rendering of one of the clinic's images (the tenant check: another clinic's is 404)."""
    if kind not in RENDERINGS:
        raise NotFound(f"no {kind} rendering")
    with get_database().tenant_session(tenant_id) as s:
        obj = s.get(ImagingObject, object_id)
        if obj is None:
            raise NotFound(f"imaging object {object_id} not found in this clinic")
        pipeline = obj.processing_pipeline or {}
        ref = (pipeline.get(kind) or {}).get("uri")
    if pipeline.get("erased"):
        raise DomainError("erased", f"imaging object {object_id} was erased with its patient's data", 410)
    if not ref:
        raise _missing(object_id, kind)
    return str(ref)


def _missing(object_id: uuid.UUID, kind: str) -> DomainError:
    return DomainError("rendering_missing", f"the stored {kind} rendering of imaging object {object_id} is missing", 409)


def rendering(tenant_id: uuid.UUID, object_id: uuid.UUID, kind: str) -> Iterator[bytes]:
    """The stored PNG rendering (``display`` or ``thumbnail``) of one of the clinic's images, in
    chunks from the object store (never held whole in memory)."""
    try:
        return blobs.stream(tenant_id, _rendering_ref(tenant_id, object_id, kind))
    except BlobMissing:
        raise _missing(object_id, kind) from None


def rendering_url(tenant_id: uuid.UUID, object_id: uuid.UUID, kind: str) -> dict[str, Any]:
    """A short-lived URL of a rendering, made only after the clinic's check: presigned by the
    object store, or (a folder store) this API's own streaming route."""
    try:
        url = blobs.presign(tenant_id, _rendering_ref(tenant_id, object_id, kind))
    except BlobMissing:
        raise _missing(object_id, kind) from None
    if url is None:
        return {"url": f"/api/v1/imaging/objects/{object_id}/{kind}", "expires_in_s": None}
    return {"url": url, "expires_in_s": get_settings().presign_ttl_s}


def review(engine: Engine, tenant_id: uuid.UUID, run_id: uuid.UUID) -> ImagingReviewOut:
    """One imaging-review run: its image and every finding with its approval's state."""

    with get_database().tenant_session(tenant_id) as s:
        row = s.execute(select(AgentExecution, AgentWorkflow.name)
                        .join(AgentWorkflow, AgentWorkflow.id == AgentExecution.workflow_id)
                        .where(AgentExecution.id == run_id)).first()
        if row is None or row[1] != WORKFLOW:
            raise NotFound(f"imaging review {run_id} not found in this clinic")
        run = row[0]
        state = dict(run.state_snapshot or {})
        job_id = uuid.UUID(state["job_id"]) if state.get("job_id") else None
        object_id = uuid.UUID(state["imaging_object_id"])
        obj = s.get(ImagingObject, object_id)
        model = None
        if job_id is not None:
            found = s.execute(select(AIModel.name, AIModelVersion.version_tag)
                              .join(AIModelVersion, AIModelVersion.model_id == AIModel.id)
                              .join(AIInferenceJob, AIInferenceJob.model_version_id == AIModelVersion.id)
                              .where(AIInferenceJob.id == job_id)).first()
            model = f"{found[0]} {found[1]}" if found else None
        status, started, patient_id = run.status, run.started_at, run.patient_id
    view = review_view(engine, tenant_id, run_id, job_id)
    ids = [uuid.UUID(f["approval_id"]) for f in view["findings"] if f.get("approval_id")]
    decided: dict[str, AgentApprovalRequest] = {}
    if ids:
        with get_database().tenant_session(tenant_id) as s:
            decided = {str(r.id): r for r in s.scalars(select(AgentApprovalRequest).where(AgentApprovalRequest.id.in_(ids)))}
    findings = []
    for f in view["findings"]:
        req = decided.get(f.get("approval_id") or "")
        details = req.action_details if req is not None else {}
        findings.append(ImagingFindingOut.model_validate({
            **f, "approval_status": req.status if req is not None else None,
            "edited": bool(details.get("edited")), "review_comment": req.review_comment if req is not None else None,
            "missing": details.get("missing", f.get("missing", [])) if req is not None else f.get("missing", [])}))
    return ImagingReviewOut(run_id=str(run_id), job_id=view["job_id"], status=status, patient_id=str(patient_id),
                            object_id=str(object_id), width=obj.width if obj else None, height=obj.height if obj else None,
                            model=model, started_at=_iso(started), findings=findings, approval_ids=view["approval_ids"])


def _preflight(tenant_id: uuid.UUID, patient_id: uuid.UUID, data: bytes, findings: bytes | None) -> None:
    """Refuse what ``start_review`` would refuse, before the image is filed."""
    with get_database().tenant_session(tenant_id) as s:
        if s.get(Patient, patient_id) is None:
            raise NotFound(f"patient {patient_id} not found in this clinic")
        active, shadows = registry.deployed(s, tenant_id)
        runner = registry.spec_of(get_row(s, AIModelVersion, active)).get("runner") if active else None
    if findings is not None:
        doc = parse_vendor_findings(findings)
        if str(doc["image_sha256"]).lower() != sha256(data):
            raise ImagingError("findings_other_image", "the findings file was made for another image "
                               "(its image_sha256 is not this image's)")
    elif runner == "vendor-json":
        raise ImagingError("findings_required", "this clinic's deployed model imports vendor findings: "
                           "give the vendor's findings file with the radiograph")
    elif active is None and not shadows:
        raise ImagingError("no_model", "no image model is deployed for this clinic: deploy one, or give the "
                           "vendor's findings file with the radiograph")


def upload_and_review(engine: Engine, actor: Actor, patient_id: uuid.UUID, data: bytes, filename: str, *,
                      findings: bytes | None = None, api_client_id: uuid.UUID | None = None) -> ImagingUploadOut:
    """Ingest one radiograph and run imaging review up to the reviewer (as ``imaging ingest`` then
    ``imaging review`` do); the run executes in the worker queue like every run."""
    try:
        _preflight(actor.tenant_id, patient_id, data, findings)
        filed = ingest(engine.db, actor, patient_id, data, filename=filename)
        started = start_review(engine, actor, uuid.UUID(filed["object_id"]), findings=findings,
                               api_client_id=api_client_id)
    except ImagingError as exc:
        raise _http(exc) from None
    out = review(engine, actor.tenant_id, uuid.UUID(started["run_id"]))
    return ImagingUploadOut.model_validate({**out.model_dump(), "study_id": filed["study_id"],
                                            "series_id": filed["series_id"], "sha256": filed["sha256"],
                                            "created": filed["created"], **({"error": started["error"]} if started.get("error") else {})})


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
                                      user_id=actor.user_id, role=DeploymentStatus.ACTIVE, findings_uri=findings_uri) if active else None
        shadow_ids = [inference.create_job(s, tenant_id=actor.tenant_id, version_id=v, object_id=object_id,
                                           user_id=actor.user_id, role=DeploymentStatus.SHADOW) for v in shadows if v != active]
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
    return blobs.put(tenant_id, "findings", data, "json")


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
