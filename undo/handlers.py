"""Undo of clinical changes, one handler per ``action_history.entity_type``.

A handler gets the caller's open tenant session and the ``ActionHistory`` row, puts the data
back as ``previous_state`` describes it and returns a one-line summary (no patient names). It
never commits: the undo service marks the action undone and audits it in the same transaction.
When the data has changed since the action in a way an undo would overwrite, the handler
raises ``UndoError`` instead of losing the later change.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core_schema.models import (
    ActionHistory,
    ClinicalNote,
    ClinicalOutcome,
    EncounterDiagnosis,
    PerioMeasurement,
    Procedure,
    ProcedureMaterial,
    ToothChartSnapshot,
    TreatmentPlan,
    TreatmentPlanItem,
)
from tools.clinical.chart import current_chart, normalise_chart, revert_teeth, write_snapshot
from tools.clinical.common import lock, money
from tools.clinical.plan import plan_items, plan_total
from tools.clinical.teeth import tooth_sort_key
from tools.context import ToolError
from undo.errors import UndoError, conflict

UndoHandler = Callable[[Session, ActionHistory], str]
UNDO_HANDLERS: dict[str, UndoHandler] = {}
UNDO_SOURCE = "UNDO"


def register_undo(entity_type: str) -> Callable[[UndoHandler], UndoHandler]:
    """Decorator: ``fn`` undoes actions on ``entity_type``."""

    def register(fn: UndoHandler) -> UndoHandler:
        if entity_type in UNDO_HANDLERS:
            raise ValueError(f"undo handler for {entity_type!r} registered twice")
        UNDO_HANDLERS[entity_type] = fn
        return fn

    return register


def undo(session: Session, action: ActionHistory) -> str:
    """Run the handler of ``action.entity_type``; its summary."""
    handler = UNDO_HANDLERS.get(action.entity_type)
    if handler is None:
        raise UndoError("not_undoable", f"actions on {action.entity_type} cannot be undone")
    return handler(session, action)


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _acting_user(action: ActionHistory) -> uuid.UUID:
    return action.undone_by_user_id or action.user_id


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _revert(current: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    try:
        return revert_teeth(current, before, after)
    except UndoError:
        raise
    except ToolError as exc:
        raise conflict(str(exc)) from None


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


# ---------------------------------------------------------------------------------------------


@register_undo("DENTAL_CHART")
def undo_dental_chart(session: Session, action: ActionHistory) -> str:
    """A new snapshot (source UNDO) whose chart is the one before the action.

    Teeth changed by a later action are not overwritten: the undo is refused instead.
    """
    prev, new = action.previous_state or {}, action.new_state or {}
    patient_id = _uuid(new["patient_id"])
    _, chart_now = current_chart(session, action.tenant_id, patient_id, for_update=True)
    restored, teeth = _revert(chart_now, prev.get("chart") or {"teeth": {}}, new.get("chart") or {"teeth": {}})
    undone = session.get(ToothChartSnapshot, _uuid(new["snapshot_id"])) if new.get("snapshot_id") else None
    snap = write_snapshot(session, tenant_id=action.tenant_id, patient_id=patient_id, chart=restored,
                          source=UNDO_SOURCE, user_id=_acting_user(action),
                          encounter_id=undone.encounter_id if undone is not None else None)
    which = ", ".join(teeth) if teeth else "none"
    return f"Dental chart change undone (teeth {which} restored; new chart version {snap.id})"


@register_undo("PERIO_CHART")
def undo_perio_chart(session: Session, action: ActionHistory) -> str:
    """Delete the measurement rows the action created."""
    ids = [_uuid(i) for i in (action.new_state or {}).get("measurement_ids", [])]
    rows = list(session.scalars(select(PerioMeasurement).where(PerioMeasurement.tenant_id == action.tenant_id,
                                                               PerioMeasurement.id.in_(ids))))
    if not rows:
        raise conflict("these perio measurements no longer exist (already undone?)")
    teeth = sorted({r.tooth_number for r in rows}, key=tooth_sort_key)
    session.execute(delete(PerioMeasurement).where(PerioMeasurement.id.in_([r.id for r in rows])))
    session.flush()
    return f"Perio measurements removed: {len(rows)} site{'s' if len(rows) != 1 else ''} on {'teeth' if len(teeth) > 1 else 'tooth'} {', '.join(teeth)}"


@register_undo("ENCOUNTER_DIAGNOSIS")
def undo_encounter_diagnosis(session: Session, action: ActionHistory) -> str:
    """Delete the diagnosis; a diagnosis it displaced as primary becomes primary again."""
    new = action.new_state or {}
    row = session.scalar(select(EncounterDiagnosis).where(EncounterDiagnosis.tenant_id == action.tenant_id,
                                                          EncounterDiagnosis.id == _uuid(new.get("diagnosis_id", action.entity_id))))
    if row is None:
        raise conflict("this diagnosis no longer exists (already undone?)")
    code = row.diagnosis_code
    session.delete(row)
    session.flush()
    demoted = [_uuid(i) for i in new.get("demoted_diagnosis_ids") or []]
    for d in session.scalars(select(EncounterDiagnosis).where(EncounterDiagnosis.tenant_id == action.tenant_id,
                                                              EncounterDiagnosis.id.in_(demoted))):
        d.is_primary = True
        d.updated_at = func.now()
    session.flush()
    return f"Diagnosis {code} removed from the encounter"


@register_undo("TREATMENT_PLAN")
def undo_treatment_plan(session: Session, action: ActionHistory) -> str:
    """CREATE: delete the added item (and the plan it created); UPDATE: put the previous order back."""
    prev, new = action.previous_state or {}, action.new_state or {}
    if new.get("patient_id"):
        lock(session, "plan", _uuid(new["patient_id"]))
    plan = session.scalar(select(TreatmentPlan).where(TreatmentPlan.tenant_id == action.tenant_id,
                                                      TreatmentPlan.id == _uuid(new["plan_id"])))
    if plan is None:
        raise conflict("this treatment plan no longer exists")
    if action.action_type == "CREATE":
        item = session.scalar(select(TreatmentPlanItem).where(TreatmentPlanItem.plan_id == plan.id,
                                                              TreatmentPlanItem.id == _uuid(new["plan_item_id"])))
        if item is None:
            raise conflict("this plan item no longer exists (already undone?)")
        code, tooth = item.cdt_code, item.tooth_number
        session.delete(item)
        session.flush()
        if new.get("plan_created") and not plan_items(session, plan.id):
            session.delete(plan)
            session.flush()
            return f"Plan item {code}{f' (tooth {tooth})' if tooth else ''} removed; the draft plan it started removed"
        total_now = money(plan.total_estimated_cost)
        # Untouched since: the exact previous total; otherwise the sum of what is left.
        plan.total_estimated_cost = (_decimal(prev.get("total_estimated_cost")) if total_now == new.get("total_estimated_cost")
                                     else plan_total(session, plan.id))
        plan.updated_at = func.now()
        session.flush()
        return f"Plan item {code}{f' (tooth {tooth})' if tooth else ''} removed from the plan"
    if action.action_type == "UPDATE":
        items = {str(i.id): i for i in plan_items(session, plan.id)}
        after: dict[str, Any] = new.get("sequence") or {}
        now = {k: items[k].sequence_order for k in after if k in items}
        if now != {k: v for k, v in after.items() if k in items}:
            raise conflict("the plan has been reordered since; undo the later change first")
        for key, seq in (prev.get("sequence") or {}).items():
            if key in items:
                items[key].sequence_order = seq
        plan.updated_at = func.now()
        session.flush()
        return "Treatment plan order restored"
    raise conflict(f"cannot undo a {action.action_type} of a treatment plan")


@register_undo("CLINICAL_NOTE")
def undo_clinical_note(session: Session, action: ActionHistory) -> str:
    """Delete the note the action created."""
    note_id = _uuid((action.new_state or {}).get("note_id", action.entity_id))
    note = session.scalar(select(ClinicalNote).where(ClinicalNote.tenant_id == action.tenant_id, ClinicalNote.id == note_id))
    if note is None:
        raise conflict("this note no longer exists (already undone?)")
    note_type = note.note_type
    session.delete(note)
    session.flush()
    return f"{note_type.replace('_', ' ').capitalize()} note removed"


@register_undo("PROCEDURE")
def undo_procedure(session: Session, action: ActionHistory) -> str:
    """CREATE: delete the procedure; UPDATE: back to its previous status and times. Chart change reverted too."""
    prev, new = action.previous_state or {}, action.new_state or {}
    proc = session.scalar(select(Procedure).where(Procedure.tenant_id == action.tenant_id,
                                                  Procedure.id == _uuid(new.get("procedure_id", action.entity_id))))
    if proc is None:
        raise conflict("this procedure no longer exists (already undone?)")
    if proc.status != new.get("status"):
        raise conflict(f"the procedure is {proc.status} now (changed since); undo the later change first")
    if action.action_type not in ("CREATE", "UPDATE"):
        raise conflict(f"cannot undo a {action.action_type} of a procedure")
    if action.action_type == "CREATE" and (
        session.scalar(select(func.count()).select_from(ProcedureMaterial).where(ProcedureMaterial.procedure_id == proc.id))
        or session.scalar(select(func.count()).select_from(ClinicalOutcome).where(ClinicalOutcome.procedure_id == proc.id))
    ):
        raise conflict("materials or outcomes are recorded on this procedure; remove them first")
    # Every check before the first write: a refused undo changes nothing.
    chart_text = ""
    if new.get("chart") and prev.get("chart"):
        patient_id = _uuid(new["patient_id"])
        _, chart_now = current_chart(session, action.tenant_id, patient_id, for_update=True)
        restored, teeth = _revert(chart_now, {"teeth": prev["chart"]["teeth"]}, {"teeth": new["chart"]["teeth"]})
        if normalise_chart(restored) != chart_now:
            write_snapshot(session, tenant_id=action.tenant_id, patient_id=patient_id, chart=restored,
                           source=UNDO_SOURCE, user_id=_acting_user(action), encounter_id=proc.encounter_id)
            chart_text = f"; {'teeth' if len(teeth) > 1 else 'tooth'} {', '.join(teeth)} restored on the chart"
    code = proc.cdt_code
    if action.action_type == "CREATE":
        session.delete(proc)
        session.flush()
        return f"Procedure {code} removed{chart_text}"
    proc.status = prev["status"]
    proc.start_at = _when(prev.get("start_at"))
    proc.end_at = _when(prev.get("end_at"))
    proc.notes = prev.get("notes")
    proc.updated_at = func.now()
    session.flush()
    return f"Procedure {code} back to {proc.status}{chart_text}"
