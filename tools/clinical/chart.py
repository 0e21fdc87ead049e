"""The dental chart: read it, change it. Every change writes a new ``tooth_chart_snapshots`` row.

Chart model (``chart_json``)::

    {"teeth": {"16": {"status": "present", "conditions": [{"label": "caries", "surfaces": ["O"]}],
                      "restorations": [{"label": "crown", "surfaces": []}], "mobility": null}}}

Only teeth with something recorded have an entry. The current chart is the patient's latest
snapshot (by ``created_at``, then ``id``); snapshots are written with the database's wall clock,
strictly after the previous one, so two changes in one transaction still order correctly.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core_schema.models import ToothChartSnapshot
from core_schema.rows import present
from tools.clinical.common import CHART_WRITE, READ_ONLY, StrictModel, load_encounter, load_patient, lock, tooth_to_str
from tools.clinical.teeth import check_tooth, normalise_surfaces, tooth_sort_key
from tools.context import Mutation, ToolContext, ToolError, ToolResult
from tools.registry import Category, tool

STATUSES = ("present", "missing", "extracted", "impacted", "implant")
STATUS_LABELS = ("missing", "extracted", "impacted", "implant")
CONDITION_LABELS = ("caries", "fracture", "watch")
RESTORATION_LABELS = ("restoration", "crown", "sealant", "root_canal_treated")
MOBILITY_LABEL = "mobility"
FINDING_LABELS: tuple[str, ...] = CONDITION_LABELS + RESTORATION_LABELS + STATUS_LABELS + (MOBILITY_LABEL,)
# Findings recorded on a whole tooth, never on surfaces.
WHOLE_TOOTH_LABELS = frozenset(STATUS_LABELS + (MOBILITY_LABEL, "crown", "root_canal_treated"))
GONE_STATUSES = ("missing", "extracted")
MAX_MOBILITY = 3


# ---------------------------------------------------------------------------------------------
# Chart JSON helpers (shared with record_procedure and the undo handlers)


def empty_tooth() -> dict[str, Any]:
    return {"status": "present", "conditions": [], "restorations": [], "mobility": None}


def _entries(raw: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict) and item.get("label"):
            extra = {k: v for k, v in item.items() if k not in ("label", "surfaces")}
            out.append({"label": str(item["label"]), "surfaces": list(item.get("surfaces") or []), **extra})
        elif isinstance(item, str) and item:
            out.append({"label": item, "surfaces": []})
    return out


def normalise_tooth(raw: Any) -> dict[str, Any]:
    """A tooth entry with every key present (extra keys written by others are kept)."""
    raw = raw if isinstance(raw, dict) else {}
    tooth = empty_tooth()
    tooth.update({k: copy.deepcopy(v) for k, v in raw.items() if k not in tooth})
    status = raw.get("status")
    tooth["status"] = status if status in STATUSES else "present"
    tooth["conditions"] = _entries(raw.get("conditions"))
    tooth["restorations"] = _entries(raw.get("restorations"))
    mobility = raw.get("mobility")
    tooth["mobility"] = mobility if isinstance(mobility, int) and not isinstance(mobility, bool) else None
    return tooth


def is_default_tooth(tooth: dict[str, Any]) -> bool:
    return tooth == empty_tooth()


def normalise_chart(raw: Any) -> dict[str, Any]:
    """``{"teeth": {...}}`` with FDI-ordered, fully keyed entries for every recorded tooth.

    Entries that record nothing (present, no findings) are dropped; other top-level keys are kept.
    """
    raw = raw if isinstance(raw, dict) else {}
    teeth_raw = raw.get("teeth") if isinstance(raw.get("teeth"), dict) else {}
    teeth: dict[str, Any] = {}
    for key in sorted((str(k) for k in teeth_raw), key=lambda t: tooth_sort_key(t) if len(t) == 2 and t.isdigit() else (99, 0)):
        entry = normalise_tooth(teeth_raw[key])
        if not is_default_tooth(entry):
            teeth[key] = entry
    chart = {k: copy.deepcopy(v) for k, v in raw.items() if k != "teeth"}
    chart["teeth"] = teeth
    return chart


def latest_snapshot(session: Session, tenant_id: uuid.UUID, patient_id: uuid.UUID) -> ToothChartSnapshot | None:
    return session.scalar(
        select(ToothChartSnapshot)
        .where(ToothChartSnapshot.tenant_id == tenant_id, ToothChartSnapshot.patient_id == patient_id)
        .order_by(ToothChartSnapshot.created_at.desc(), ToothChartSnapshot.id.desc())
        .limit(1)
    )


def current_chart(session: Session, tenant_id: uuid.UUID, patient_id: uuid.UUID,
                  for_update: bool = False) -> tuple[uuid.UUID | None, dict[str, Any]]:
    """(snapshot id or None, normalised chart) of the patient's current chart.

    ``for_update``: hold the patient's chart lock until commit (before writing a snapshot built from it).
    """
    if for_update:
        lock(session, "chart", patient_id)
    snap = latest_snapshot(session, tenant_id, patient_id)
    if snap is None:
        return None, {"teeth": {}}
    return snap.id, normalise_chart(snap.chart_json)


def write_snapshot(session: Session, *, tenant_id: uuid.UUID, patient_id: uuid.UUID, chart: dict[str, Any],
                   source: str, user_id: uuid.UUID | None, encounter_id: uuid.UUID | None = None) -> ToothChartSnapshot:
    """A new snapshot, timestamped strictly after the patient's current one."""
    prev = latest_snapshot(session, tenant_id, patient_id)
    stamp = func.clock_timestamp()
    if prev is not None:
        stamp = func.greatest(stamp, prev.created_at + timedelta(microseconds=1))
    created_at = session.scalar(select(stamp))
    snap = ToothChartSnapshot(
        id=uuid.uuid4(), tenant_id=tenant_id, patient_id=patient_id, encounter_id=encounter_id,
        created_by_id=user_id, source=source, chart_json=normalise_chart(chart), created_at=created_at,
    )
    session.add(snap)
    session.flush()
    return snap


