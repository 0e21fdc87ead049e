"""Treatment plans: add a planned procedure (CDT code from the catalog, fee from the schedule), reorder.

A patient has at most one open plan (status DRAFT or ACTIVE); the first planned item creates a
DRAFT plan. Items are ordered by ``sequence_order`` 1..n, and the plan's
``total_estimated_cost`` is the sum of its items' estimated fees.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from pydantic import Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core_schema.models import TreatmentPlan, TreatmentPlanItem
from core_schema.rows import present
from core_schema.statuses import PlanStatus
from tools.clinical.common import (
    CHART_WRITE,
    StrictModel,
    fee_for,
    load_patient,
    lock,
    money,
    resolve_procedure,
    tooth_to_str,
)
from tools.clinical.teeth import check_tooth, normalise_surfaces
from tools.context import Mutation, ToolContext, ToolError, ToolResult
from tools.registry import Category, tool

OPEN_PLAN_STATUSES = (PlanStatus.DRAFT, PlanStatus.ACTIVE)


def plan_items(session: Session, plan_id: uuid.UUID) -> list[TreatmentPlanItem]:
    """The plan's items in plan order (sequence_order, unnumbered last)."""
    return list(session.scalars(
        select(TreatmentPlanItem).where(TreatmentPlanItem.plan_id == plan_id)
        .order_by(TreatmentPlanItem.sequence_order.asc().nulls_last(), TreatmentPlanItem.id)
    ))


def plan_total(session: Session, plan_id: uuid.UUID) -> Decimal:
    total = session.scalar(select(func.coalesce(func.sum(TreatmentPlanItem.estimated_fee), 0)).where(TreatmentPlanItem.plan_id == plan_id))
    return Decimal(present(total, "the plan's fee total")).quantize(Decimal("0.01"))  # coalesce(sum, 0): never NULL


def open_plan(session: Session, tenant_id: uuid.UUID, patient_id: uuid.UUID) -> TreatmentPlan | None:
    return session.scalar(
        select(TreatmentPlan)
        .where(TreatmentPlan.tenant_id == tenant_id, TreatmentPlan.patient_id == patient_id,
               TreatmentPlan.status.in_(OPEN_PLAN_STATUSES))
        .order_by((TreatmentPlan.status == PlanStatus.ACTIVE).desc(), TreatmentPlan.created_at.desc(), TreatmentPlan.id)
        .limit(1)
    )


def load_plan_item(session: Session, tenant_id: uuid.UUID, patient_id: uuid.UUID, item_id: uuid.UUID) -> tuple[TreatmentPlanItem, TreatmentPlan]:
    row = session.execute(
        select(TreatmentPlanItem, TreatmentPlan)
        .join(TreatmentPlan, TreatmentPlan.id == TreatmentPlanItem.plan_id)
        .where(TreatmentPlanItem.id == item_id, TreatmentPlan.tenant_id == tenant_id)
    ).first()
    if row is None:
        raise ToolError(f"treatment plan item {item_id} not found in this clinic")
    item, plan = row
    if plan.patient_id != patient_id:
        raise ToolError(f"treatment plan item {item_id} belongs to another patient, not to patient {patient_id}")
    return item, plan


def sequence_map(items: list[TreatmentPlanItem]) -> dict[str, int | None]:
    return {str(i.id): i.sequence_order for i in items}


def _tooth_text(tooth: str | None, surface: str | None) -> str:
    if not tooth:
        return ""
    return f" on tooth {tooth}" + (f" ({surface})" if surface else "")


