"""The model registry: models, versions (runner, artifact, classes, metrics, validation) and
per-clinic deployments (``ACTIVE``: its findings are proposed; ``SHADOW``: run and recorded only).

Models and versions are global reference rows (read-only to clinics under row-level security),
written by the owner session; a deployment belongs to one clinic. One ACTIVE version per clinic:
deploying another retires the previous one (``RETIRED``).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core_schema.db import Database
from core_schema.directory import Actor
from core_schema.models import AIModel, AIModelDeployment, AIModelVersion
from core_schema.statuses import DeploymentStatus
from imaging.errors import ImagingError
from imaging.labels import LABELS

RUNNERS = ("onnx", "vendor-json", "openai-vision")
INPUT_TYPES = ["DICOM", "PNG", "JPEG", "TIFF"]


def register(db: Database, *, name: str, version: str, runner: str, artifact: str, classes: list[str],
             thresholds: dict[str, float] | None = None, metrics: dict[str, Any] | None = None,
             validated_on: str | None = None, validation_summary_uri: str | None = None, domain: str = "PATHOLOGY",
             vendor: str = "INTERNAL", regulatory_class: str = "EXPERIMENTAL",
             options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Register a version (and its model family when new); refuses a (name, version) twice."""
    name, version = name.strip(), version.strip()
    if not name or not version:
        raise ImagingError("model_invalid", "a model needs a name and a version")
    if runner not in RUNNERS:
        raise ImagingError("model_invalid", f"unknown runner {runner!r} (known: {', '.join(RUNNERS)})")
    classes = [c.strip() for c in classes if c.strip()]
    if not classes:
        raise ImagingError("model_invalid", "a model version must name its classes (--classes)")
    bad = [c for c in classes if c not in LABELS and not (c.startswith("tooth_") or c in ("tooth", "background"))]
    if bad:
        raise ImagingError("model_invalid", f"unknown classes {', '.join(bad)} (contract labels: {', '.join(LABELS)}; "
                           "tooth_<FDI> for enumerated teeth)")
    output: dict[str, Any] = {"runner": runner, "classes": classes, "thresholds": thresholds or {}, **(options or {})}
    uri = artifact
    if runner == "onnx":
        path = Path(artifact).expanduser().resolve()
        if not path.is_file():
            raise ImagingError("model_artifact_missing", f"model file {artifact} not found")
        output["artifact_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
        uri = path.as_uri()
        _check_loadable(path, output)
    if runner == "openai-vision":
        uri = artifact if artifact.startswith("openai-vision://") else f"openai-vision://{artifact}"
    when = datetime.fromisoformat(validated_on).replace(tzinfo=timezone.utc) if validated_on else None
    with db.system_session() as s:
        model = s.scalar(select(AIModel).where(AIModel.name == name).limit(1))
        if model is None:
            model = AIModel(id=uuid.uuid4(), name=name, domain=domain, vendor=vendor, regulatory_class=regulatory_class)
            s.add(model)
            s.flush()
        if s.scalar(select(AIModelVersion.id).where(AIModelVersion.model_id == model.id,
                                                    AIModelVersion.version_tag == version)) is not None:
            raise ImagingError("model_exists", f"model {name} version {version} is already registered", 409)
        row = AIModelVersion(id=uuid.uuid4(), model_id=model.id, version_tag=version, artifact_uri=uri,
                             input_types=INPUT_TYPES, output_types=output, performance_metrics=metrics,
                             validated_on=when, validation_summary_uri=validation_summary_uri)
        s.add(row)
        s.flush()
        return _version(model, row, None)


def _check_loadable(path: Path, output: dict[str, Any]) -> None:
    from imaging.runners.onnx import OnnxDetector

    try:
        OnnxDetector(path, output)
    except ImagingError:
        raise
    except Exception as exc:
        raise ImagingError("model_invalid", f"ONNX Runtime cannot load {path.name}: {type(exc).__name__}") from None


def vendor_version(db: Database, name: str, version: str) -> uuid.UUID:
    """The version that imported findings of vendor model (name, version) are recorded under
    (registered on first import: the vendor's file is its artifact, the contract labels its classes)."""
    with db.system_session() as s:
        row = s.scalar(select(AIModelVersion.id).join(AIModel, AIModel.id == AIModelVersion.model_id)
                       .where(AIModel.name == name, AIModelVersion.version_tag == version))
        if row is not None:
            return row
    try:
        return uuid.UUID(register(db, name=name, version=version, runner="vendor-json", artifact=f"vendor:{name}/{version}",
                                  classes=list(LABELS) + ["tooth"], vendor=name, regulatory_class="FDA_510K")["version_id"])
    except ImagingError as exc:  # registered by a concurrent import
        if exc.code != "model_exists":
            raise
        return vendor_version(db, name, version)


def deploy(db: Database, actor: Actor, version_id: uuid.UUID, shadow: bool = False) -> dict[str, Any]:
    """Deploy a version to the actor's clinic: ACTIVE (retiring the previous ACTIVE one) or SHADOW."""
    if not actor.can("admin.manage") and not actor.can("approvals.decide.tier3"):
        raise ImagingError("forbidden", f"{actor.email} may not deploy models", 403)
    status = DeploymentStatus.SHADOW if shadow else DeploymentStatus.ACTIVE
    with db.tenant_session(actor.tenant_id) as s:
        version = s.get(AIModelVersion, version_id)
        if version is None:
            raise ImagingError("model_not_found", f"model version {version_id} not found", 404)
        if spec_of(version).get("runner") == "vendor-json":
            raise ImagingError("model_invalid", "vendor findings are imported per image (imaging review --findings); "
                               "they are not deployed")
        current = s.scalars(select(AIModelDeployment).where(
            AIModelDeployment.tenant_id == actor.tenant_id, AIModelDeployment.status.in_((DeploymentStatus.ACTIVE, DeploymentStatus.SHADOW)))).all()
        for dep in current:
            if dep.model_version_id == version_id or (status == DeploymentStatus.ACTIVE and dep.status == DeploymentStatus.ACTIVE):
                dep.status = DeploymentStatus.RETIRED
        row = AIModelDeployment(id=uuid.uuid4(), tenant_id=actor.tenant_id, model_version_id=version_id, status=status,
                                rollout_strategy="TENANT", created_by_id=actor.user_id)
        s.add(row)
        s.flush()
        return {"deployment_id": str(row.id), "version_id": str(version_id), "status": status,
                "tenant_id": str(actor.tenant_id)}


def deployed(s: Any, tenant_id: uuid.UUID) -> tuple[uuid.UUID | None, list[uuid.UUID]]:
    """(the ACTIVE version or None, the SHADOW versions) of a clinic."""
    rows = s.execute(select(AIModelDeployment.model_version_id, AIModelDeployment.status).where(
        AIModelDeployment.tenant_id == tenant_id, AIModelDeployment.status.in_((DeploymentStatus.ACTIVE, DeploymentStatus.SHADOW)))
        .order_by(AIModelDeployment.created_at)).all()
    active = [v for v, st in rows if st == DeploymentStatus.ACTIVE]
    return (active[-1] if active else None), [v for v, st in rows if st == DeploymentStatus.SHADOW]


def list_versions(db: Database, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every registered version, with this clinic's deployment status."""
    with db.tenant_session(tenant_id) as s:
        active, shadows = deployed(s, tenant_id)
        rows = s.execute(select(AIModel, AIModelVersion).join(AIModelVersion, AIModelVersion.model_id == AIModel.id)
                         .order_by(AIModel.name, AIModelVersion.created_at)).all()
        out = []
        for model, version in rows:
            status = DeploymentStatus.ACTIVE if version.id == active else DeploymentStatus.SHADOW if version.id in shadows else None
            out.append(_version(model, version, status))
        return out


def spec_of(v: AIModelVersion) -> dict[str, Any]:
    """A version's runner settings; a bare list of classes (rows written before imaging existed,
    e.g. the seeded vendor import) reads as a vendor-JSON importer of those classes."""
    out = v.output_types
    if isinstance(out, dict):
        return out
    runner = "vendor-json" if str(v.artifact_uri).startswith(("builtin://imaging/vendor", "vendor:")) else None
    return {"runner": runner, "classes": list(out or []), "thresholds": {}}


def _version(model: AIModel, v: AIModelVersion, deployment: str | None) -> dict[str, Any]:
    out = spec_of(v)
    return {"version_id": str(v.id), "model_id": str(model.id), "name": model.name, "version": v.version_tag,
            "runner": out.get("runner"), "artifact_uri": v.artifact_uri, "classes": out.get("classes", []),
            "thresholds": out.get("thresholds", {}), "performance_metrics": v.performance_metrics,
            "validated_on": v.validated_on.isoformat() if v.validated_on else None,
            "validation_summary_uri": v.validation_summary_uri, "regulatory_class": model.regulatory_class,
            "deployment": deployment}
