"""Radiographs and their AI-assisted review (imaging-contract.md): thin over ``imaging``.

Decisions on findings use the approvals routes: approve; reject with the reason code as the
comment (``CODE`` or ``CODE: text``); edit with ``set`` (tooth, label, surfaces).
"""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth.deps import current_principal
from api.auth.principal import Principal
from api.schemas import ErrorOut
from core_schema.errors import DomainError
from imaging import service
from imaging.config import imaging_settings
from imaging.schemas import ImagingObjectOut, ImagingReviewOut, ImagingStudyOut, ImagingUploadOut, RenderingUrlOut
from runtime.process import get_engine

router = APIRouter(tags=["imaging"], responses={404: {"model": ErrorOut}})

MAX_FINDINGS_BYTES = 4 * 1024 * 1024
_UPLOAD = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file", "patient_id"],
    "properties": {"file": {"type": "string", "format": "binary", "description": "DICOM, PNG, JPEG or TIFF"},
                   "patient_id": {"type": "string", "format": "uuid"},
                   "findings": {"type": "string", "format": "binary",
                                "description": "Optional vendor findings JSON (imaging-contract.md) for this image"}}}}}}}
_PNG: dict[int | str, dict[str, Any]] = {200: {"content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}, "description": "PNG"},
        409: {"model": ErrorOut}, 410: {"model": ErrorOut}}


def _uuid(value: object, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise DomainError("invalid_request", f"{what} must be a UUID, got {str(value)[:60]!r}", 422) from None


async def _read(upload: object, limit: int, what: str) -> bytes:
    if not isinstance(upload, UploadFile):
        raise DomainError("invalid_request", f"the multipart body needs a {what} file", 422)
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise DomainError("too_large", f"the {what} file is over the limit of {limit} bytes", 413)
    return data


@router.get("/patients/{patient_id}/imaging", response_model=list[ImagingStudyOut])
def studies(patient_id: uuid.UUID, p: Principal = Depends(current_principal)) -> list[ImagingStudyOut]:
    """The patient's radiographs (studies, newest first) with their review runs."""
    p.require("chart:read")
    return service.studies(p.tenant_id, patient_id)


@router.get("/imaging/objects/{object_id}", response_model=ImagingObjectOut)
def image_object(object_id: uuid.UUID, p: Principal = Depends(current_principal)) -> ImagingObjectOut:
    """One radiograph: size, hash, renderings and review runs."""
    p.require("chart:read")
    return service.image_object(p.tenant_id, object_id)


def _png(p: Principal, object_id: uuid.UUID, kind: str) -> StreamingResponse:
    p.require("chart:read")
    chunks = service.rendering(p.tenant_id, object_id, kind)  # the clinic's check, then a stream from the store
    return StreamingResponse(chunks, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


@router.get("/imaging/objects/{object_id}/display", response_class=StreamingResponse, responses=_PNG)
def display(object_id: uuid.UUID, p: Principal = Depends(current_principal)) -> StreamingResponse:
    """The display rendering as PNG (8-bit, windowed for DICOM; the boxes are in the original's pixels)."""
    return _png(p, object_id, "display")


@router.get("/imaging/objects/{object_id}/thumbnail", response_class=StreamingResponse, responses=_PNG)
def thumbnail(object_id: uuid.UUID, p: Principal = Depends(current_principal)) -> StreamingResponse:
    """The thumbnail as PNG."""
    return _png(p, object_id, "thumbnail")


_URL: dict[int | str, dict[str, Any]] = {409: {"model": ErrorOut}, 410: {"model": ErrorOut}}


def _url(p: Principal, object_id: uuid.UUID, kind: str) -> RenderingUrlOut:
    p.require("chart:read")
    return RenderingUrlOut(**service.rendering_url(p.tenant_id, object_id, kind))


@router.get("/imaging/objects/{object_id}/display/url", response_model=RenderingUrlOut, responses=_URL)
def display_url(object_id: uuid.UUID, p: Principal = Depends(current_principal)) -> RenderingUrlOut:
    """A short-lived URL of the display rendering: presigned by the object store when it is S3 (made
    only after the clinic's check), else this API's own streaming route."""
    return _url(p, object_id, "display")


@router.get("/imaging/objects/{object_id}/thumbnail/url", response_model=RenderingUrlOut, responses=_URL)
def thumbnail_url(object_id: uuid.UUID, p: Principal = Depends(current_principal)) -> RenderingUrlOut:
    """A short-lived URL of the thumbnail (as ``display/url``)."""
    return _url(p, object_id, "thumbnail")


@router.get("/imaging/runs/{run_id}", response_model=ImagingReviewOut)
def review(run_id: uuid.UUID, p: Principal = Depends(current_principal)) -> ImagingReviewOut:
    """An imaging review: every finding (box in image pixels, tooth, status) and its approval's state."""
    p.require("chart:read")
    return service.review(get_engine(), p.tenant_id, run_id)


@router.post("/imaging/reviews", response_model=ImagingUploadOut, openapi_extra=_UPLOAD,
             responses={409: {"model": ErrorOut}, 413: {"model": ErrorOut}, 415: {"model": ErrorOut}})
async def upload_and_review(request: Request, p: Principal = Depends(current_principal)) -> ImagingUploadOut:
    """Ingest a radiograph and run imaging review up to the reviewer (``imaging ingest`` + ``imaging review``)."""
    p.require("imaging:review")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        raise DomainError("unsupported_media_type", "send the radiograph as multipart/form-data", 415)
    try:
        form = await request.form(max_files=2, max_fields=10)
    except StarletteHTTPException as exc:
        raise DomainError("invalid_request", f"the multipart body cannot be read: {exc.detail}", 422) from None
    patient_id = _uuid(form.get("patient_id"), "patient_id")
    upload = form.get("file")
    data = await _read(upload, imaging_settings().max_image_bytes, "radiograph")
    findings = None
    part = form.get("findings")
    if part not in (None, "") and not (isinstance(part, UploadFile) and not part.filename and not part.size):
        findings = await _read(part, MAX_FINDINGS_BYTES, "findings")  # an empty file input sends no file
    filename = PurePath(upload.filename or "upload").name if isinstance(upload, UploadFile) else "upload"
    return await run_in_threadpool(lambda: service.upload_and_review(
        get_engine(),
        p.actor, patient_id, data, filename, findings=findings, api_client_id=p.api_client_id))