class AddTreatmentPlanItemInput(StrictModel):
    patient_id: uuid.UUID = Field(description="The patient's id.")
    label: str | None = Field(
        default=None,
        description="Planned procedure: root_canal, crown, extraction, surgical_extraction, composite, amalgam, "
                    "sealant, periapical_radiograph, bitewings, post_and_core, implant, implant_crown, "
                    "scaling_root_planing, veneer, fluoride_varnish, prophylaxis. The CDT code follows from "
                    "label, tooth and surfaces.",
    )
    code: str | None = Field(default=None, description="Optional explicit CDT code (e.g. 'D2392'); must be in the catalog and fit the label, tooth and surfaces.")
    tooth: str | None = Field(default=None, description="FDI tooth number, e.g. '36'.")
    surfaces: list[str] = Field(default_factory=list, description="Surfaces among M O D B L I F P, for fillings (e.g. ['M', 'O']).")
    phase: int | None = Field(default=None, ge=1, le=9, description="Optional treatment phase (1 = urgent/first).")

    @field_validator("tooth", mode="before")
    @classmethod
    def _tooth(cls, v: Any) -> Any:
        return tooth_to_str(v)


@tool(
    "add_treatment_plan_item",
    description=(
        "Add a planned procedure to the patient's open treatment plan (created as a draft when there is "
        "none; needs approval). Give a procedure label, the FDI tooth and, for fillings, the surfaces: the "
        "CDT code is chosen from the clinic's procedure catalog by tooth class and surface count (e.g. a root "
        "canal on a molar is D3330, a two-surface posterior composite D2392) and the fee from the clinic's "
        "fee schedule. The item is appended at the end of the plan. Refuses codes the catalog does not have."
    ),
    category=Category.DATA_MUTATION,
    input_model=AddTreatmentPlanItemInput,
    risk_tier=3,
    **CHART_WRITE,
)
def add_treatment_plan_item(ctx: ToolContext, args: AddTreatmentPlanItemInput) -> ToolResult:
    s, tid = ctx.session, ctx.tenant_id
    load_patient(s, tid, args.patient_id)
    tooth = check_tooth(args.tooth) if args.tooth not in (None, "") else None
    if args.surfaces and tooth is None:
        raise ToolError("surfaces were given without a tooth")
    surfaces = normalise_surfaces(args.surfaces, tooth)
    entry = resolve_procedure(s, tid, label=args.label, code=args.code, tooth=tooth, surfaces=surfaces)
    surface = "".join(surfaces) or None

    lock(s, "plan", args.patient_id)  # one open plan, one next position, even under concurrent calls
    plan = open_plan(s, tid, args.patient_id)
    plan_created = plan is None
    if plan is None:
        plan = TreatmentPlan(id=uuid.uuid4(), tenant_id=tid, patient_id=args.patient_id, created_by_id=ctx.user_id,
                             status=PlanStatus.DRAFT, total_estimated_cost=Decimal("0.00"))
        s.add(plan)
        s.flush()
        items: list[TreatmentPlanItem] = []
    else:
        items = plan_items(s, plan.id)
    if tooth is not None:
        for existing in items:
            if (existing.cdt_code, existing.tooth_number, existing.surface) == (entry.code, tooth, surface):
                raise ToolError(f"the plan already has {entry.code}{_tooth_text(tooth, surface)} (item {existing.id})")
    prev_total = plan.total_estimated_cost
    prev_order = [str(i.id) for i in items]
    fee = fee_for(s, tid, entry.id)
    sequence = max((i.sequence_order or 0 for i in items), default=0) + 1
    item = TreatmentPlanItem(id=uuid.uuid4(), plan_id=plan.id, cdt_code=entry.code, tooth_number=tooth, surface=surface,
                             phase=args.phase, sequence_order=sequence, estimated_fee=fee)
    s.add(item)
    s.flush()
    plan.total_estimated_cost = plan_total(s, plan.id)
    plan.updated_at = func.now()
    s.flush()

    new_state = {
        "patient_id": str(args.patient_id), "plan_id": str(plan.id), "plan_item_id": str(item.id),
        "plan_created": plan_created, "code": entry.code, "label": entry.label, "tooth": tooth, "surfaces": surfaces,
        "phase": args.phase, "sequence_order": sequence, "estimated_fee": money(fee),
        "total_estimated_cost": money(plan.total_estimated_cost),
    }
    fee_text = f", fee {money(fee)}" if fee is not None else ", no fee in the schedule"
    summary = (f"Plan item {entry.code} {(entry.label or '').replace('_', ' ')}{_tooth_text(tooth, surface)} "
               f"added at position {sequence}{fee_text}" + (" (new draft plan)" if plan_created else ""))
    return ToolResult(
        output={"patient_id": str(args.patient_id), "plan_id": str(plan.id), "plan_item_id": str(item.id),
                "plan_created": plan_created, "code": entry.code, "display": entry.display, "tooth": tooth,
                "surfaces": surfaces, "sequence_order": sequence, "estimated_fee": money(fee),
                "total_estimated_cost": money(plan.total_estimated_cost)},
        mutation=Mutation(
            entity_type="TREATMENT_PLAN", entity_id=item.id, action_type="CREATE",
            previous_state={"patient_id": str(args.patient_id), "plan_id": None if plan_created else str(plan.id),
                            "order": prev_order, "total_estimated_cost": money(prev_total)},
            new_state=new_state, summary=summary,
        ),
    )


