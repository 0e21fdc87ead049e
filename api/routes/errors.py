"""One error shape for the whole API: ``{"error": message, "code": code}`` with a fitting 4xx.

Service exceptions carry a message for a person; their status follows what the message says
(not found, not allowed, already decided...). Anything unexpected is logged with its
traceback and answered 500 without detail.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core_schema.directory import NotFound
from core_schema.errors import DomainError

log = logging.getLogger("dentalagent.api")

_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
          409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid_input", 429: "too_many_requests"}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None,
                   **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, "code": code, **extra}, status_code=status, headers=headers)


def classify(message: str) -> tuple[int, str]:
    """The status and code a service's refusal deserves, from what it says."""
    m = message.lower()
    if "not found" in m or "not registered for this clinic" in m:
        return 404, "not_found"
    if "may not" in m or "only the user" in m or "not granted" in m:
        return 403, "forbidden"
    if "already" in m or "expired" in m or "closed at" in m:
        return 409, "conflict"
    return 422, "invalid_input"


def refusal(message: str) -> DomainError:
    """A service's refusal message as a ``DomainError`` of the fitting status."""
    status, code = classify(message)
    return DomainError(code, message, status)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    retry = getattr(exc, "retry_after", None)
    return error_response(exc.status, exc.code, exc.message, {"Retry-After": str(retry)} if retry is not None else None)


async def _service(request: Request, exc: Exception) -> JSONResponse:
    message = _first_line(exc)
    status, code = classify(message)
    return error_response(status, code, message)


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    return error_response(404, "not_found", _first_line(exc))


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    return error_response(422, "invalid_request", f"{where}: {first.get('msg', 'invalid request')}" if where
                          else str(first.get("msg", "invalid request")))


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return error_response(exc.status_code, _CODES.get(exc.status_code, "error"), str(exc.detail), exc.headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal", "internal error")


def install(app: FastAPI) -> None:
    """Register the handlers: our errors, the services', FastAPI's own, and the last resort."""
    from agents.asr.errors import AudioError
    from workflows.approvals import ApprovalError
    from workflows.undo import UndoError

    app.add_exception_handler(DomainError, _domain)
    for exc_type in (ApprovalError, UndoError, AudioError, ValueError):
        app.add_exception_handler(exc_type, _service)  # VoiceInputError and input guards are ValueErrors
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
