"""The resolver: interpreted proposals -> concrete tool calls for one patient and encounter.

The interpreter works from words; the resolver grounds them in this clinic's data: CDT and
ICD codes are taken from the catalog rows in the database (never from the interpreter alone),
plan items to move are looked up on the patient's open plan, and read-only or navigation
commands are told apart from changes. It only reads; the tools write.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core_schema.catalog import DIAGNOSES, CatalogRow, CodeChoice, select_code
from core_schema.models import CodeValue, TreatmentPlan, TreatmentPlanItem
from tools.clinical.common import catalog_entries
from tools.clinical.perio import furcation_grade
from tools.clinical.plan import OPEN_PLAN_STATUSES
from voice.interpreter.commands import COMMANDS, CommandSpec
from voice.interpreter.lexicon import FILLING_MATERIALS


@dataclass
class Catalog:
    """The procedure and diagnosis codes that exist in this clinic's database."""

    procedures: list[CatalogRow]
    diagnoses: dict[str, str]  # label -> ICD code

    def select(self, label: str, tooth: str | None, surfaces: list[str]) -> CodeChoice[CatalogRow]:
        """The catalog rule (``catalog.select_code``) over this clinic's rows."""
        return select_code(self.procedures, label, tooth, surfaces)


def load_catalog(session: Session, tenant_id: uuid.UUID) -> Catalog:
    """The active catalog as the clinical tools read it (``catalog_entries``: the clinic's own row
    for a code overrides the shared one), so a proposal and its apply pick the same code."""
    procedures: list[CatalogRow] = list(catalog_entries(session, tenant_id))
    known = set(session.scalars(select(CodeValue.code).where(CodeValue.category == "DIAGNOSIS", CodeValue.is_active.is_(True))))
    return Catalog(procedures, {d.label: d.code for d in DIAGNOSES if d.code in known})


@dataclass
class ResolvedCall:
    """One tool call for one proposal (a proposal on several teeth may give several calls)."""

    proposal_index: int
    command: str
    tool: str
    args: dict[str, Any]


@dataclass
class Resolution:
    calls: list[ResolvedCall] = field(default_factory=list)
    focus: dict[str, Any] = field(default_factory=dict)  # session context to keep: tooth_in_focus, perio_mode
    problems: list[str] = field(default_factory=list)


def resolve(interpretation: dict[str, Any], *, session: Session, catalog: Catalog, patient_id: uuid.UUID,
            encounter_id: uuid.UUID | None) -> Resolution:
    """Turn a ``proposal`` interpretation into tool calls; anything unresolvable is a problem."""
    out = Resolution()
    if interpretation.get("kind") != "proposal":
        return out
    base = {"patient_id": str(patient_id)}
    for i, p in enumerate(interpretation.get("proposals", [])):
        if p.get("missing"):
            out.problems.append(f"{p['command']}: not said: {', '.join(p['missing'])}")
            continue
        spec = COMMANDS.get(p["command"])
        if spec is None:
            out.problems.append(f"{p['command']} is not supported by the voice workflow")
            continue
        try:
            for args in _HANDLERS[spec.name](p, base, encounter_id, catalog, session, out):
                out.calls.append(ResolvedCall(i, p["command"], _tool(spec), args))
        except _Unresolvable as exc:
            out.problems.append(str(exc))
            continue
        # the items "complete it", "move it" and "same on 27" can refer to (voice contract)
        if p.get("label") and spec.context_item:
            out.focus["last_item"] = last_item(p)
    return out


def _tool(spec: CommandSpec) -> str:
    if spec.tool is None:
        raise RuntimeError(f"{spec.name} calls no tool, yet its resolver step gave a call")
    return spec.tool


def last_item(p: dict[str, Any]) -> dict[str, Any]:
    """The session's last item as the interpreter's context takes it (ids and codes only, no text)."""
    teeth = _teeth(p)
    return {"command": p["command"], "label": p["label"], "tooth": teeth[0] if len(teeth) == 1 else None,
            "surfaces": list(p.get("surfaces") or [])}


