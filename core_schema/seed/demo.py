"""The demo clinic: what ``dentalagent db seed`` writes, idempotently.

Every row has a deterministic id (uuid5 of a readable key) and is inserted with
``ON CONFLICT DO NOTHING``, so seeding twice changes nothing, and tests and docs can name
the demo tenant, users and patients by id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core_schema.catalog import CDT_SYSTEM, DIAGNOSES, ICD10_SYSTEM, PROCEDURES
from core_schema.identities import DEMO_TENANT_ID, SEED_NAMESPACE, SYSTEM_USER_ID, sid  # noqa: F401  (re-exported)
from core_schema.models import (
    AIModel,
    AIModelDeployment,
    AIModelVersion,
    ApiClient,
    CodeSystem,
    CodeValue,
    Encounter,
    FeeSchedule,
    FeeScheduleItem,
    Location,
    Patient,
    PatientAllergy,
    PatientCondition,
    PatientMedication,
    Permission,
    ProcedureCatalog,
    Role,
    RolePermission,
    Tenant,
    TenantSetting,
    User,
    UserAuthIdentity,
    UserRole,
    UserTenant,
)
from core_schema.statuses import DeploymentStatus, EncounterStatus, RecordStatus

DEMO_PASSWORD = "demo-clinic-2026"
VOICE_AGENT_CLIENT_ID = "voice-agent"
VOICE_AGENT_SECRET = "demo-voice-agent-secret"
VOICE_AGENT_SCOPES = ["patients:read", "chart:read", "chart:write", "voice:dictate", "approvals:request"]

UNIVERSAL_TENANT_ID = sid("tenant", "universal")

# Permissions are global; roles are per tenant and map to them.
PERMISSIONS: dict[str, str] = {
    "patients.read": "Read patient demographics and history",
    "chart.read": "Read the dental chart",
    "chart.write": "Change the dental chart (findings, perio)",
    "perio.write": "Record periodontal measurements",
    "diagnosis.write": "Add encounter diagnoses",
    "plan.write": "Add and reorder treatment plan items",
    "procedure.write": "Start and complete procedures",
    "note.write": "Write clinical notes",
    "approvals.decide.tier2": "Confirm tier-2 changes (perio, notes, procedures)",
    "approvals.decide.tier3": "Confirm tier-3 changes (chart findings, diagnoses, plans)",
    "actions.undo.any": "Undo another user's action (supervisor)",
    "approvals.supervise": "Receive escalated approvals (supervisor)",
    "admin.manage": "Manage users, roles and settings",
}
ROLE_PERMISSIONS: dict[str, list[str]] = {
    "dentist": [p for p in PERMISSIONS if p != "admin.manage"],
    "hygienist": ["patients.read", "chart.read", "perio.write", "note.write", "approvals.decide.tier2"],
    "assistant": ["patients.read", "chart.read", "note.write"],
    "admin": ["patients.read", "chart.read", "admin.manage", "actions.undo.any", "approvals.supervise"],
}


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str
    tenant_id: uuid.UUID

    @property
    def id(self) -> uuid.UUID:
        return sid("user", self.email)


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("dentist@demo.clinic", "Dr. Dana Demo", "dentist", DEMO_TENANT_ID),
    DemoUser("hygienist@demo.clinic", "Harper Hygienist", "hygienist", DEMO_TENANT_ID),
    DemoUser("assistant@demo.clinic", "Alex Assistant", "assistant", DEMO_TENANT_ID),
    DemoUser("admin@demo.clinic", "Avery Admin", "admin", DEMO_TENANT_ID),
    DemoUser("dentist@universal.clinic", "Dr. Uma Universal", "dentist", UNIVERSAL_TENANT_ID),
)

# (key, first, last, dob, sex, allergies, medications, conditions(code, note))
_PATIENTS: tuple[tuple[str, str, str, date, str, list[tuple[str, str, str]], list[tuple[str, str, str]], list[tuple[str, str]]], ...] = (
    ("p1", "Ada", "Molar", date(1984, 3, 12), "F",
     [("Penicillin", "Hives", "MODERATE")], [("Lisinopril", "10 mg", "once daily")], [("I10", "Essential hypertension")]),
    ("p2", "Ben", "Canine", date(1969, 11, 2), "M",
     [("Latex", "Contact dermatitis", "MILD")], [("Metformin", "500 mg", "twice daily")], [("E11.9", "Type 2 diabetes without complications")]),
    ("p3", "Cleo", "Incisor", date(2001, 7, 25), "F",
     [("Ibuprofen", "Bronchospasm", "SEVERE")], [("Salbutamol inhaler", "100 mcg", "as needed")], [("J45.909", "Asthma, uncomplicated")]),
)
DEMO_PATIENT_IDS: tuple[uuid.UUID, ...] = tuple(sid("patient", "demo", p[0]) for p in _PATIENTS)
UNIVERSAL_PATIENT_ID = sid("patient", "universal", "u1")

AI_MODEL_ID = sid("ai-model", "radiograph-findings")
AI_MODEL_VERSION_ID = sid("ai-model-version", "radiograph-findings", "1.0.0")


def _upsert(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(model).values(rows).on_conflict_do_nothing())


def seed(session: Session) -> None:
    """Write the demo clinic, its reference data and the isolation tenant (owner session)."""
    hasher = PasswordHasher()
    now = datetime.now(timezone.utc)
    _seed_tenants(session)
    _seed_catalog(session)
    _seed_access(session, hasher)
    _seed_patients(session, now)
    _seed_ai_registry(session)


def _seed_tenants(session: Session) -> None:
    _upsert(session, Tenant, [
        {"id": DEMO_TENANT_ID, "name": "Demo Dental Clinic", "type": "SOLO_PRACTICE", "primary_region": "EU"},
        {"id": UNIVERSAL_TENANT_ID, "name": "Universal Smiles (isolation tenant)", "type": "SOLO_PRACTICE", "primary_region": "US"},
    ])
    _upsert(session, Location, [
        {"id": sid("location", "demo"), "tenant_id": DEMO_TENANT_ID, "name": "Demo Clinic, Main Street", "timezone": "Europe/Amsterdam"},
        {"id": sid("location", "universal"), "tenant_id": UNIVERSAL_TENANT_ID, "name": "Universal Smiles, Elm Street", "timezone": "America/Chicago"},
    ])
    _upsert(session, TenantSetting, [
        {"tenant_id": DEMO_TENANT_ID, "clinical_workflow_options": {"tooth_notation": "FDI"}},
        {"tenant_id": UNIVERSAL_TENANT_ID, "clinical_workflow_options": {"tooth_notation": "UNIVERSAL"}},
    ])


def _seed_catalog(session: Session) -> None:
    """The shared catalog (tenant_id NULL, readable by every tenant) and each tenant's fees."""
    cdt, icd = sid("code-system", CDT_SYSTEM), sid("code-system", ICD10_SYSTEM)
    _upsert(session, CodeSystem, [
        {"id": cdt, "system_key": CDT_SYSTEM, "name": "Current Dental Terminology", "version": "2026"},
        {"id": icd, "system_key": ICD10_SYSTEM, "name": "ICD-10 Clinical Modification", "version": "2026"},
    ])
    _upsert(session, CodeValue, [
        {"id": sid("code", CDT_SYSTEM, p.code), "system_id": cdt, "code": p.code, "display": p.display,
         "category": p.procedure_type, "is_billable": True}
        for p in PROCEDURES
    ] + [
        {"id": sid("code", ICD10_SYSTEM, d.code), "system_id": icd, "code": d.code, "display": d.display,
         "category": "DIAGNOSIS", "is_billable": False}
        for d in DIAGNOSES
    ])
    _upsert(session, ProcedureCatalog, [
        {"id": sid("procedure", p.code), "code_value_id": sid("code", CDT_SYSTEM, p.code),
         "procedure_type": p.procedure_type, "default_duration_min": p.duration_min,
         "requires_tooth": p.requires_tooth, "requires_surface": p.requires_surface,
         "metadata": {"label": p.label, "tooth_classes": list(p.tooth_classes),
                      "min_surfaces": p.min_surfaces, "max_surfaces": p.max_surfaces}}
        for p in PROCEDURES
    ])
    for tenant_id, key in ((DEMO_TENANT_ID, "demo"), (UNIVERSAL_TENANT_ID, "universal")):
        schedule = sid("fee-schedule", key)
        _upsert(session, FeeSchedule, [
            {"id": schedule, "tenant_id": tenant_id, "name": "Standard fees 2026", "scope_type": "TENANT",
             "scope_id": tenant_id, "currency": "USD", "effective_from": date(2026, 1, 1)},
        ])
        _upsert(session, FeeScheduleItem, [
            {"id": sid("fee", key, p.code), "fee_schedule_id": schedule,
             "procedure_catalog_id": sid("procedure", p.code), "amount": p.fee, "unit": "EACH"}
            for p in PROCEDURES
        ])


