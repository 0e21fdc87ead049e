"""``POST /api/v1/dictations``: text as JSON, or an audio ``file`` as multipart (``dictate``)."""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth.deps import current_principal
from api.auth.principal import Principal
from api.schemas import DictationIn, DictationOut, ErrorOut
from core_schema.errors import DomainError
from core_schema.settings import get_settings
from runtime.process import get_engine
from voice import service

router = APIRouter(tags=["dictations"])

_MULTIPART_SCHEMA = {
    "type": "object", "required": ["file", "patient_id"],
    "properties": {"file": {"type": "string", "format": "binary", "description": "WAV, FLAC, OGG/Opus, MP3 or WebM"},
                   "patient_id": {"type": "string", "format": "uuid"},
                   "session_id": {"type": "string", "format": "uuid"}},
}
_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": DictationIn.model_json_schema()},
    "multipart/form-data": {"schema": _MULTIPART_SCHEMA},
}}}


def _uuid(value: object, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise DomainError("invalid_request", f"{what} must be a UUID, got {str(value)[:60]!r}", 422) from None


async def _audio(request: Request) -> dict[str, Any]:
    """Patient, session and audio bytes of a multipart upload, refused past the size limit."""
    limit = get_settings().max_audio_bytes
    try:
        form = await request.form(max_files=1, max_fields=10)
    except StarletteHTTPException as exc:  # a body that is not multipart after all
        raise DomainError("invalid_request", f"the multipart body cannot be read: {exc.detail}", 422) from None
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise DomainError("invalid_request", "the multipart body needs an audio 'file'", 422)
    audio = await upload.read(limit + 1)
    if len(audio) > limit:
        raise DomainError("too_large", f"the audio file is over the limit of {limit} bytes", 413)
    session = form.get("session_id")
    return {"patient_id": _uuid(form.get("patient_id"), "patient_id"), "text": None, "audio": audio,
            "audio_format": PurePath(upload.filename or "").suffix.lstrip(".").lower() or "wav",
            "session_id": _uuid(session, "session_id") if session else None}


async def _text(request: Request) -> dict[str, Any]:
    try:
        body = DictationIn.model_validate_json(await request.body())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DomainError("invalid_request", f"{where}: {first['msg']}" if where else first["msg"], 422) from None
    return {"patient_id": body.patient_id, "text": body.text, "audio": None, "audio_format": "wav",
            "session_id": body.session_id}


@router.post("/dictations", response_model=DictationOut, openapi_extra=_BODY,
             responses={404: {"model": ErrorOut}, 413: {"model": ErrorOut}, 422: {"model": ErrorOut}})
async def dictate(request: Request, p: Principal = Depends(current_principal)) -> DictationOut:
    """Run voice-to-chart up to the approval queue; the answer is ``dictate --json``'s object."""
    p.require("voice:dictate")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        args = await _audio(request)
    elif content_type in ("application/json", ""):
        args = await _text(request)
    else:
        raise DomainError("unsupported_media_type", "send JSON text or a multipart audio file", 415)
    patient_id = args.pop("patient_id")
    return await run_in_threadpool(lambda: service.dictate(get_engine(), p.actor, patient_id, api_client_id=p.api_client_id, **args))
