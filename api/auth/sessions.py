"""Sign-in sessions: what the cookie and the token point to.

Redis (``auth:session:{id}``) answers each request; PostgreSQL's ``sessions`` table keeps the
record (user, tenant, hash of the token, expiry, ``revoked_at``), so Redis stays a cache:
after a flush or a restart a live session is restored from PostgreSQL, and while Redis is
down sessions are read from PostgreSQL alone. The row's id is derived from the session id
(never the id itself, so the database holds nothing a cookie could be forged from); the
CSRF token is kept as its SHA-256 only.

Deleting the session signs out the cookie and every token issued with it at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import redis
from sqlalchemy import select, update

from core_schema.db import get_database
from core_schema.models import AuthSession, User
from core_schema.redis_store import get_redis, key

log = logging.getLogger(__name__)


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def row_id(session_id: str) -> uuid.UUID:
    """The ``sessions`` row of a session id."""
    return uuid.UUID(bytes=hashlib.sha256(b"session:" + session_id.encode()).digest()[:16])


def create(data: dict[str, Any], ttl_s: int) -> tuple[str, str]:
    """A new session holding ``data`` in Redis; returns its id and its CSRF token (``record`` it next)."""
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    get_redis().set(key("auth", "session", session_id), json.dumps({**data, "csrf": csrf}), ex=ttl_s)
    return session_id, csrf


def record(session_id: str, csrf: str, token: str, data: dict[str, Any], ttl_s: int, *,
           ip_address: str | None = None, user_agent: str | None = None) -> None:
    """The session's durable row in PostgreSQL (what Redis is rebuilt from)."""
    with get_database().system_session() as s:
        s.add(AuthSession(id=row_id(session_id), user_id=uuid.UUID(str(data["sub"])), tenant_id=uuid.UUID(str(data["tid"])),
                          token_hash=sha256(token), ip_address=ip_address, user_agent=(user_agent or None) and user_agent[:500],
                          device_info={"csrf_sha256": sha256(csrf)},
                          expires_at=datetime.now(timezone.utc) + timedelta(seconds=ttl_s)))


def get(session_id: str) -> dict[str, Any] | None:
    """The session's data, or None when it ended (signed out, revoked or expired)."""
    try:
        raw = get_redis().get(key("auth", "session", session_id))
    except redis.RedisError as exc:
        log.warning("Redis unavailable, session read from PostgreSQL: %s", exc)
        return _from_database(session_id)
    if raw:
        return json.loads(raw)
    data = _from_database(session_id)  # Redis lost it (flushed, restarted): restore a live one
    if data is not None:
        left = int((datetime.fromisoformat(data.pop("expires_at")) - datetime.now(timezone.utc)).total_seconds())
        if left > 0:
            get_redis().set(key("auth", "session", session_id), json.dumps(data), ex=left)
    return data


def _from_database(session_id: str) -> dict[str, Any] | None:
    with get_database().system_session() as s:
        row = s.execute(select(AuthSession, User.email).join(User, User.id == AuthSession.user_id).where(
            AuthSession.id == row_id(session_id), AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > datetime.now(timezone.utc))).first()
    if row is None:
        return None
    session, email = row
    return {"kind": "user", "sub": str(session.user_id), "email": email, "tid": str(session.tenant_id),
            "csrf_sha256": (session.device_info or {}).get("csrf_sha256", ""), "expires_at": session.expires_at.isoformat()}


def csrf_matches(data: dict[str, Any], sent: str) -> bool:
    """Whether ``sent`` is the session's CSRF token (kept plain in Redis, hashed in PostgreSQL)."""
    if not sent:
        return False
    if "csrf" in data:
        return secrets.compare_digest(sent, str(data["csrf"]))
    return secrets.compare_digest(sha256(sent), str(data.get("csrf_sha256", "")))


def delete(session_id: str, reason: str = "USER_LOGOUT") -> None:
    """End the session: revoked in PostgreSQL first (so no restore brings it back), then gone from Redis."""
    with get_database().system_session() as s:
        s.execute(update(AuthSession).where(AuthSession.id == row_id(session_id), AuthSession.revoked_at.is_(None))
                  .values(revoked_at=datetime.now(timezone.utc), revoke_reason=reason))
    get_redis().delete(key("auth", "session", session_id))
