"""``GET /api/v1/events``: the caller's notification channel as server-sent events.

Each message published on ``notifications:channel:{tenant}:{user}`` (``approval_queue.notify``)
becomes ``event: <NAME>`` + ``data: <json>``, so the review inbox updates without reloading.
The subscription uses its own asyncio Redis connection (an SSE client waits for minutes: a
thread per client would exhaust the thread pool the sync routes run on) and is closed when
the client goes away. ``?once=1`` ends after the first event or ``ONCE_TIMEOUT_S`` (tests, fuzzing).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
import redis.asyncio as aioredis
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from api.auth.deps import current_principal
from api.auth.principal import Principal
from api.schemas import ErrorOut
from approvals.queue import channel
from core_schema.errors import DomainError
from core_schema.redis_store import get_redis
from core_schema.settings import get_settings

router = APIRouter(tags=["events"])
log = logging.getLogger("dentalagent.api.events")

KEEPALIVE_S = 15.0
ONCE_TIMEOUT_S = 10.0
POLL_S = 1.0  # how often a quiet stream checks that its client is still there
RETRY_MS = 3000  # the browser's EventSource reconnects after this when the stream ends


def _async_redis() -> Any:
    """A new asyncio client for the same server as ``get_redis()`` (TCP URL, or the embedded socket)."""
    settings = get_settings()
    if settings.redis_url:
        return aioredis.Redis.from_url(settings.redis_url, decode_responses=True,
                                       socket_connect_timeout=settings.connect_timeout_s)
    from core_schema.embedded import client_name

    # Named like the process's other connections: the embedded server outlives no process using it.
    return aioredis.Redis(unix_socket_path=get_redis().socket_file, decode_responses=True, client_name=client_name())


def sse(event: str, data: dict[str, Any]) -> str:
    """One server-sent event (the JSON is on one line, so one ``data:`` field suffices)."""
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _event(raw: str) -> tuple[str, dict[str, Any]] | None:
    """The event name and payload of a published message (``type`` is its name; ``event`` added)."""
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    name = str(data.get("event") or data.get("type") or "message")
    return name, {**data, "event": name}


async def _stream(request: Request, name: str, hello: dict[str, Any], once: bool) -> AsyncIterator[str]:
    client = _async_redis()
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    try:
        await pubsub.subscribe(name)
        yield f"retry: {RETRY_MS}\n" + sse("hello", hello)
        start = last_sent = time.monotonic()
        while True:
            message = await pubsub.get_message(timeout=POLL_S)
            if message is not None and message.get("type") == "message":
                parsed = _event(message["data"])
                if parsed is not None:
                    yield sse(*parsed)
                    last_sent = time.monotonic()
                    if once:
                        return
            now = time.monotonic()
            if once and now - start >= ONCE_TIMEOUT_S:
                return
            if await request.is_disconnected():
                return
            if now - last_sent >= KEEPALIVE_S:
                yield ": keepalive\n\n"
                last_sent = now
    except (aioredis.ConnectionError, aioredis.TimeoutError, OSError) as exc:
        # Redis went away (restart, embedded server stopped): end; the browser reconnects.
        log.warning("event stream ended: Redis unavailable (%s)", type(exc).__name__)
    finally:
        with anyio.CancelScope(shield=True):  # the client may be gone: clean up regardless
            try:
                await pubsub.aclose()
                await client.aclose()
            except Exception:  # closing a broken connection
                pass


# OpenAPI 3.1 describes each event of a text/event-stream, not the whole stream.
_EVENT_SCHEMA = {"type": "object", "required": ["data"], "properties": {
    "event": {"type": "string"}, "data": {"type": "string"}, "id": {"type": "string"}, "retry": {"type": "integer"}}}


@router.get("/events", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {"schema": _EVENT_SCHEMA}},
                             "description": "Server-sent events: hello, then NEW_APPROVAL, DECIDED, APPLIED, "
                                            "APPROVAL_TIMEOUT, APPLY_FAILED, APPROVAL_QUESTION, APPROVAL_ANSWER, "
                                            "SNOOZED, SNOOZE_ENDED"},
                       403: {"model": ErrorOut}})
async def events(request: Request, once: bool = Query(False, description="End after the first event or 10 s"),
                 p: Principal = Depends(current_principal)) -> StreamingResponse:
    """The caller's notifications, live (signed-in users; API clients have no channel)."""
    if p.kind != "user":
        raise DomainError("forbidden", "API clients have no notification channel: sign in as a user", 403)
    user_id = p.actor.user_id
    hello = {"user_id": str(user_id), "tenant_id": str(p.tenant_id)}
    return StreamingResponse(_stream(request, channel(p.tenant_id, user_id), hello, once),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
