"""Who is looking at a page: the session cookie's user, with what the header shows.

Pages redirect to sign-in without a live session; the API checks again on every call, so
this is about layout (name, role, what to offer), not about protection of data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import lru_cache

from fastapi import Request
from sqlalchemy import select

from api.auth import credentials, sessions
from api.auth.deps import SESSION_COOKIE
from core_schema.db import get_database
from core_schema.identities import DEMO_TENANT_ID
from core_schema.models import Tenant, User


@dataclass(frozen=True)
class Viewer:
    user_id: uuid.UUID
    email: str
    full_name: str
    tenant_id: uuid.UUID
    clinic: str
    role: str
    permissions: frozenset[str]

    def can(self, permission: str) -> bool:
        return permission in self.permissions


def current_viewer(request: Request) -> Viewer | None:
    """The signed-in user of this browser, or None (no cookie, ended session, inactive account)."""
    session_id = request.cookies.get(SESSION_COOKIE)
    data = sessions.get(session_id) if session_id else None
    if not data:
        return None
    try:
        actor = credentials.load_user(str(data["email"]), uuid.UUID(str(data["tid"])))
    except (KeyError, ValueError):
        return None
    if actor is None:
        return None
    with get_database().system_session() as s:
        full_name = s.scalar(select(User.full_name).where(User.id == actor.user_id)) or actor.email
        clinic = s.scalar(select(Tenant.name).where(Tenant.id == actor.tenant_id)) or ""
    roles = sorted(actor.roles)
    return Viewer(user_id=actor.user_id, email=actor.email, full_name=full_name, tenant_id=actor.tenant_id,
                  clinic=clinic, role=roles[0] if roles else "", permissions=actor.permissions)


@lru_cache(maxsize=1)
def _demo_seeded(database_url: str) -> bool:
    with get_database().system_session() as s:
        return s.get(Tenant, DEMO_TENANT_ID) is not None


def demo_mode() -> bool:
    """Whether the demo clinic is seeded (then the sign-in page lists its demo accounts)."""
    return _demo_seeded(str(get_database().url))