def snapshot_source(ctx: ToolContext) -> str:
    if ctx.voice_session_id is not None or ctx.voice_utterance_id is not None:
        return "VOICE"
    if ctx.execution_id is not None:
        return "AGENT"
    return "MANUAL"


@dataclass
class ChartEdit:
    """A chart change as committed to the session: the version it replaced and the new one.

    ``snapshot_id`` is None when the edit changed nothing: no version was written and there is
    nothing to undo."""

    patient_id: uuid.UUID
    prev_id: uuid.UUID | None
    prev_chart: dict[str, Any]
    chart: dict[str, Any]
    summaries: list[str]
    snapshot_id: uuid.UUID | None

    def mutation(self, summary: str) -> Mutation:
        """The undoable record of the new version (the previous chart is what an undo restores)."""
        patient = str(self.patient_id)
        return Mutation(
            entity_type="DENTAL_CHART", entity_id=present(self.snapshot_id, "the new chart snapshot's id"), action_type="UPDATE",
            previous_state={"patient_id": patient, "snapshot_id": str(self.prev_id) if self.prev_id else None,
                            "chart": self.prev_chart},
            new_state={"patient_id": patient, "snapshot_id": str(self.snapshot_id), "chart": self.chart},
            summary=summary,
        )


def edit_chart(ctx: ToolContext, patient_id: uuid.UUID, encounter_id: uuid.UUID | None,
               edit: Callable[[dict[str, Any]], list[str]]) -> ChartEdit:
    """Apply ``edit`` to a copy of the patient's current chart under its lock; write a new version
    only when ``edit`` says (one sentence per change) that it changed something.

    Every tool that charts goes through here, so each keeps the same locking, normalising and undo record."""
    prev_id, prev_chart = current_chart(ctx.session, ctx.tenant_id, patient_id, for_update=True)
    chart = copy.deepcopy(prev_chart)
    summaries = edit(chart)
    chart = normalise_chart(chart)
    snapshot_id = None
    if summaries:
        snapshot_id = write_snapshot(ctx.session, tenant_id=ctx.tenant_id, patient_id=patient_id, chart=chart,
                                     source=snapshot_source(ctx), user_id=ctx.user_id, encounter_id=encounter_id).id
    return ChartEdit(patient_id, prev_id, prev_chart, chart, summaries, snapshot_id)


def _surfaces_text(surfaces: list[str]) -> str:
    return f" ({''.join(surfaces)})" if surfaces else ""


