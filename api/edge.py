"""The HTTP edge: what every request meets before a route sees it (pure ASGI middleware).

- Request bodies are capped *before* they are read: a ``Content-Length`` over the route's cap
  is answered 413 at once, and a body without one (chunked) is counted as it streams and
  stopped at the cap, so memory does not grow with what a client sends. The caps are one
  table, ``BODY_LIMITS``, over the settings.
- Every response carries ``nosniff``, ``Referrer-Policy`` and ``X-Frame-Options``; HTML pages
  (the web app) also a Content-Security-Policy that allows only this origin's scripts,
  styles and connections (``fetch``, server-sent events, the dictation WebSocket).
- ``server_options``: how ``serve`` runs uvicorn. Proxy headers (``X-Forwarded-For``,
  ``X-Forwarded-Proto``) are believed only from ``DENTALAGENT_TRUSTED_PROXIES``; with none set
  they are ignored, so a caller cannot pick the address the sign-in throttle counts against.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core_schema.settings import Settings, get_settings

MULTIPART_SLACK = 64 * 1024  # boundaries, part headers and the small form fields beside an upload


def _audio_upload() -> int:
    return get_settings().max_audio_bytes + MULTIPART_SLACK


def _image_upload() -> int:
    from api.routes.imaging import MAX_FINDINGS_BYTES
    from imaging.config import imaging_settings

    return imaging_settings().max_image_bytes + MAX_FINDINGS_BYTES + MULTIPART_SLACK


# Route class -> cap in bytes. A route that takes an upload takes it as multipart; every other
# body (JSON, urlencoded forms, a JSON dictation) gets ``max_body_bytes``.
BODY_LIMITS: dict[str, Callable[[], int]] = {
    "/api/v1/dictations": _audio_upload,  # an audio file (max_audio_bytes)
    "/api/v1/imaging/reviews": _image_upload,  # a radiograph (max_image_bytes) and its findings JSON
}


def body_limit(path: str, content_type: str) -> int:
    """The cap on the body of a request to ``path`` with this ``Content-Type``."""
    upload = BODY_LIMITS.get(path.rstrip("/") or "/")
    if upload is not None and content_type.split(";")[0].strip().lower() == "multipart/form-data":
        return upload()
    return get_settings().max_body_bytes


class _TooLarge(Exception):
    """Raised into the app from ``receive`` when the streamed body passes the cap."""


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"error": f"the request body is over the limit of {limit} bytes for this route",
                       "code": "too_large"}).encode()
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})  # the rest of the body is not wanted: the server hangs up
    await send({"type": "http.response.body", "body": body})


class _HttpMiddleware:
    """A pure ASGI middleware that acts on HTTP requests only (WebSocket and lifespan pass by)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class BodyLimitMiddleware(_HttpMiddleware):
    """413 for a body over its route's cap: by ``Content-Length`` before reading, else while streaming."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = body_limit(scope.get("path", ""), _header(scope, b"content-type") or "")
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                length = int(declared.strip())
            except ValueError:
                length = -1
            if length > limit:
                await _too_large(send, limit)
                return
        received = 0
        exceeded = False
        started = False

        async def counted() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise _TooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # whatever the app made of the cut-off body, the answer is 413
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not exceeded or started:
                raise
        if exceeded and not started:
            await _too_large(send, limit)


_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")
_DOCS = ("/docs", "/redoc")  # FastAPI's interactive docs load their own inline script and CDN assets

COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


def content_security_policy(host: str | None) -> str:
    """The web app's policy: this origin only, no inline script or style, no framing.

    ``connect-src 'self'`` covers ``fetch`` and server-sent events; the dictation WebSocket's
    ``ws:``/``wss:`` URL of the same host is named as well (older engines do not count it as
    'self'). A Host header that is not a plain host[:port] is left out rather than echoed.
    """
    connect = "'self'"
    if host and _HOST.match(host):
        connect += f" ws://{host} wss://{host}"
    return "; ".join((
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:",
        "media-src 'self' blob:", "font-src 'self'", f"connect-src {connect}", "object-src 'none'",
        "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
    ))


class SecurityHeadersMiddleware(_HttpMiddleware):
    """Add the companions of every response, and the CSP to HTML (headers the app set itself win)."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {k.lower() for k, _ in headers}
                extra = [(k, v) for k, v in COMMON_HEADERS if k not in present]
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if (content_type.lower().startswith(b"text/html") and b"content-security-policy" not in present
                        and not path.startswith(_DOCS)):
                    extra.append((b"content-security-policy",
                                  content_security_policy(_header(scope, b"host")).encode("latin-1")))
                if extra:
                    message = {**message, "headers": headers + extra}
            await send(message)

        await self.app(scope, receive, with_headers)


PROTOCOL_PREFIX = "/langgraph"  # where the LangGraph agent protocol is served (api/routes/agent_protocol.py)


class ProtocolCorsMiddleware(_HttpMiddleware):
    """CORS for the agent protocol (``/langgraph``) alone, for the origins configured in
    ``DENTALAGENT_AGENT_PROTOCOL_ORIGINS`` (Agent Inbox or Agent Chat UI served elsewhere). Without
    credentials: a browser sends no cookie across origins, so the caller must send its token
    (``x-api-key`` or a bearer header) and no cookie-borne request can be forged from those origins."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        origins = get_settings().agent_protocol_origin_list
        if not origins or not scope.get("path", "").startswith(PROTOCOL_PREFIX):
            await self.app(scope, receive, send)
            return
        cors = CORSMiddleware(self.app, allow_origins=origins, allow_methods=["*"], allow_credentials=False,
                              allow_headers=["authorization", "content-type", "x-api-key", "last-event-id"],
                              expose_headers=["content-location", "location"])
        await cors(scope, receive, send)


def server_options(settings: Settings | None = None) -> dict[str, Any]:
    """uvicorn's proxy settings for ``serve``: proxy headers only from the configured proxies."""
    proxies = (settings or get_settings()).trusted_proxy_list
    if not proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": ",".join(proxies)}


def install(app: Any) -> None:
    """Put the edge around ``app`` (the body cap innermost of the two, so its 413 gets the headers too)."""
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(ProtocolCorsMiddleware)  # a preflight is answered before any body is read
    app.add_middleware(SecurityHeadersMiddleware)
