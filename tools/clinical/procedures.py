"""record_procedure: start or complete a procedure (a planned item, or a catalog code on a tooth).

``start`` creates a ``procedures`` row IN_PROGRESS. ``complete`` finishes the matching
procedure in progress (or records one done in one go) as COMPLETED. Completing an extraction
also marks the tooth ``extracted`` on the dental chart (a new chart snapshot), so the chart
never shows a tooth that has just been taken out.
"""

from __future__ import annotations

import copy
import uuid
from datetime import datetime
from typing import Any

from pydantic import Field, field_validator
from sqlalchemy import func, select

from core_schema.models import Procedure
from core_schema.statuses import ProcedureStatus
from tools.clinical.chart import (
    GONE_STATUSES,
    apply_finding,
    current_chart,
    empty_tooth,
    snapshot_source,
    write_snapshot,
)
from tools.clinical.common import (
    CHART_WRITE,
    StrictModel,
    catalog_entries,
    db_now,
    load_encounter,
    load_patient,
    open_encounter,
    resolve_procedure,
    tooth_to_str,
)
from tools.clinical.plan import load_plan_item
from tools.clinical.teeth import check_tooth, normalise_surfaces
from tools.context import Mutation, ToolContext, ToolError, ToolResult
from tools.registry import Category, tool

ACTIONS = ("start", "complete")
EXTRACTION_LABELS = ("extraction", "surgical_extraction")


class RecordProcedureInput(StrictModel):
    patient_id: uuid.UUID = Field(description="The patient's id.")
    action: str = Field(description="'start' or 'complete'.", json_schema_extra={"enum": list(ACTIONS)})
    plan_item_id: uuid.UUID | None = Field(default=None, description="The treatment plan item being done (preferred).")
    procedure_id: uuid.UUID | None = Field(default=None, description="With 'complete': the procedure in progress to finish.")
    label: str | None = Field(default=None, description="Without a plan item: the procedure label (e.g. extraction, composite).")
    code: str | None = Field(default=None, description="Without a plan item: an explicit CDT code from the catalog.")
    tooth: str | None = Field(default=None, description="Without a plan item: the FDI tooth.")
    surfaces: list[str] = Field(default_factory=list, description="Without a plan item: surfaces (M O D B L I F P) for fillings.")
    encounter_id: uuid.UUID | None = Field(default=None, description="The visit (must be this patient's); defaults to the open visit.")
    notes: str | None = Field(default=None, max_length=2000, description="Optional remark.")

    @field_validator("tooth", mode="before")
    @classmethod
    def _tooth(cls, v: Any) -> Any:
        return tooth_to_str(v)


