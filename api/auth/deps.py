"""The FastAPI dependency every ``/api/v1`` route uses: bearer token first, else the session
cookie (with its CSRF token for anything that changes state)."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from fastapi import Request

from api.auth import credentials, sessions, tokens
from api.auth.principal import Principal, client_actor
from core_schema.errors import DomainError

SESSION_COOKIE = "dentalagent_session"
CSRF_COOKIE = "dentalagent_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _unauthenticated(message: str = "sign in first: a bearer token or the session cookie is needed") -> DomainError:
    return DomainError("unauthenticated", message, 401)


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header, if any."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthenticated("the Authorization header must be 'Bearer <token>'")
    return token.strip()


def _user(data: dict[str, Any], **extra: Any) -> Principal:
    actor = credentials.load_user(str(data["email"]), uuid.UUID(str(data["tid"])))
    if actor is None:
        raise _unauthenticated("this account is no longer active")
    return Principal(kind="user", actor=actor, scopes=actor.permissions, **extra)


def _from_token(token: str) -> Principal:
    claims = tokens.verify(token)
    if claims["kind"] == "client":
        client = credentials.load_client(uuid.UUID(str(claims["sub"])))
        if client is None or str(client.tenant_id) != claims.get("tid"):
            raise _unauthenticated("this API client is no longer registered")
        tokens.refuse_if_revoked(token)  # PostgreSQL's record: a Redis flush does not bring it back
        granted = frozenset(str(claims.get("scope", "")).split()) & client.scopes
        return Principal(kind="client", actor=client_actor(client.tenant_id, client.client_id), scopes=granted,
                         api_client_id=client.id, client_id=client.client_id, token=token, claims=claims)
    session_id = str(claims.get("sid", ""))
    if not session_id or sessions.get(session_id) is None:
        raise DomainError("token_revoked", "the session of this token has ended: sign in again", 401)
    return _user(claims, session_id=session_id, token=token, claims=claims)


def _from_cookie(request: Request, session_id: str) -> Principal:
    data = sessions.get(session_id)
    if data is None:
        raise _unauthenticated("the session has ended: sign in again")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sessions.csrf_matches(data, sent) or not secrets.compare_digest(sent, request.cookies.get(CSRF_COOKIE, "")):
            raise DomainError("csrf_failed", f"a cookie-authenticated {request.method} needs the {CSRF_HEADER} header", 403)
    return _user(data, session_id=session_id, via="cookie")


def current_principal(request: Request) -> Principal:
    """The caller of this request; 401 without valid credentials."""
    token = bearer_token(request)
    if token is not None:
        principal = _from_token(token)
    else:
        session_id = request.cookies.get(SESSION_COOKIE)
        if not session_id:
            raise _unauthenticated()
        principal = _from_cookie(request, session_id)
    request.state.principal = principal
    return principal


API_KEY_HEADER = "x-api-key"


def protocol_principal(request: Request) -> Principal:
    """The caller of an agent-protocol route: as ``current_principal``, and also an access token in
    the ``x-api-key`` header, which LangGraph clients send (``get_client(api_key=token)``)."""
    key = request.headers.get(API_KEY_HEADER)
    if key is None or request.headers.get("authorization"):
        return current_principal(request)
    if not key.strip():
        raise _unauthenticated("the x-api-key header is empty: send an access token")
    principal = _from_token(key.strip())
    request.state.principal = principal
    return principal
