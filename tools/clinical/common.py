"""Lookups every clinical tool shares: patients, encounters, the catalog, fees, JSON states.

Each query also filters on the caller's tenant, on top of row-level security, so a tool
handed the wrong kind of session still cannot reach another clinic's rows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from core_schema.catalog import DIAGNOSES, select_code, surface_count
from core_schema.db import tenant_lock
from core_schema.encounters import CLOSED_ENCOUNTER_STATUSES, open_encounter  # noqa: F401  (shared by the tools)
from core_schema.models import (
    CodeValue,
    Encounter,
    FeeSchedule,
    FeeScheduleItem,
    Patient,
    ProcedureCatalog,
)
from tools.clinical.teeth import tooth_class
from tools.context import ToolError
from tools.registry import RetryPolicy

# Operating rules every chart-changing tool shares (each keeps its own risk tier): a person
# approves it, it may run 5 s, a transient failure is tried once more, 120 calls a minute per
# clinic, and an API client needs the chart:write scope.
# Read-only tools: no approval (tier 1, they answer at once), retried twice, 240 calls a minute.
READ_ONLY: dict[str, Any] = {
    "requires_approval": False,
    "risk_tier": 1,
    "timeout_ms": 5_000,
    "retry": RetryPolicy(max_attempts=3),
    "rate_limit_per_minute": 240,
}

CHART_WRITE: dict[str, Any] = {
    "requires_approval": True,
    "timeout_ms": 5_000,
    "retry": RetryPolicy(max_attempts=2),
    "rate_limit_per_minute": 120,
    "scope": "chart:write",
}


class StrictModel(BaseModel):
    """Base of every tool input: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")


