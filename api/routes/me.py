"""``GET /api/v1/me``: who the caller is."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.auth.deps import current_principal
from api.auth.principal import Principal
from api.schemas import MeOut

router = APIRouter(tags=["me"])


@router.get("/me", response_model=MeOut)
def me(p: Principal = Depends(current_principal)) -> MeOut:
    """The caller: user or API client, its tenant, role(s), scopes and permissions."""
    user = p.kind == "user"
    roles = sorted(p.actor.roles)
    return MeOut(kind="user" if user else "client", tenant_id=str(p.tenant_id),
                 user_id=str(p.actor.user_id) if user else None, email=p.actor.email if user else None,
                 client_id=p.client_id, role=roles[0] if roles else None, roles=roles,
                 scopes=sorted(p.scopes), permissions=sorted(p.actor.permissions))