def apply_finding(chart: dict[str, Any], tooth: str, label: str, surfaces: list[str], grade: int | None) -> str | None:
    """Apply one finding to ``chart`` in place; a short description, or None when it changed nothing."""
    teeth = chart.setdefault("teeth", {})
    entry = normalise_tooth(teeth.get(tooth))
    before = copy.deepcopy(entry)
    name = label.replace("_", " ")
    if label in STATUS_LABELS:
        if entry["status"] == label:
            return None
        entry["status"] = label
        cleared = label in GONE_STATUSES and (entry["conditions"] or entry["restorations"] or entry["mobility"] is not None)
        if label in GONE_STATUSES:
            entry["conditions"], entry["restorations"], entry["mobility"] = [], [], None
        text = f"tooth {tooth} marked {label}" + (" (its findings cleared)" if cleared else "")
    elif entry["status"] in GONE_STATUSES:
        raise ToolError(f"tooth {tooth} is recorded as {entry['status']}: it cannot have {name}")
    elif label == MOBILITY_LABEL:
        if grade is None:
            raise ToolError(f"mobility on tooth {tooth} needs a grade (0-{MAX_MOBILITY})")
        if entry["mobility"] == grade:
            return None
        entry["mobility"] = grade
        text = f"tooth {tooth}: mobility grade {grade}"
    else:
        key = "conditions" if label in CONDITION_LABELS else "restorations"
        for existing in entry[key]:
            if existing["label"] == label and set(surfaces) <= set(existing.get("surfaces") or []):
                return None  # already charted (same or wider surfaces)
        entry[key].append({"label": label, "surfaces": list(surfaces)})
        text = f"tooth {tooth}: {name}{_surfaces_text(surfaces)} added"
    if entry == before:
        return None
    teeth[tooth] = entry
    return text


