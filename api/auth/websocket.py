"""Who opened a WebSocket: the ``/api/v1`` HTTP dependency cannot run on one (no CSRF header can
be sent on a handshake), so sockets authenticate here with the same tokens and sessions.

A browser's session cookie is accepted only when the handshake's ``Origin`` (when present)
is this host: a page of another site could otherwise open a socket that carries the cookie
(cross-site WebSocket hijacking). Programs give a bearer token, as the ``access_token``
query parameter or an ``Authorization`` header.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.websockets import WebSocket

from api.auth import sessions
from api.auth.deps import SESSION_COOKIE, _from_token, _unauthenticated, _user
from api.auth.principal import Principal
from core_schema.errors import DomainError


def _bearer(ws: WebSocket) -> str | None:
    token = ws.query_params.get("access_token")
    if token:
        return token.strip()
    scheme, _, value = ws.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def same_origin(ws: WebSocket) -> bool:
    """True when the handshake has no ``Origin`` or one naming the host it was sent to."""
    origin = ws.headers.get("origin")
    if origin is None:
        return True
    host = ws.headers.get("host", "").lower()
    return bool(host) and urlsplit(origin).netloc.lower() == host


def websocket_principal(ws: WebSocket) -> Principal:
    """The caller of a WebSocket; ``DomainError`` (401/403) without valid credentials."""
    token = _bearer(ws)
    if token is not None:
        return _from_token(token)
    session_id = ws.cookies.get(SESSION_COOKIE)
    if not session_id:
        raise _unauthenticated("sign in first: the session cookie or an access_token is needed")
    if not same_origin(ws):
        raise DomainError("forbidden_origin", "this socket was opened from another site", 403)
    data = sessions.get(session_id)
    if data is None:
        raise _unauthenticated("the session has ended: sign in again")
    return _user(data, session_id=session_id, via="cookie")
