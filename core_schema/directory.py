"""Who is who: tenants, users, their roles and permissions, and the patients of a tenant.

Every layer needs these lookups (CLI, API, tools), so they live beside the models.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core_schema.db import get_database
from core_schema.errors import NotFound
from core_schema.models import (
    Encounter,
    Patient,
    Permission,
    Role,
    RolePermission,
    TenantSetting,
    User,
    UserRole,
    UserTenant,
)
from core_schema.statuses import RecordStatus


@dataclass(frozen=True)
class Actor:
    """An authenticated user acting inside one tenant."""

    user_id: uuid.UUID
    email: str
    tenant_id: uuid.UUID
    roles: frozenset[str]
    permissions: frozenset[str]

    def can(self, permission: str) -> bool:
        return permission in self.permissions


def find_actor(session: Session, email: str, tenant_id: uuid.UUID | None = None) -> Actor:
    """The user with ``email`` in their (given or first) tenant, with roles and permissions.

    Runs in a system session: a login happens before a tenant is known.
    """
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or user.status != RecordStatus.ACTIVE:
        raise NotFound(f"no active user {email!r}")
    memberships = select(UserTenant.tenant_id).where(UserTenant.user_id == user.id)
    if tenant_id is not None:
        memberships = memberships.where(UserTenant.tenant_id == tenant_id)
    tenant = session.scalar(memberships.order_by(UserTenant.created_at).limit(1))
    if tenant is None:
        raise NotFound(f"user {email!r} is not a member of tenant {tenant_id}")
    rows = session.execute(
        select(Role.name, Permission.key)
        .join(UserRole, UserRole.role_id == Role.id)
        .join(RolePermission, RolePermission.role_id == Role.id, isouter=True)
        .join(Permission, Permission.id == RolePermission.permission_id, isouter=True)
        .where(UserRole.user_id == user.id, UserRole.tenant_id == tenant)
    ).all()
    return Actor(
        user_id=user.id,
        email=user.email,
        tenant_id=tenant,
        roles=frozenset(r for r, _ in rows),
        permissions=frozenset(p for _, p in rows if p),
    )


def tooth_notation(session: Session, tenant_id: uuid.UUID) -> str:
    """``FDI`` or ``UNIVERSAL``: how this clinic speaks tooth numbers (FDI when unset)."""
    options = session.scalar(select(TenantSetting.clinical_workflow_options).where(TenantSetting.tenant_id == tenant_id))
    notation = (options or {}).get("tooth_notation", "FDI")
    return str(notation).upper()


def list_patients(session: Session) -> list[dict[str, object]]:
    """Patients visible to the session's tenant, for pickers and the CLI."""
    rows = session.scalars(select(Patient).where(Patient.status == RecordStatus.ACTIVE).order_by(Patient.last_name, Patient.first_name))
    return [
        {"id": str(p.id), "name": f"{p.first_name} {p.last_name}", "dob": p.dob.isoformat() if p.dob else None,
         "tenant_id": str(p.tenant_id)}
        for p in rows
    ]


def require_patient(tenant_id: uuid.UUID, patient_id: uuid.UUID) -> None:
    """``NotFound`` unless the patient is one of this tenant's (another clinic's is invisible, not forbidden)."""
    with get_database().tenant_session(tenant_id) as s:
        if s.get(Patient, patient_id) is None:
            raise NotFound(f"patient {patient_id} not found in this clinic")


def require_visit(tenant_id: uuid.UUID, patient_id: uuid.UUID, encounter_id: uuid.UUID | None) -> None:
    """``require_patient``, and ``NotFound`` unless ``encounter_id`` (when given) is a visit of that patient."""
    require_patient(tenant_id, patient_id)
    if encounter_id is None:
        return
    with get_database().tenant_session(tenant_id) as s:
        visit = s.get(Encounter, encounter_id)
        if visit is None or visit.patient_id != patient_id:
            raise NotFound(f"encounter {encounter_id} not found for patient {patient_id} in this clinic")