def revert_teeth(current: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Undo the per-tooth difference ``before`` -> ``after`` on ``current``.

    Teeth the change did not touch keep their current entry. A tooth changed again since
    (current differs from ``after``) is a conflict: the undo is refused rather than losing
    the later change.
    """
    b, a, c = (normalise_chart(x)["teeth"] for x in (before, after, current))
    result = normalise_chart(current)
    changed = sorted({t for t in set(a) | set(b) if a.get(t) != b.get(t)}, key=tooth_sort_key)
    conflicts = [t for t in changed if c.get(t) != a.get(t)]
    if changed and conflicts and all(c.get(t) == b.get(t) for t in changed):
        raise ToolError("this chart change is already undone")
    if conflicts:
        raise ToolError("the chart of tooth " + ", ".join(conflicts) + " has changed since; undo the later change first")
    for t in changed:
        if t in b:
            result["teeth"][t] = copy.deepcopy(b[t])
        else:
            result["teeth"].pop(t, None)
    return normalise_chart(result), changed


# ---------------------------------------------------------------------------------------------
# Tools


class GetDentalChartInput(StrictModel):
    patient_id: uuid.UUID = Field(description="The patient's id.")
    teeth: list[str] | None = Field(
        default=None,
        description="Optional FDI teeth to return even when nothing is recorded on them (e.g. ['16', '17']). "
                    "Without it, only teeth with something recorded are returned.",
    )

    @field_validator("teeth", mode="before")
    @classmethod
    def _teeth(cls, v: Any) -> Any:
        return [tooth_to_str(t) for t in v] if isinstance(v, list) else v


@tool(
    "get_dental_chart",
    description=(
        "Read a patient's current dental chart. Returns `teeth`, an object keyed by FDI tooth number "
        "(e.g. '16'), each with `status` (present|missing|extracted|impacted|implant), `conditions` "
        "(caries, fracture, watch with surfaces), `restorations` (restoration, crown, sealant, "
        "root_canal_treated with surfaces) and `mobility` (grade or null); teeth with nothing recorded "
        "are omitted unless asked for in `teeth`. Also returns `snapshot_id` of the chart version read."
    ),
    category=Category.DATA_RETRIEVAL,
    input_model=GetDentalChartInput,
    **READ_ONLY,
    scope="chart:read",
)
def get_dental_chart(ctx: ToolContext, args: GetDentalChartInput) -> ToolResult:
    load_patient(ctx.session, ctx.tenant_id, args.patient_id)
    wanted = [check_tooth(t) for t in args.teeth or []]
    snap = latest_snapshot(ctx.session, ctx.tenant_id, args.patient_id)
    chart = normalise_chart(snap.chart_json if snap else None)
    for t in wanted:
        chart["teeth"].setdefault(t, empty_tooth())
    chart["teeth"] = {t: chart["teeth"][t] for t in sorted(chart["teeth"], key=tooth_sort_key)}
    return ToolResult(output={
        "patient_id": str(args.patient_id),
        "snapshot_id": str(snap.id) if snap else None,
        "recorded_at": snap.created_at.isoformat() if snap else None,
        **chart,
    })


class ChartChange(StrictModel):
    tooth: str = Field(description="FDI tooth number, e.g. '16' (permanent 11-48, primary 51-85).")
    label: str = Field(
        description="The finding: " + ", ".join(FINDING_LABELS) + ".",
        json_schema_extra={"enum": list(FINDING_LABELS)},
    )
    surfaces: list[str] = Field(default_factory=list, description="Surfaces among M O D B L I F P (only for caries, fracture, watch, restoration, sealant).")
    grade: int | None = Field(default=None, description=f"Mobility grade 0-{MAX_MOBILITY}; only with label 'mobility'.")

    @field_validator("tooth", mode="before")
    @classmethod
    def _tooth(cls, v: Any) -> Any:
        return tooth_to_str(v)


class UpdateDentalChartInput(StrictModel):
    patient_id: uuid.UUID = Field(description="The patient's id.")
    encounter_id: uuid.UUID | None = Field(default=None, description="The visit the findings were made in (optional; must be this patient's).")
    changes: list[ChartChange] = Field(min_length=1, max_length=64, description="Findings to chart, applied in order.")


def _check_change(change: ChartChange) -> tuple[str, str, list[str], int | None]:
    tooth = check_tooth(change.tooth)
    label = change.label.strip().lower()
    if label not in FINDING_LABELS:
        raise ToolError(f"unknown finding label {change.label!r} (known: {', '.join(FINDING_LABELS)})")
    surfaces = normalise_surfaces(change.surfaces, tooth)
    if surfaces and label in WHOLE_TOOTH_LABELS:
        raise ToolError(f"{label} is recorded on the whole tooth {tooth}; leave surfaces empty")
    grade = change.grade
    if label == MOBILITY_LABEL:
        if grade is None or not 0 <= grade <= MAX_MOBILITY:
            raise ToolError(f"mobility on tooth {tooth} needs a grade from 0 to {MAX_MOBILITY}, got {grade}")
    elif grade is not None:
        raise ToolError(f"a grade is only for mobility, not for {label}")
    return tooth, label, surfaces, grade


@tool(
    "update_dental_chart",
    description=(
        "Chart existing findings on a patient's teeth (writes a new chart version; needs approval). "
        "Each change names an FDI tooth, a label and, where it applies, surfaces (M O D B L I F P): "
        "caries/fracture/watch are conditions; restoration/crown/sealant/root_canal_treated are "
        "restorations; missing/extracted/impacted/implant set the tooth status; mobility sets a grade 0-3. "
        "Charting a finding that is already there changes nothing."
    ),
    category=Category.DATA_MUTATION,
    input_model=UpdateDentalChartInput,
    risk_tier=3,
    **CHART_WRITE,
)
def update_dental_chart(ctx: ToolContext, args: UpdateDentalChartInput) -> ToolResult:
    s = ctx.session
    load_patient(s, ctx.tenant_id, args.patient_id)
    if args.encounter_id is not None:
        load_encounter(s, ctx.tenant_id, args.patient_id, args.encounter_id)
    checked = [_check_change(c) for c in args.changes]  # refuse the whole call before changing anything

    def apply_all(chart: dict[str, Any]) -> list[str]:
        return [text for tooth, label, surfaces, grade in checked if (text := apply_finding(chart, tooth, label, surfaces, grade))]

    done = edit_chart(ctx, args.patient_id, args.encounter_id, apply_all)
    touched = list(dict.fromkeys(c[0] for c in checked))
    teeth = {t: done.chart["teeth"].get(t, empty_tooth()) for t in touched}
    if done.snapshot_id is None:
        # Nothing new: no chart version is written and there is nothing to undo.
        return ToolResult(output={"patient_id": str(args.patient_id), "snapshot_id": str(done.prev_id) if done.prev_id else None,
                                  "changed": 0, "summary": "no change: every finding was already charted", "teeth": teeth})
    summary = "; ".join(done.summaries)
    summary = summary[0].upper() + summary[1:]
    return ToolResult(
        output={"patient_id": str(args.patient_id), "snapshot_id": str(done.snapshot_id), "changed": len(done.summaries),
                "summary": summary, "teeth": teeth},
        mutation=done.mutation(summary),
    )