def _seed_access(session: Session, hasher: PasswordHasher) -> None:
    _upsert(session, Permission, [{"id": sid("permission", k), "key": k, "description": d} for k, d in PERMISSIONS.items()])
    for tenant_id in (DEMO_TENANT_ID, UNIVERSAL_TENANT_ID):
        _upsert(session, Role, [
            {"id": sid("role", str(tenant_id), r), "tenant_id": tenant_id, "name": r, "description": f"{r.title()} role"}
            for r in ROLE_PERMISSIONS
        ])
        _upsert(session, RolePermission, [
            {"role_id": sid("role", str(tenant_id), r), "permission_id": sid("permission", p)}
            for r, perms in ROLE_PERMISSIONS.items() for p in perms
        ])
    new_users = [u for u in DEMO_USERS if session.get(User, u.id) is None]
    _upsert(session, User, [{"id": u.id, "email": u.email, "full_name": u.full_name} for u in DEMO_USERS]
            + [{"id": SYSTEM_USER_ID, "email": "system@dentalagent.local", "full_name": "dentalagent system"}])
    _upsert(session, UserAuthIdentity, [
        {"id": sid("identity", u.email), "user_id": u.id, "provider": "password", "provider_user_id": u.email,
         "email": u.email, "password_hash": hasher.hash(DEMO_PASSWORD)}
        for u in new_users  # hash only for new users: argon2 salts differ on every call
    ])
    _upsert(session, UserTenant, [
        {"user_id": u.id, "tenant_id": u.tenant_id, "user_type": "STAFF",
         "default_location_id": sid("location", "demo" if u.tenant_id == DEMO_TENANT_ID else "universal")}
        for u in DEMO_USERS
    ])
    _upsert(session, UserRole, [
        {"id": sid("user-role", u.email), "user_id": u.id, "role_id": sid("role", str(u.tenant_id), u.role),
         "tenant_id": u.tenant_id}
        for u in DEMO_USERS
    ])
    client_id = sid("api-client", VOICE_AGENT_CLIENT_ID)
    if session.get(ApiClient, client_id) is None:
        _upsert(session, ApiClient, [{
            "id": client_id, "tenant_id": DEMO_TENANT_ID, "client_id": VOICE_AGENT_CLIENT_ID,
            "name": "Voice charting agent", "description": "Turns dictation into proposed chart changes",
            "client_secret_hash": hasher.hash(VOICE_AGENT_SECRET), "scopes": VOICE_AGENT_SCOPES,
            "rate_limit_per_minute": 600,
        }])