def tooth_to_str(value: Any) -> Any:
    """Accept 16 as well as "16" for a tooth (validation of the number happens in the tool)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return value


def jsonable(value: Any) -> Any:
    """A JSON-native copy (UUIDs and datetimes as ISO strings, Decimals as strings)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def money(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def load_patient(session: Session, tenant_id: uuid.UUID, patient_id: uuid.UUID) -> Patient:
    """The patient, or ``ToolError`` when this clinic cannot see it (another clinic's patients are invisible)."""
    patient = session.scalar(select(Patient).where(Patient.id == patient_id, Patient.tenant_id == tenant_id))
    if patient is None:
        raise ToolError(f"patient {patient_id} not found in this clinic")
    return patient


def load_encounter(session: Session, tenant_id: uuid.UUID, patient_id: uuid.UUID, encounter_id: uuid.UUID) -> Encounter:
    """The encounter, which must belong to ``patient_id``."""
    encounter = session.scalar(select(Encounter).where(Encounter.id == encounter_id, Encounter.tenant_id == tenant_id))
    if encounter is None:
        raise ToolError(f"encounter {encounter_id} not found in this clinic")
    if encounter.patient_id != patient_id:
        raise ToolError(f"encounter {encounter_id} belongs to another patient, not to patient {patient_id}")
    return encounter


# ---------------------------------------------------------------------------------------------
# The procedure catalog, read from the database (never from Python constants)


@dataclass(frozen=True)
class CatalogEntry:
    """One active procedure_catalog row with its CDT code and voice-contract label."""

    id: uuid.UUID
    code_value_id: uuid.UUID
    code: str
    display: str
    label: str | None
    procedure_type: str | None
    requires_tooth: bool
    requires_surface: bool
    tooth_classes: tuple[str, ...]
    min_surfaces: int
    max_surfaces: int | None


def _entry(pc: ProcedureCatalog, cv: CodeValue) -> CatalogEntry:
    meta = pc.metadata_ or {}
    return CatalogEntry(
        id=pc.id,
        code_value_id=cv.id,
        code=cv.code,
        display=cv.display,
        label=meta.get("label"),
        procedure_type=pc.procedure_type,
        requires_tooth=bool(pc.requires_tooth),
        requires_surface=bool(pc.requires_surface),
        tooth_classes=tuple(meta.get("tooth_classes") or ()),
        min_surfaces=int(meta.get("min_surfaces") or 0),
        max_surfaces=None if meta.get("max_surfaces") is None else int(meta["max_surfaces"]),
    )


def catalog_entries(session: Session, tenant_id: uuid.UUID, *, label: str | None = None,
                    code: str | None = None) -> list[CatalogEntry]:
    """Active catalog entries visible to the clinic (shared and its own), optionally by label or code."""
    stmt = (
        select(ProcedureCatalog, CodeValue)
        .join(CodeValue, CodeValue.id == ProcedureCatalog.code_value_id)
        .where(
            ProcedureCatalog.is_active.is_(True),
            CodeValue.is_active.is_(True),
            or_(ProcedureCatalog.tenant_id.is_(None), ProcedureCatalog.tenant_id == tenant_id),
        )
        .order_by(ProcedureCatalog.tenant_id.is_(None), CodeValue.code)  # the clinic's own rows first
    )
    if label is not None:
        stmt = stmt.where(ProcedureCatalog.metadata_["label"].astext == label)
    if code is not None:
        stmt = stmt.where(CodeValue.code == code)
    seen: set[str] = set()
    out: list[CatalogEntry] = []
    for pc, cv in session.execute(stmt):
        if cv.code in seen:
            continue
        seen.add(cv.code)
        out.append(_entry(pc, cv))
    return out


def catalog_labels(session: Session, tenant_id: uuid.UUID) -> list[str]:
    return sorted({e.label for e in catalog_entries(session, tenant_id) if e.label})


def resolve_procedure(session: Session, tenant_id: uuid.UUID, *, label: str | None, code: str | None,
                      tooth: str | None, surfaces: list[str]) -> CatalogEntry:
    """The one catalog entry for a label (or an explicit code) on a tooth with these surfaces.

    Applies the catalog rule (``catalog.select_code``) to the rows in the database. Refuses,
    with a reason, anything the catalog does not hold or that fits several codes: it never
    invents or guesses a code.
    """
    label = label.strip().lower() if label else None
    code = code.strip().upper() if code else None
    if not label and not code:
        raise ToolError("give a procedure label (e.g. root_canal) or a CDT code from the catalog")
    cls = tooth_class(tooth) if tooth else None
    count = surface_count(surfaces)
    if code:
        found = catalog_entries(session, tenant_id, code=code)
        if not found:
            raise ToolError(f"code {code} is not in the procedure catalog")
        entry = found[0]
        if label and entry.label != label:
            raise ToolError(f"code {code} is a {entry.label or 'different'} code, not {label}")
        candidates = [entry]
    else:
        candidates = catalog_entries(session, tenant_id, label=label)
        if not candidates:
            known = ", ".join(catalog_labels(session, tenant_id))
            raise ToolError(f"unknown procedure label {label!r} (catalog labels: {known})")
    name = label or candidates[0].label or code
    if tooth is None and all(c.requires_tooth for c in candidates):
        raise ToolError(f"{name} needs a tooth")
    if all(c.requires_surface for c in candidates) and count == 0:
        raise ToolError(f"{name} needs at least one surface")
    if not any(c.requires_surface for c in candidates) and count:
        raise ToolError(f"{name} is not charted by surface; leave surfaces empty")
    choice = select_code(candidates, None, tooth, surfaces)
    if choice.entry is not None:
        return choice.entry
    if choice.ambiguous:
        codes = ", ".join(sorted({c.code for c in choice.candidates}))
        raise ToolError(f"several catalog codes fit {name} ({codes}): give the tooth and surfaces, or the code")
    where = f"tooth {tooth} ({cls})" if tooth else "no tooth"
    detail = f" with {count} surface{'s' if count != 1 else ''}" if any(c.requires_surface for c in candidates) else ""
    if code:
        raise ToolError(f"code {code} does not fit {where}{detail}")
    raise ToolError(f"the catalog has no {name} code for {where}{detail}")


def fee_for(session: Session, tenant_id: uuid.UUID, catalog_id: uuid.UUID, on: date | None = None) -> Decimal | None:
    """The amount of the clinic's active fee schedule for a catalog entry (None when unpriced)."""
    today = on or date.today()
    return session.scalar(
        select(FeeScheduleItem.amount)
        .join(FeeSchedule, FeeSchedule.id == FeeScheduleItem.fee_schedule_id)
        .where(
            FeeSchedule.tenant_id == tenant_id,
            FeeSchedule.is_active.is_(True),
            FeeSchedule.effective_from <= today,
            or_(FeeSchedule.effective_to.is_(None), FeeSchedule.effective_to >= today),
            FeeScheduleItem.procedure_catalog_id == catalog_id,
        )
        .order_by((FeeSchedule.scope_type == "TENANT").desc(), FeeSchedule.effective_from.desc())
        .limit(1)
    )


# ---------------------------------------------------------------------------------------------
# Diagnosis codes (code_values of category DIAGNOSIS)


def diagnosis_code_value(session: Session, tenant_id: uuid.UUID, *, label: str | None, code: str | None) -> tuple[CodeValue, str | None]:
    """(code value, label) for a contract diagnosis label or an ICD-10 code that the clinic's codes hold."""
    label = label.strip().lower() if label else None
    code = code.strip().upper() if code else None
    if not label and not code:
        raise ToolError("give a diagnosis label (e.g. irreversible_pulpitis) or an ICD-10 code")
    visible = and_(
        CodeValue.category == "DIAGNOSIS",
        CodeValue.is_active.is_(True),
        or_(CodeValue.tenant_id.is_(None), CodeValue.tenant_id == tenant_id),
    )
    label_code: str | None = None
    if label:
        # A label stored on the code value wins; the seeded contract labels are the fallback.
        label_code = session.scalar(select(CodeValue.code).where(visible, CodeValue.metadata_["label"].astext == label).limit(1))
        if label_code is None:
            label_code = next((d.code for d in DIAGNOSES if d.label == label), None)
        if label_code is None:
            known = ", ".join(sorted(d.label for d in DIAGNOSES))
            raise ToolError(f"unknown diagnosis label {label!r} (known: {known})")
        if code and code != label_code:
            raise ToolError(f"code {code} is not the code of {label} ({label_code})")
    wanted = code or label_code
    cv = session.scalar(
        select(CodeValue).where(visible, CodeValue.code == wanted)
        .order_by(CodeValue.tenant_id.is_(None)).limit(1)
    )
    if cv is None:
        raise ToolError(f"diagnosis code {wanted} is not in this clinic's diagnosis codes")
    if label is None:
        label = (cv.metadata_ or {}).get("label") or next((d.label for d in DIAGNOSES if d.code == cv.code), None)
    return cv, label


def lock(session: Session, kind: str, key: uuid.UUID) -> None:
    """Serialise writers of one record (a patient's chart, plan; an encounter's diagnoses) until commit.

    Read-modify-write tools (a new chart snapshot built from the current one, the next sequence
    number) would otherwise lose one of two concurrent changes.
    """
    tenant_lock(session, f"{kind}:{key}")


def db_now(session: Session) -> datetime:
    """The database's wall clock (not the transaction start), for ordering rows written in one transaction."""
    return session.scalars(select(func.clock_timestamp())).one()
