"""Signed bearer tokens (HS256) and their revocation list in Redis.

The signing key is ``DENTALAGENT_SECRET_KEY``, or else one random key written once to Redis
(``SET NX``), so every API process of a deployment signs and verifies with the same key.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from typing import Any

import jwt

from core_schema.errors import DomainError
from core_schema.redis_store import get_redis, key
from core_schema.settings import get_settings

ALGORITHM = "HS256"


def signing_key() -> str:
    """The deployment's key: the setting, else the one shared through Redis."""
    configured = get_settings().secret_key
    if configured:
        return configured
    redis, name = get_redis(), key("auth", "signing_key", "hs256")
    redis.set(name, secrets.token_urlsafe(48), nx=True)  # the first process wins; the others read its key
    return str(redis.get(name))


def issue(claims: dict[str, Any], ttl_s: int) -> str:
    """A token carrying ``claims``, valid for ``ttl_s`` seconds."""
    now = int(time.time())
    return jwt.encode({**claims, "iat": now, "exp": now + ttl_s, "jti": uuid.uuid4().hex}, signing_key(), algorithm=ALGORITHM)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def verify(token: str) -> dict[str, Any]:
    """The token's claims; 401 when it is malformed, expired, forged or revoked."""
    try:
        claims: dict[str, Any] = jwt.decode(token, signing_key(), algorithms=[ALGORITHM],
                                            options={"require": ["exp", "iat", "sub", "kind"]})
    except jwt.ExpiredSignatureError:
        raise DomainError("token_expired", "the token has expired: sign in again", 401) from None
    except jwt.InvalidTokenError:
        raise DomainError("invalid_token", "the token is not valid", 401) from None
    if get_redis().exists(key("auth", "blacklist", _digest(token))):
        raise DomainError("token_revoked", "the token was revoked: sign in again", 401)
    return claims


def revoke(token: str, claims: dict[str, Any]) -> None:
    """Refuse ``token`` from now on (kept on the list until it would have expired anyway)."""
    remaining = max(int(claims.get("exp", 0)) - int(time.time()), 1)
    get_redis().set(key("auth", "blacklist", _digest(token)), "1", ex=remaining)