def _seed_patients(session: Session, now: datetime) -> None:
    demo_location, dentist = sid("location", "demo"), sid("user", "dentist@demo.clinic")
    for key, first, last, dob, sex, allergies, medications, conditions in _PATIENTS:
        pid = sid("patient", "demo", key)
        _upsert(session, Patient, [{
            "id": pid, "tenant_id": DEMO_TENANT_ID, "primary_location_id": demo_location, "first_name": first,
            "last_name": last, "dob": dob, "sex_at_birth": sex, "preferred_locale": "en-US", "preferred_language": "en",
        }])
        _upsert(session, PatientAllergy, [
            {"id": sid("allergy", key, s), "tenant_id": DEMO_TENANT_ID, "patient_id": pid, "substance": s,
             "reaction": r, "severity": sev, "status": RecordStatus.ACTIVE} for s, r, sev in allergies
        ])
        _upsert(session, PatientMedication, [
            {"id": sid("medication", key, m), "tenant_id": DEMO_TENANT_ID, "patient_id": pid, "medication_name": m,
             "dosage": dose, "frequency": freq, "source": "PATIENT_REPORTED", "status": RecordStatus.ACTIVE} for m, dose, freq in medications
        ])
        _upsert(session, PatientCondition, [
            {"id": sid("condition", key, c), "tenant_id": DEMO_TENANT_ID, "patient_id": pid, "condition_code": c,
             "status": RecordStatus.ACTIVE, "notes": note} for c, note in conditions
        ])
        _upsert(session, Encounter, [{
            "id": sid("encounter", "demo", key), "tenant_id": DEMO_TENANT_ID, "patient_id": pid,
            "location_id": demo_location, "provider_id": dentist, "encounter_type": "EXAM", "status": EncounterStatus.IN_PROGRESS,
            "scheduled_start_at": now.replace(microsecond=0), "check_in_at": now.replace(microsecond=0),
        }])
    _upsert(session, Patient, [{
        "id": UNIVERSAL_PATIENT_ID, "tenant_id": UNIVERSAL_TENANT_ID, "primary_location_id": sid("location", "universal"),
        "first_name": "Uri", "last_name": "Bicuspid", "dob": date(1990, 5, 5), "sex_at_birth": "M",
    }])
    _upsert(session, Encounter, [{
        "id": sid("encounter", "universal", "u1"), "tenant_id": UNIVERSAL_TENANT_ID, "patient_id": UNIVERSAL_PATIENT_ID,
        "location_id": sid("location", "universal"), "provider_id": sid("user", "dentist@universal.clinic"),
        "encounter_type": "EXAM", "status": EncounterStatus.IN_PROGRESS,
    }])


def _seed_ai_registry(session: Session) -> None:
    _upsert(session, AIModel, [{
        "id": AI_MODEL_ID, "name": "Radiograph findings detector", "domain": "IMAGING",
        "vendor": "Imported vendor predictions", "regulatory_class": "DECISION_SUPPORT",
    }])
    _upsert(session, AIModelVersion, [{
        "id": AI_MODEL_VERSION_ID, "model_id": AI_MODEL_ID, "version_tag": "1.0.0",
        "artifact_uri": "builtin://imaging/vendor-import", "input_types": ["DICOM", "PNG", "JPEG"],
        "output_types": ["CARIES", "PERIAPICAL_LESION", "BONE_LOSS", "RESTORATION"],
    }])
    _upsert(session, AIModelDeployment, [{
        "id": sid("ai-deployment", "demo"), "tenant_id": DEMO_TENANT_ID, "model_version_id": AI_MODEL_VERSION_ID,
        "status": DeploymentStatus.ACTIVE, "rollout_strategy": "ALL_LOCATIONS",
    }])
