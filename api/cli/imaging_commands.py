"""``imaging`` and ``models`` (imaging-contract.md, "Command line"): thin over ``imaging``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from api.cli.output import JSON, emit, fail
from core_schema.statuses import ExecutionStatus

imaging_app = typer.Typer(help="Radiographs: ingest and AI-assisted review.", no_args_is_help=True)
models_app = typer.Typer(help="Image models: registry and deployments.", no_args_is_help=True)


def _engine():
    from runtime.process import get_engine

    return get_engine()


def _actor(email: str | None):
    from core_schema import actors as identity

    return identity.actor(email)


def _id(value: str, what: str):
    import uuid

    from imaging.errors import ImagingError

    try:
        return uuid.UUID(value)
    except ValueError:
        raise ImagingError("invalid_input", f"{what} must be a UUID, got {value!r}") from None


def _read(path: str, as_json: bool) -> bytes:
    from imaging.config import imaging_settings

    p = Path(path)
    if not p.is_file():
        fail(f"no such file: {path}", as_json)
    limit = imaging_settings().max_image_bytes
    if p.stat().st_size > limit:
        fail(f"{p.name} is {p.stat().st_size} bytes; the limit is {limit} bytes", as_json)
    return p.read_bytes()


@imaging_app.command("ingest")
def ingest_command(
    files: list[str] = typer.Argument(..., help="DICOM, PNG, JPEG or TIFF files."),
    patient: str = typer.Option(..., "--patient", help="Patient id."),
    encounter: str = typer.Option(None, "--encounter", help="Visit id (optional)."),
    modality: str = typer.Option(None, "--modality", help="INTRAORAL or PANORAMIC for non-DICOM files."),
    as_email: str = typer.Option(None, "--as", help="Acting user (default DENTALAGENT_USER)."),
    as_json: bool = JSON,
) -> None:
    """Ingest radiographs: one object per file (the same file twice is the same object)."""
    from imaging.ingest import ingest

    who = _actor(as_email)
    patient_id = _id(patient, "patient id")
    encounter_id = _id(encounter, "encounter id") if encounter else None
    datas = [(f, _read(f, as_json)) for f in files]
    out = [ingest(_engine().db, who, patient_id, data, filename=f, encounter_id=encounter_id, modality=modality)
           for f, data in datas]
    emit(out[0] if len(out) == 1 else out, as_json)


@imaging_app.command("review")
def review_command(
    object_id: str = typer.Argument(..., help="Imaging object id (from imaging ingest)."),
    as_email: str = typer.Option(None, "--as", help="Acting clinician (default DENTALAGENT_USER)."),
    findings: str = typer.Option(None, "--findings", help="Import a vendor's findings JSON instead of running a model."),
    as_json: bool = JSON,
) -> None:
    """Run imaging review up to the reviewer: findings proposed per tooth, one approval each."""
    from imaging.service import start_review

    result = start_review(_engine(), _actor(as_email), _id(object_id, "object id"),
                          findings=_read(findings, as_json) if findings else None)
    emit(result, as_json)
    if result["status"] == ExecutionStatus.FAILED:
        raise typer.Exit(1)


@imaging_app.command("reject")
def reject_command(
    ids: list[str] = typer.Argument(..., help="Approval ids of findings."),
    reason: str = typer.Option(..., "--reason", help="Reason code: false_positive, wrong_tooth, wrong_label, "
                               "wrong_surfaces, already_treated, image_quality, not_clinically_relevant, other."),
    comment: str = typer.Option(None, "--comment"),
    as_email: str = typer.Option(..., "--as", help="Email of the reviewer."),
    as_json: bool = JSON,
) -> None:
    """Reject findings with a reason code (kept on the review event for training)."""
    from approvals import service as approvals_service
    from imaging.labels import REASON_CODES

    if reason not in REASON_CODES:
        fail(f"unknown reason {reason!r} (use {', '.join(REASON_CODES)})", as_json)
    text = f"{reason}: {comment}" if comment else reason
    report = approvals_service.decide(_engine(), [_id(i, "approval id") for i in ids], _actor(as_email), "reject", comment=text)
    emit(report.model_dump(mode="json"), as_json)


@imaging_app.command("show")
def show_command(object_id: str, as_email: str = typer.Option(None, "--as"), as_json: bool = JSON) -> None:
    """An ingested image: renderings and predictions."""
    from imaging.service import object_view

    emit(object_view(_engine(), _actor(as_email).tenant_id, _id(object_id, "object id")), as_json)


@imaging_app.command("monitor")
def monitor_command(as_email: str = typer.Option(None, "--as"), as_json: bool = JSON) -> None:
    """Acceptance / edit / rejection rates per model version and label, from review events."""
    from imaging.monitoring import review_rates

    emit(review_rates(_engine().db, _actor(as_email).tenant_id), as_json)


@models_app.command("list")
def models_list(as_email: str = typer.Option(None, "--as"), as_json: bool = JSON) -> None:
    """Registered model versions and this clinic's deployments."""
    from imaging.registry import list_versions

    emit(list_versions(_engine().db, _actor(as_email).tenant_id), as_json)