# A resolver step: one proposal -> the arguments of each call of its spec's tool.
Step = Callable[..., Iterator[dict[str, Any]]]


class _Unresolvable(Exception):
    pass


def _teeth(p: dict[str, Any]) -> list[str]:
    return list(p.get("teeth") or ([p["tooth"]] if p.get("tooth") else []))


def _finding(p, base, encounter_id, catalog, session, out):
    changes = []
    for tooth in _teeth(p):
        change: dict[str, Any] = {"tooth": tooth, "label": p["label"], "surfaces": list(p.get("surfaces") or [])}
        if p["label"] == "mobility" and "grade" in (p.get("values") or {}):
            change["grade"] = p["values"]["grade"]
        changes.append(change)
    args = {**base, "changes": changes}
    if encounter_id:
        args["encounter_id"] = str(encounter_id)
    yield args


def _perio(p, base, encounter_id, catalog, session, out):
    values = p.get("values") or {}
    entries = []
    for tooth in _teeth(p):
        entry: dict[str, Any] = {"tooth": tooth}
        if values.get("depths_mm"):
            entry["depths_mm"] = values["depths_mm"]
        if values.get("bleeding_sites"):
            entry["bleeding_sites"] = values["bleeding_sites"]
        recession = values.get("recession_mm")
        if recession is not None:  # one number without a site is read at mid-buccal, the usual site
            entry["recession_mm"] = recession if isinstance(recession, dict) else {"B": recession}
        if values.get("mobility_grade") is not None:
            entry["mobility_grade"] = values["mobility_grade"]
        for key in ("suppuration_sites", "plaque_sites"):
            if values.get(key):
                entry[key] = values[key]
        if values.get("furcation_grade") is not None:  # graded at the buccal furcation, where it is probed first
            entry["furcation"] = {"B": furcation_grade(values["furcation_grade"])}
        entries.append(entry)
    out.focus.update(perio_mode=True, tooth_in_focus=_teeth(p)[-1] if _teeth(p) else None)
    args = {**base, "teeth": entries}
    if encounter_id:
        args["encounter_id"] = str(encounter_id)
    yield args


def _diagnosis(p, base, encounter_id, catalog, session, out):
    code = catalog.diagnoses.get(p["label"])
    if code is None:
        raise _Unresolvable(f"no diagnosis code for {p['label']} in this clinic's catalog")
    for tooth in _teeth(p) or [None]:
        args = {**base, "label": p["label"], "code": code}
        if tooth:
            args["tooth"] = tooth
        if encounter_id:
            args["encounter_id"] = str(encounter_id)
        yield args


def _procedure_code(p: dict[str, Any], tooth: str | None, catalog: Catalog) -> str:
    surfaces = list(p.get("surfaces") or [])
    choice = catalog.select(p["label"], tooth, surfaces)
    if choice.code is not None:
        return choice.code
    what = f"{p['label'].replace('_', ' ')}{f' on tooth {tooth}' if tooth else ''}"
    if choice.no_fit:
        raise _Unresolvable(f"no catalog code for {what} with {len(surfaces)} surface(s)")
    options = ", ".join(sorted({e.code for e in choice.candidates}))
    need = [w for w, missing in (("the tooth", tooth is None and any(e.requires_tooth for e in choice.candidates)),
                                 ("the surfaces", not surfaces and any(e.requires_surface for e in choice.candidates)))
            if missing]
    raise _Unresolvable(f"several catalog codes fit {what} ({options}); say {' and '.join(need) or 'which one'}")


def _plan_add(p, base, encounter_id, catalog, session, out):
    teeth = _teeth(p)
    entries = [e for e in catalog.procedures if e.label == p["label"]]
    per_tooth = bool(teeth) and (not entries or any(e.requires_tooth for e in entries))
    for tooth in teeth if per_tooth else [None]:
        args = {**base, "label": p["label"], "code": _procedure_code(p, tooth, catalog),
                "surfaces": list(p.get("surfaces") or [])}
        if tooth:
            args["tooth"] = tooth
        yield args


