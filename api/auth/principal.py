"""Who is calling: a signed-in user (an ``Actor``) or an API client, always of one tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from core_schema.directory import Actor
from core_schema.errors import DomainError
from core_schema.identities import SYSTEM_USER_ID

# What an API-client scope means for a user: the permission that grants the same (None: any user).
USER_PERMISSION_FOR_SCOPE: dict[str, str | None] = {
    "patients:read": "patients.read",
    "chart:read": "chart.read",
    "voice:dictate": None,
    "approvals:read": None,
    "approvals:decide": None,  # the approval service checks the tier permission itself
    "actions:read": None,
    "actions:undo": None,  # the undo service checks authorship and tier
    "runs:read": None,
    "imaging:review": None,  # any clinic user may file a radiograph for review; deciding needs tier 3
    "memory:forget": "actions.undo.any",
    "memory:write": "note.write",  # a LangGraph client's store writes: the clinic's memory, as a note is written  # erasing a patient's memories is a supervisor's act (dentist, admin)
}


@dataclass(frozen=True)
class Principal:
    """The caller of one request. ``actor`` is whom services see act: the user, or for an API
    client the system user of the client's tenant (the client is recorded as ``api_client_id``)."""

    kind: str  # "user" or "client"
    actor: Actor
    scopes: frozenset[str]
    api_client_id: uuid.UUID | None = None
    client_id: str | None = None
    session_id: str | None = None
    token: str | None = None
    claims: dict[str, Any] | None = None
    via: str = "bearer"  # or "cookie"

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.actor.tenant_id

    def require(self, scope: str) -> None:
        """403 unless the caller may use ``scope`` (a client's granted scope, a user's permission)."""
        if self.kind == "client":
            if scope not in self.scopes:
                raise DomainError("forbidden", f"API client {self.client_id!r} lacks the scope {scope!r}", 403)
            return
        permission = USER_PERMISSION_FOR_SCOPE.get(scope)
        if permission and not self.actor.can(permission):
            raise DomainError("forbidden", f"{self.actor.email} may not do this ({permission} needed)", 403)


def client_actor(tenant_id: uuid.UUID, client_id: str) -> Actor:
    """The actor services see for an API client: no roles, no permissions of its own."""
    return Actor(user_id=SYSTEM_USER_ID, email=f"client:{client_id}", tenant_id=tenant_id,
                 roles=frozenset(), permissions=frozenset())
