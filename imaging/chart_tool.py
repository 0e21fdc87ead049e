"""The clinical tools of imaging review; ``import imaging.chart_tool`` registers them.

| tool | category | approval | tier | scope |
| --- | --- | --- | --- | --- |
| chart_imaging_finding | DATA_MUTATION | yes | 3 | chart:write |
| record_radiology_report | DATA_MUTATION | no (records decisions already taken) | 1 | chart:write |

``chart_imaging_finding`` writes one confirmed radiograph finding on the chart (a new
``tooth_chart_snapshots`` version, ``action_history`` and audit in the executor's transaction,
undoable like any chart change); the chart entry carries its source, the prediction id.
Approving a ``conflict`` on a tooth charted missing charts the tooth present with the finding:
the reviewer confirmed the radiograph shows it. ``record_radiology_report`` writes the
RADIOLOGY_REPORT note listing what the reviewer confirmed, edited and rejected; it needs no
approval of its own because it only records decisions a reviewer has just taken.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field, field_validator
from sqlalchemy import select

from core_schema.models import AIPrediction, ClinicalNote
from imaging.labels import CONDITION_LABELS, LABELS, RESTORATION_LABELS, STATUS_LABELS, SURFACE_LABELS
from tools.clinical.chart import edit_chart, empty_tooth, normalise_tooth
from tools.clinical.common import CHART_WRITE, StrictModel, load_encounter, load_patient, tooth_to_str
from tools.clinical.teeth import check_tooth, normalise_surfaces
from tools.context import Mutation, ToolContext, ToolError, ToolResult
from tools.registry import Category, tool

MAX_REPORT_CHARS = 20_000


class ChartImagingFindingInput(StrictModel):
    patient_id: uuid.UUID = Field(description="The patient's id.")
    encounter_id: uuid.UUID | None = Field(default=None, description="The visit of the radiograph (optional).")
    prediction_id: uuid.UUID = Field(description="The AI prediction this finding comes from (kept as its source).")
    tooth: str | None = Field(default=None, description="FDI tooth; required before the finding can be charted.")
    label: str = Field(description="The finding: " + ", ".join(LABELS) + ".", json_schema_extra={"enum": list(LABELS)})
    surfaces: list[str] = Field(default_factory=list, description="Surfaces (M O D B L I F P) for caries, restoration, calculus.")
    values: dict[str, Any] | None = Field(default=None, description="Measured values, e.g. {'mm': 3.5} for bone_loss.")

    @field_validator("tooth", mode="before")
    @classmethod
    def _tooth(cls, v: Any) -> Any:
        return tooth_to_str(v) if v not in (None, "") else None


@tool(
    "chart_imaging_finding",
    description=(
        "Chart one radiograph finding a reviewer confirmed (needs approval): FDI tooth, label (" + ", ".join(LABELS)
        + "), surfaces where they apply, values (bone_loss mm, restoration material); the chart entry records the "
        "AI prediction it came from. Charting a finding that is already there changes nothing."
    ),
    category=Category.DATA_MUTATION,
    input_model=ChartImagingFindingInput,
    risk_tier=3,
    **CHART_WRITE,
)
def chart_imaging_finding(ctx: ToolContext, args: ChartImagingFindingInput) -> ToolResult:
    s = ctx.session
    load_patient(s, ctx.tenant_id, args.patient_id)
    if args.encounter_id is not None:
        load_encounter(s, ctx.tenant_id, args.patient_id, args.encounter_id)
    if args.tooth is None:
        raise ToolError("the finding has no tooth: set it (edit --set tooth=NN) before it is charted")
    tooth = check_tooth(args.tooth)
    label = args.label.strip().lower()
    if label not in LABELS:
        raise ToolError(f"unknown finding label {args.label!r} (known: {', '.join(LABELS)})")
    surfaces = normalise_surfaces(args.surfaces, tooth)
    if surfaces and label not in SURFACE_LABELS:
        raise ToolError(f"{label.replace('_', ' ')} is recorded on the whole tooth {tooth}; leave surfaces empty")
    prediction = s.scalar(select(AIPrediction).where(AIPrediction.id == args.prediction_id,
                                                     AIPrediction.tenant_id == ctx.tenant_id))
    if prediction is None or prediction.patient_id != args.patient_id:
        raise ToolError(f"prediction {args.prediction_id} not found for this patient")
    def apply(chart: dict[str, Any]) -> list[str]:
        text = _apply(chart, tooth, label, surfaces, args.values, str(args.prediction_id))
        return [text] if text is not None else []

    done = edit_chart(ctx, args.patient_id, args.encounter_id, apply)
    out = {"patient_id": str(args.patient_id), "prediction_id": str(args.prediction_id), "tooth": tooth}
    if done.snapshot_id is None:
        return ToolResult(output={**out, "snapshot_id": str(done.prev_id) if done.prev_id else None, "changed": 0,
                                  "summary": "no change: the finding was already charted"})
    text = done.summaries[0]
    return ToolResult(
        output={**out, "snapshot_id": str(done.snapshot_id), "changed": 1, "summary": text,
                "teeth": {tooth: done.chart["teeth"].get(tooth, empty_tooth())}},
        mutation=done.mutation(text),
    )


def _apply(chart: dict[str, Any], tooth: str, label: str, surfaces: list[str], values: dict[str, Any] | None,
           prediction_id: str) -> str | None:
    """Write the finding on ``chart`` in place; a sentence, or None when it was already there."""
    teeth = chart.setdefault("teeth", {})
    entry = normalise_tooth(teeth.get(tooth))
    source = {"type": "AI_PREDICTION", "prediction_id": prediction_id}
    name = label.replace("_", " ")
    if label in STATUS_LABELS:
        if entry["status"] == label:
            return None
        entry["status"] = label
        if label == "missing":
            entry["conditions"], entry["restorations"], entry["mobility"] = [], [], None
        entry["status_source"] = source
        teeth[tooth] = entry
        return f"Tooth {tooth} marked {label} (from radiograph)"
    reopened = entry["status"] in ("missing", "extracted")
    if reopened:
        entry["status"] = "present"
    key = "conditions" if label in CONDITION_LABELS else "restorations"
    assert label in CONDITION_LABELS | RESTORATION_LABELS
    for existing in entry[key]:
        if existing["label"] == label and set(surfaces) <= set(existing.get("surfaces") or []):
            return None
    item: dict[str, Any] = {"label": label, "surfaces": surfaces, "source": source}
    if values:
        item["values"] = values
    entry[key].append(item)
    teeth[tooth] = entry
    detail = f" ({''.join(surfaces)})" if surfaces else ""
    return f"Tooth {tooth}: {name}{detail} added from radiograph" + (" (tooth charted present again)" if reopened else "")


class RecordRadiologyReportInput(StrictModel):
    patient_id: uuid.UUID = Field(description="The patient's id.")
    encounter_id: uuid.UUID | None = Field(default=None, description="The visit (optional).")
    imaging_object_id: uuid.UUID = Field(description="The radiograph reported on.")
    content: str = Field(description="The report: findings confirmed, edited and rejected by the reviewer.")


@tool(
    "record_radiology_report",
    description="Write the radiology report note of a reviewed radiograph (the reviewer's decisions, no new claims).",
    category=Category.DATA_MUTATION,
    input_model=RecordRadiologyReportInput,
    requires_approval=False,
    risk_tier=1,
    timeout_ms=5_000,
    rate_limit_per_minute=120,
    scope="chart:write",
)
def record_radiology_report(ctx: ToolContext, args: RecordRadiologyReportInput) -> ToolResult:
    s = ctx.session
    load_patient(s, ctx.tenant_id, args.patient_id)
    if args.encounter_id is not None:
        load_encounter(s, ctx.tenant_id, args.patient_id, args.encounter_id)
    content = args.content.strip()
    if not content or len(content) > MAX_REPORT_CHARS:
        raise ToolError(f"a report needs 1 to {MAX_REPORT_CHARS} characters")
    note = ClinicalNote(id=uuid.uuid4(), tenant_id=ctx.tenant_id, patient_id=args.patient_id,
                        encounter_id=args.encounter_id, author_id=ctx.user_id, note_type="RADIOLOGY_REPORT",
                        content=content, language="en")
    s.add(note)
    s.flush()
    state = {"patient_id": str(args.patient_id), "note_id": str(note.id), "note_type": "RADIOLOGY_REPORT",
             "encounter_id": str(args.encounter_id) if args.encounter_id else None, "content": content}
    return ToolResult(
        output={"patient_id": str(args.patient_id), "note_id": str(note.id), "note_type": "RADIOLOGY_REPORT",
                "imaging_object_id": str(args.imaging_object_id)},
        mutation=Mutation(entity_type="CLINICAL_NOTE", entity_id=note.id, action_type="CREATE", previous_state=None,
                          new_state=state, summary=f"Radiology report added ({len(content)} characters)"),
    )
