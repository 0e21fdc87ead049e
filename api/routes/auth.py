"""Sign-in, sign-out and client credentials (api-contract.md, "Authentication")."""

from __future__ import annotations

import ipaddress

from fastapi import APIRouter, Depends, Form, Request, Response

from api.auth import credentials, sessions, throttle, tokens
from api.auth.deps import CSRF_COOKIE, SESSION_COOKIE, current_principal
from api.auth.principal import Principal
from api.schemas import NO_NUL, ErrorOut, LoginIn, TokenOut
from core_schema.errors import DomainError
from core_schema.settings import get_settings

router = APIRouter(tags=["auth"], responses={400: {"model": ErrorOut}, 401: {"model": ErrorOut}, 422: {"model": ErrorOut}, 429: {"model": ErrorOut}})


def _address(request: Request) -> str:
    """The address the sign-in throttle counts against: the TCP peer, or the client a trusted proxy
    forwarded for (``serve`` believes X-Forwarded-For only from DENTALAGENT_TRUSTED_PROXIES, api.edge)."""
    return request.client.host if request.client else "unknown"


def _ip(request: Request) -> str | None:
    """The caller's address when it is one (the test client's is a name)."""
    try:
        return str(ipaddress.ip_address(_address(request)))
    except ValueError:
        return None


@router.post("/login", response_model=TokenOut, responses={503: {"model": ErrorOut}})
def login(body: LoginIn, request: Request, response: Response) -> TokenOut:
    """Sign in with email and password: a bearer token, plus the web app's session cookie and CSRF token."""
    throttle.check(_address(request), body.email)
    actor = credentials.check_password(body.email, body.password)
    if actor is None:
        throttle.failed(_address(request), body.email)
        raise DomainError("invalid_credentials", "wrong email or password", 401)  # the same for both: no enumeration
    ttl = get_settings().token_ttl_s
    identity = {"kind": "user", "sub": str(actor.user_id), "email": actor.email, "tid": str(actor.tenant_id)}
    session_id, csrf = sessions.create(identity, ttl)
    token = tokens.issue({**identity, "sid": session_id}, ttl)
    sessions.record(session_id, csrf, token, identity, ttl, ip_address=_ip(request), user_agent=request.headers.get("user-agent"))
    secure = request.url.scheme == "https"
    response.set_cookie(SESSION_COOKIE, session_id, max_age=ttl, httponly=True, samesite="lax", secure=secure)
    response.set_cookie(CSRF_COOKIE, csrf, max_age=ttl, httponly=False, samesite="lax", secure=secure)
    return TokenOut(access_token=token, expires_in=ttl, csrf_token=csrf)


@router.post("/logout", status_code=204, response_class=Response)
def logout(principal: Principal = Depends(current_principal)) -> Response:
    """End the session and revoke the token used, at once."""
    if principal.session_id:
        sessions.delete(principal.session_id)
    if principal.token and principal.claims:
        tokens.revoke(principal.token, principal.claims)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return response


@router.post("/token", response_model=TokenOut, responses={400: {"model": ErrorOut}, 503: {"model": ErrorOut}})
def client_token(request: Request, grant_type: str = Form(...), client_id: str = Form(..., max_length=200, pattern=NO_NUL),
                 client_secret: str = Form(..., max_length=1024, pattern=NO_NUL),
                 scope: str | None = Form(None, max_length=2000, pattern=NO_NUL)) -> TokenOut:
    """OAuth2 client credentials: a bearer token for an API client, limited to scopes it holds."""
    if grant_type != "client_credentials":
        raise DomainError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported: use client_credentials", 400)
    throttle.check(_address(request), f"client:{client_id}")
    client = credentials.check_client(client_id, client_secret)
    if client is None:
        throttle.failed(_address(request), f"client:{client_id}")
        raise DomainError("invalid_client", "wrong client id or secret", 401)
    asked = frozenset(scope.split()) if scope else client.scopes
    if not asked <= client.scopes:
        raise DomainError("invalid_scope", f"scope not held by this client: {' '.join(sorted(asked - client.scopes))}", 400)
    ttl = get_settings().client_token_ttl_s
    granted = " ".join(sorted(asked))
    token = tokens.issue({"kind": "client", "sub": str(client.id), "cid": client.client_id, "tid": str(client.tenant_id),
                          "scope": granted}, ttl)
    return TokenOut(access_token=token, expires_in=ttl, scope=granted)