class MoveTreatmentPlanItemInput(StrictModel):
    patient_id: uuid.UUID = Field(description="The patient's id.")
    plan_item_id: uuid.UUID = Field(description="The treatment plan item to move.")
    new_position: int = Field(description="Its new 1-based position in the plan (1 = first).")


@tool(
    "move_treatment_plan_item",
    description=(
        "Reorder a patient's treatment plan: move one plan item to a new 1-based position (1 = done "
        "first); the other items shift and the plan is renumbered 1..n. Needs a quick confirmation."
    ),
    category=Category.DATA_MUTATION,
    input_model=MoveTreatmentPlanItemInput,
    risk_tier=2,
    **CHART_WRITE,
)
def move_treatment_plan_item(ctx: ToolContext, args: MoveTreatmentPlanItemInput) -> ToolResult:
    s, tid = ctx.session, ctx.tenant_id
    load_patient(s, tid, args.patient_id)
    lock(s, "plan", args.patient_id)
    item, plan = load_plan_item(s, tid, args.patient_id, args.plan_item_id)
    items = plan_items(s, plan.id)
    if not 1 <= args.new_position <= len(items):
        raise ToolError(f"position {args.new_position} is outside the plan's {len(items)} item(s) (use 1-{len(items)})")
    before_order = [str(i.id) for i in items]
    before_seq = sequence_map(items)
    old_position = before_order.index(str(item.id)) + 1
    moved = [i for i in items if i.id != item.id]
    moved.insert(args.new_position - 1, item)
    for n, i in enumerate(moved, start=1):
        i.sequence_order = n
    plan.updated_at = func.now()
    s.flush()
    after_order = [str(i.id) for i in moved]
    after_seq = sequence_map(moved)
    output = {"patient_id": str(args.patient_id), "plan_id": str(plan.id), "plan_item_id": str(item.id),
              "old_position": old_position, "new_position": args.new_position, "order": after_order}
    if after_seq == before_seq:
        return ToolResult(output={**output, "changed": False})
    summary = (f"Plan item {item.cdt_code}{_tooth_text(item.tooth_number, item.surface)} moved from position "
               f"{old_position} to {args.new_position}")
    return ToolResult(
        output={**output, "changed": True},
        mutation=Mutation(
            entity_type="TREATMENT_PLAN", entity_id=item.id, action_type="UPDATE",
            previous_state={"patient_id": str(args.patient_id), "plan_id": str(plan.id), "plan_item_id": str(item.id),
                            "order": before_order, "sequence": before_seq},
            new_state={"patient_id": str(args.patient_id), "plan_id": str(plan.id), "plan_item_id": str(item.id),
                       "order": after_order, "sequence": after_seq},
            summary=summary,
        ),
    )
