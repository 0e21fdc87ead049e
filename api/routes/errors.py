"""One error shape for the whole API: ``{"error": message, "code": code}`` with a fitting 4xx.

Every service refusal is a ``DomainError`` carrying its own code and status (not found, not
allowed, already decided...). Anything unexpected is logged with its traceback and answered
500 without detail.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import redis
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core_schema.errors import DomainError

log = logging.getLogger("dentalagent.api")

_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
          409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid_input", 429: "too_many_requests"}


def error_response(status: int, code: str, message: str, headers: Mapping[str, str] | None = None,
                   **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, "code": code, **extra}, status_code=status, headers=headers)


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    retry = getattr(exc, "retry_after", None)
    return error_response(exc.status, exc.code, exc.message, {"Retry-After": str(retry)} if retry is not None else None)


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


async def _redis_down(request: Request, exc: Exception) -> JSONResponse:
    """Redis unreachable: what needs it (sign-in, sessions, queues) answers 503, not 500."""
    log.warning("Redis unavailable on %s %s: %s", request.method, request.url.path, exc)
    if request.url.path.endswith(("/login", "/token")):
        message = "sign-in is unavailable: the session store (Redis) is down; try again shortly"
    else:
        message = "the session and queue store (Redis) is down: try again shortly"
    return error_response(503, "redis_unavailable", message, {"Retry-After": "5"})


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal", "internal error")


def install(app: FastAPI) -> None:
    """Register the handlers: the services' refusals, FastAPI's own errors, and the last resort."""
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(redis.ConnectionError, _redis_down)
    app.add_exception_handler(redis.TimeoutError, _redis_down)
    app.add_exception_handler(Exception, _unexpected)
