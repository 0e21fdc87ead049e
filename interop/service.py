"""Export a patient's record as FHIR (both faces call this) and keep each resource in ``fhir_resources``."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from core_schema.db import Database, get_database
from core_schema.errors import NotFound
from core_schema.models import FhirResource, Patient
from core_schema.rows import present
from interop.fhir import build_bundle

SOURCE_SYSTEM = "dentalagent"


def _version(payload: dict[str, Any]) -> tuple[str, str]:
    """(version, hash): a resource's version is its content (an unchanged resource is not stored again)."""
    digest = hashlib.sha256(json.dumps({k: v for k, v in payload.items() if k != "meta"}, sort_keys=True).encode()).hexdigest()
    return digest[:16], digest


def export_patient(tenant_id: uuid.UUID, patient_id: uuid.UUID, db: Database | None = None) -> dict[str, Any]:
    """The patient's Bundle (validated, as JSON); each resource stored once per version in
    ``fhir_resources``. ``NotFound`` for a patient of another clinic. ``db``: the process's by default."""
    db = db or get_database()
    with db.tenant_session(tenant_id) as s:
        patient = s.scalar(select(Patient).where(Patient.id == patient_id, Patient.tenant_id == tenant_id))
        if patient is None:
            raise NotFound(f"patient {patient_id} not found in this clinic")
        now = present(s.scalar(select(func.now())), "the database's clock")
        bundle = build_bundle(s, tenant_id, patient, now)
        out: dict[str, Any] = bundle.model_dump(mode="json", by_alias=True, exclude_none=True)
        for entry in out.get("entry") or []:
            resource = entry["resource"]
            version, digest = _version(resource)
            s.execute(insert(FhirResource).values(
                id=uuid.uuid4(), tenant_id=tenant_id, patient_id=patient_id, resource_type=resource["resourceType"],
                resource_id=resource["id"], resource_version=version, source_system=SOURCE_SYSTEM, payload=resource,
                hash=digest, last_synced_at=now,
            ).on_conflict_do_nothing(index_elements=["tenant_id", "resource_type", "resource_id", "resource_version"]))
        return out
