"""Resolving the acting user and the tenant a command works in.

The CLI names people by email (``--as``) and clinics by id (``--tenant``); the API gets both
from the signed-in principal. Either way the services below receive an ``Actor`` or a tenant id.
"""

from __future__ import annotations

import uuid

from core_schema.db import get_database
from core_schema.directory import Actor, find_actor
from core_schema.errors import InvalidInput
from core_schema.identities import DEMO_TENANT_ID
from core_schema.settings import get_settings


def actor(email: str | None = None) -> Actor:
    """The active user with ``email`` (default: ``DENTALAGENT_USER``), with roles and permissions.

    Raises ``NotFound`` for an unknown or disabled user. Runs in a system session: the tenant
    is not known until the user is.
    """
    email = email or get_settings().user
    if not email:
        raise InvalidInput("name the acting user with --as EMAIL (or set DENTALAGENT_USER)")
    with get_database().system_session() as s:
        return find_actor(s, email)


def tenant(value: str | None = None) -> uuid.UUID:
    """``value``, else ``DENTALAGENT_TENANT``, else the demo clinic."""
    value = value or get_settings().tenant
    if not value:
        return DEMO_TENANT_ID
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInput(f"tenant must be a UUID, got {value!r}") from None