@models_app.command("register")
def models_register(
    name: str = typer.Option(..., "--name"), version: str = typer.Option(..., "--version"),
    runner: str = typer.Option(..., "--runner", help="onnx | vendor-json"),
    artifact: str = typer.Option(..., "--artifact", help="Model file (onnx) or vendor reference."),
    classes: str = typer.Option(..., "--classes", help="Comma-separated class map in output order."),
    thresholds: str = typer.Option(None, "--thresholds", help='JSON {"label": confidence} to propose a finding.'),
    metrics: str = typer.Option(None, "--metrics", help="JSON of measured performance metrics."),
    validated_on: str = typer.Option(None, "--validated-on", help="ISO date of the validation."),
    validation_summary: str = typer.Option(None, "--validation-summary", help="URI of the validation report."),
    options: str = typer.Option(None, "--options", help='JSON runner options, e.g. {"format": "end2end"}.'),
    as_json: bool = JSON,
) -> None:
    """Register a model version (its runner, artifact, classes, metrics and validation)."""
    from imaging.registry import register

    def _json(value: str | None, what: str):
        if value is None:
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            fail(f"{what} must be JSON", as_json)

    emit(register(_engine().db, name=name, version=version, runner=runner, artifact=artifact,
                  classes=classes.split(","), thresholds=_json(thresholds, "--thresholds"),
                  metrics=_json(metrics, "--metrics"), validated_on=validated_on,
                  validation_summary_uri=validation_summary, options=_json(options, "--options")), as_json)


@models_app.command("deploy")
def models_deploy(version_id: str, shadow: bool = typer.Option(False, "--shadow", help="Run and record only."),
                  as_email: str = typer.Option(None, "--as"), as_json: bool = JSON) -> None:
    """Deploy a version to the clinic: ACTIVE (proposes findings) or --shadow (records only)."""
    from imaging.registry import deploy

    emit(deploy(_engine().db, _actor(as_email), _id(version_id, "version id"), shadow=shadow), as_json)


def eval_command(
    report: Path = typer.Option(Path("reports"), "--report", help="Folder for imaging_eval.json and .md."),
    images: int = typer.Option(20, "--images", min=1, max=500, help="How many phantom images."),
    seed: int = typer.Option(0, "--seed", min=0, help="Phantom set seed (reproducible)."),
    version: str = typer.Option(None, "--model-version", help="Version id to evaluate (default: the phantom detector)."),
    as_email: str = typer.Option(None, "--as", help="Acting clinician (default DENTALAGENT_USER)."),
) -> None:
    """Imaging eval on a phantom set: per-label precision/recall, tooth accuracy, latency per image."""
    from imaging.eval import run, write_report

    result = run(_engine(), _actor(as_email), images=images, seed=seed,
                 version_id=_id(version, "version id") if version else None)
    json_path, md_path = write_report(result, report)
    typer.echo(md_path.read_text().rstrip())
    typer.echo(f"\nreport: {json_path} and {md_path}")


imaging_app.command("eval")(eval_command)
