"""Sign-in sessions in Redis (``auth:session:{id}``): what the cookie and the token point to.

Deleting the session signs out the cookie and every token issued with it at once.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from core_schema.redis_store import get_redis, key


def create(data: dict[str, Any], ttl_s: int) -> tuple[str, str]:
    """A new session holding ``data``; returns its id and its CSRF token."""
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    get_redis().set(key("auth", "session", session_id), json.dumps({**data, "csrf": csrf}), ex=ttl_s)
    return session_id, csrf


def get(session_id: str) -> dict[str, Any] | None:
    """The session's data, or None when it ended (signed out or expired)."""
    raw = get_redis().get(key("auth", "session", session_id))
    return json.loads(raw) if raw else None


def delete(session_id: str) -> None:
    get_redis().delete(key("auth", "session", session_id))
