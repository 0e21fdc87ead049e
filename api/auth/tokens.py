"""Signed bearer tokens (HS256) and their revocation.

The signing key is ``DENTALAGENT_SECRET_KEY``, or else one derived from the database's own
secret (``app_private.tenant_key``, under a label of its own), so every API process of a
deployment signs and verifies with the same key, and no loss of Redis changes it.

A revoked token is refused by PostgreSQL's record (``sessions.revoked_at``: the session row of
a user's token, a row of its own for an API client's token); Redis keeps a blacklist in front
of it (``auth:blacklist:{sha256}``), which may be lost without a revoked token working again.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
import uuid
from datetime import datetime, timezone
from typing import Any

import jwt
import redis
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from core_schema.db import get_database
from core_schema.errors import DomainError
from core_schema.identities import SYSTEM_USER_ID
from core_schema.models import AuthSession, User
from core_schema.redis_store import get_redis, key
from core_schema.settings import get_settings

ALGORITHM = "HS256"
log = logging.getLogger(__name__)


def signing_key() -> str:
    """The deployment's key: the setting, else one derived from the database's secret."""
    configured = get_settings().secret_key
    if configured:
        return configured
    return hmac.new(get_database().tenant_key(), b"dentalagent api tokens hs256", hashlib.sha256).hexdigest()


def issue(claims: dict[str, Any], ttl_s: int) -> str:
    """A token carrying ``claims``, valid for ``ttl_s`` seconds."""
    now = int(time.time())
    return jwt.encode({**claims, "iat": now, "exp": now + ttl_s, "jti": uuid.uuid4().hex}, signing_key(), algorithm=ALGORITHM)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def verify(token: str) -> dict[str, Any]:
    """The token's claims; 401 when it is malformed, expired, forged or on Redis's revocation list.

    (Callers check PostgreSQL's record: ``revoked_in_database`` for a client, the session for a user.)
    """
    try:
        claims: dict[str, Any] = jwt.decode(token, signing_key(), algorithms=[ALGORITHM],
                                            options={"require": ["exp", "iat", "sub", "kind"]})
    except jwt.ExpiredSignatureError:
        raise DomainError("token_expired", "the token has expired: sign in again", 401) from None
    except jwt.InvalidTokenError:
        raise DomainError("invalid_token", "the token is not valid", 401) from None
    try:
        listed = get_redis().exists(key("auth", "blacklist", digest(token)))
    except redis.RedisError as exc:  # PostgreSQL's record still refuses a revoked token
        log.warning("Redis unavailable, token revocation checked in PostgreSQL only: %s", exc)
        listed = False
    if listed:
        raise _revoked()
    return claims


def _revoked() -> DomainError:
    return DomainError("token_revoked", "the token was revoked: sign in again", 401)


def refuse_if_revoked(token: str) -> None:
    """401 when PostgreSQL records the token as revoked (an API client's token: it has no session)."""
    with get_database().system_session() as s:
        revoked = s.scalar(select(AuthSession.revoked_at).where(AuthSession.token_hash == digest(token),
                                                                AuthSession.revoked_at.is_not(None)))
    if revoked is not None:
        raise _revoked()


def revoke(token: str, claims: dict[str, Any], reason: str = "USER_LOGOUT") -> None:
    """Refuse ``token`` from now on: recorded in PostgreSQL (a client's token; a user's token
    ends with its session), then listed in Redis until it would have expired anyway."""
    if claims.get("kind") == "client":
        _record_client_revocation(token, claims, reason)
    remaining = max(int(claims.get("exp", 0)) - int(time.time()), 1)
    get_redis().set(key("auth", "blacklist", digest(token)), "1", ex=remaining)


def _record_client_revocation(token: str, claims: dict[str, Any], reason: str) -> None:
    """A ``sessions`` row for the client's token: the system user, the client in ``device_info``."""
    now = datetime.now(timezone.utc)
    with get_database().system_session() as s:
        s.execute(pg_insert(User).values(id=SYSTEM_USER_ID, email="system@dentalagent.local", full_name="dentalagent system")
                  .on_conflict_do_nothing())  # seeded with the demo clinic; a bare deployment gets it here
        s.execute(pg_insert(AuthSession).values(
            id=uuid.uuid4(), user_id=SYSTEM_USER_ID, tenant_id=uuid.UUID(str(claims["tid"])), token_hash=digest(token),
            device_info={"kind": "api_client", "api_client_id": str(claims["sub"]), "client_id": claims.get("cid")},
            expires_at=datetime.fromtimestamp(int(claims["exp"]), timezone.utc), revoked_at=now, revoke_reason=reason,
        ).on_conflict_do_update(index_elements=["token_hash"], set_={"revoked_at": now, "revoke_reason": reason}))