def _procedure(p, base, encounter_id, catalog, session, out):
    action = "start" if p["command"] == "procedure.start" else "complete"
    for tooth in _teeth(p) or [None]:
        args = {**base, "action": action, "label": p["label"], "code": _procedure_code(p, tooth, catalog),
                "surfaces": list(p.get("surfaces") or [])}
        if tooth:
            args["tooth"] = tooth
        if encounter_id:
            args["encounter_id"] = str(encounter_id)
        yield args


def _plan_move(p, base, encounter_id, catalog, session, out):
    tooth = (_teeth(p) or [None])[0]
    query = (
        select(TreatmentPlanItem.id, TreatmentPlanItem.cdt_code, TreatmentPlanItem.tooth_number)
        .join(TreatmentPlan, TreatmentPlan.id == TreatmentPlanItem.plan_id)
        .where(TreatmentPlan.patient_id == uuid.UUID(base["patient_id"]), TreatmentPlan.status.in_(OPEN_PLAN_STATUSES))
        .order_by(TreatmentPlanItem.sequence_order)
    )
    rows = list(session.execute(query))
    codes = {e.code for e in catalog.procedures if e.label == p.get("label")}
    matches = [row for row in rows if (not codes or row.cdt_code in codes)
               and (tooth is None or row.tooth_number == tooth)]
    if len(matches) != 1:
        what = f"{(p.get('label') or 'item').replace('_', ' ')}{f' on {tooth}' if tooth else ''}"
        raise _Unresolvable(f"plan.item.move: {len(matches)} planned {what} found; say which one")
    yield {**base, "plan_item_id": str(matches[0].id),
           "new_position": _new_position(p.get("values") or {}, rows, matches[0], catalog)}


def _new_position(values: dict[str, Any], rows: list[Any], moved: Any, catalog: Any) -> int:
    """The 1-based place a plan item moves to: a number, "last", "up"/"down" one place, or just
    before the item named by ``relative_to`` ("move it before the filling")."""
    position, direction, before = values.get("position"), values.get("direction"), values.get("relative_to")
    current = [row.id for row in rows].index(moved.id) + 1
    if isinstance(position, int):
        return position
    if position == "last":
        return len(rows)
    if direction in ("up", "down"):
        return max(1, current - 1) if direction == "up" else min(len(rows), current + 1)
    if before:
        labels = FILLING_MATERIALS if before == "filling" else (before,)
        codes = {e.code for e in catalog.procedures if e.label in labels}
        others = [row for row in rows if row.id != moved.id]
        refs = [i for i, row in enumerate(others, start=1) if row.cdt_code in codes]
        if len(refs) != 1:
            raise _Unresolvable(f"plan.item.move: {len(refs)} planned {before.replace('_', ' ')} found to move it before; say which one")
        return refs[0]
    raise _Unresolvable("plan.item.move: say where to move it (a position, first, last, up or down)")


def _note(p, base, encounter_id, catalog, session, out):
    args = {**base, "content": p["values"]["text"], "note_type": "PROGRESS"}
    if encounter_id:
        args["encounter_id"] = str(encounter_id)
    yield args


def _chart_show(p, base, encounter_id, catalog, session, out):
    yield dict(base)


def _history_show(p, base, encounter_id, catalog, session, out):
    yield dict(base)


def _next_tooth(p, base, encounter_id, catalog, session, out):
    out.focus.update(perio_mode=True, tooth_in_focus=(p.get("values") or {}).get("next_tooth"))
    return iter(())


# Resolver steps, by the name a command's spec gives (``CommandSpec.step``).
_STEPS: dict[str, Step] = {
    "finding": _finding,
    "perio": _perio,
    "next_tooth": _next_tooth,
    "diagnosis": _diagnosis,
    "plan_add": _plan_add,
    "plan_move": _plan_move,
    "procedure": _procedure,
    "note": _note,
    "chart_show": _chart_show,
    "history_show": _history_show,
}

# One step per command spec: a spec whose step is missing fails here, at import.
_HANDLERS: dict[str, Step] = {name: _STEPS[spec.step] for name, spec in COMMANDS.items()}