def procedure_state(p: Procedure) -> dict[str, Any]:
    return {
        "procedure_id": str(p.id), "encounter_id": str(p.encounter_id), "code": p.cdt_code, "tooth": p.tooth_number,
        "surface": p.surface, "status": p.status, "start_at": _iso(p.start_at), "end_at": _iso(p.end_at), "notes": p.notes,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _what(code: str, label: str | None, tooth: str | None, surface: str | None) -> str:
    text = f"{code} {label.replace('_', ' ')}" if label else code
    if tooth:
        text += f" on tooth {tooth}" + (f" ({surface})" if surface else "")
    return text


@tool(
    "record_procedure",
    description=(
        "Start or complete a procedure for a patient (needs a quick confirmation). Prefer plan_item_id "
        "(a treatment plan item); otherwise give a procedure label or catalog CDT code with the FDI tooth "
        "and surfaces. action 'start' records it in progress; 'complete' finishes the one in progress (or "
        "records it done). Completing an extraction marks the tooth extracted on the chart."
    ),
    category=Category.DATA_MUTATION,
    input_model=RecordProcedureInput,
    risk_tier=2,
    **CHART_WRITE,
)
def record_procedure(ctx: ToolContext, args: RecordProcedureInput) -> ToolResult:
    s, tid, pid = ctx.session, ctx.tenant_id, args.patient_id
    load_patient(s, tid, pid)
    action = args.action.strip().lower()
    if action not in ACTIONS:
        raise ToolError(f"unknown action {args.action!r} (use start or complete)")
    by_description = bool(args.label or args.code or args.tooth or args.surfaces)
    if (args.plan_item_id or args.procedure_id) and by_description:
        raise ToolError("give either a plan item / procedure id or a label/code with tooth, not both")

    target: Procedure | None = None
    note_ref: str | None = None
    if args.procedure_id is not None:
        if action != "complete":
            raise ToolError("procedure_id is only for completing a procedure in progress")
        target = s.scalar(select(Procedure).where(Procedure.id == args.procedure_id, Procedure.tenant_id == tid))
        if target is None:
            raise ToolError(f"procedure {args.procedure_id} not found in this clinic")
        if target.patient_id != pid:
            raise ToolError(f"procedure {args.procedure_id} belongs to another patient, not to patient {pid}")
        if target.status == ProcedureStatus.COMPLETED:
            raise ToolError(f"procedure {args.procedure_id} is already completed")
        code, tooth, surface = target.cdt_code, target.tooth_number, target.surface
    elif args.plan_item_id is not None:
        item, _plan = load_plan_item(s, tid, pid, args.plan_item_id)
        code, tooth, surface = item.cdt_code, item.tooth_number, item.surface
        note_ref = f"treatment plan item {item.id}"
    else:
        tooth = check_tooth(args.tooth) if args.tooth not in (None, "") else None
        if args.surfaces and tooth is None:
            raise ToolError("surfaces were given without a tooth")
        surfaces = normalise_surfaces(args.surfaces, tooth)
        entry = resolve_procedure(s, tid, label=args.label, code=args.code, tooth=tooth, surfaces=surfaces)
        code, surface = entry.code, "".join(surfaces) or None
    label = next((e.label for e in catalog_entries(s, tid, code=code)), None)

    encounter = load_encounter(s, tid, pid, args.encounter_id) if args.encounter_id is not None else None
    if target is None:
        in_progress = s.scalar(
            select(Procedure).where(
                Procedure.tenant_id == tid, Procedure.patient_id == pid, Procedure.status == ProcedureStatus.IN_PROGRESS,
                Procedure.cdt_code == code,
                Procedure.tooth_number.is_(None) if tooth is None else Procedure.tooth_number == tooth,
                Procedure.surface.is_(None) if surface is None else Procedure.surface == surface,
            ).order_by(Procedure.start_at.desc().nulls_last(), Procedure.created_at.desc()).limit(1)
        )
        if in_progress is not None and action == "start":
            raise ToolError(f"{_what(code, label, tooth, surface)} is already in progress (procedure {in_progress.id})")
        target = in_progress if action == "complete" else None
    if target is None and encounter is None:
        encounter = open_encounter(s, tid, pid)
        if encounter is None:
            raise ToolError(f"patient {pid} has no open encounter; give encounter_id")

    now = db_now(s)
    notes = "; ".join(x for x in (note_ref, (args.notes or "").strip() or None) if x) or None
    previous: dict[str, Any] | None
    if target is None:
        proc = Procedure(
            id=uuid.uuid4(), tenant_id=tid, patient_id=pid, encounter_id=encounter.id, provider_id=ctx.user_id,  # type: ignore[union-attr]  # encounter is set on this path (a new procedure needs its visit)
            cdt_code=code, tooth_number=tooth, surface=surface, start_at=now,
            end_at=now if action == "complete" else None,
            status=ProcedureStatus.IN_PROGRESS if action == "start" else ProcedureStatus.COMPLETED, notes=notes,
        )
        s.add(proc)
        previous, action_type = None, "CREATE"
    else:
        proc = target
        previous = procedure_state(proc)
        proc.status, proc.end_at, proc.updated_at = ProcedureStatus.COMPLETED, now, func.now()
        if args.notes and args.notes.strip():
            proc.notes = "; ".join(x for x in (proc.notes, args.notes.strip()) if x)
        action_type = "UPDATE"
    s.flush()

    what = _what(code, label, tooth, surface)
    summary = f"Procedure {what} {'started' if action == 'start' else 'completed'}"
    new_state = {"patient_id": str(pid), **procedure_state(proc)}
    chart_prev: dict[str, Any] = {}
    chart_new: dict[str, Any] = {}
    snapshot_id = None
    if action == "complete" and label in EXTRACTION_LABELS and tooth:
        prev_snapshot_id, chart = current_chart(s, tid, pid, for_update=True)
        before = copy.deepcopy(chart["teeth"].get(tooth, empty_tooth()))
        if before["status"] not in GONE_STATUSES and apply_finding(chart, tooth, "extracted", [], None):
            snap = write_snapshot(s, tenant_id=tid, patient_id=pid, chart=chart, source=snapshot_source(ctx),
                                  user_id=ctx.user_id, encounter_id=proc.encounter_id)
            snapshot_id = str(snap.id)
            chart_prev = {"snapshot_id": str(prev_snapshot_id) if prev_snapshot_id else None, "teeth": {tooth: before}}
            chart_new = {"snapshot_id": snapshot_id, "teeth": {tooth: chart["teeth"].get(tooth, empty_tooth())}}
            summary += f"; tooth {tooth} marked extracted on the chart"
    if chart_new:
        new_state["chart"] = chart_new
    prev_state = {"patient_id": str(pid), **(previous or {})} if (previous or chart_prev) else None
    if chart_prev:
        prev_state = {**(prev_state or {"patient_id": str(pid)}), "chart": chart_prev}
    return ToolResult(
        output={"patient_id": str(pid), "procedure_id": str(proc.id), "status": proc.status, "code": code,
                "tooth": tooth, "surfaces": list(surface or ""), "encounter_id": str(proc.encounter_id),
                "chart_snapshot_id": snapshot_id},
        mutation=Mutation(entity_type="PROCEDURE", entity_id=proc.id, action_type=action_type,
                          previous_state=prev_state, new_state=new_state, summary=summary),
    )
