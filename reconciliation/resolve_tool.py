"""The reconciliation tool; ``import reconciliation.resolve_tool`` registers it.

| tool | category | approval | tier | scope |
| --- | --- | --- | --- | --- |
| resolve_source_disagreement | DATA_MUTATION | yes | 3 | chart:write |

A reviewer approving a disagreement applies its resolution through the tool that owns the
record, in this call's transaction (so its undo and audit are that tool's):
``chart_radiograph_finding`` charts the radiograph finding (``chart_imaging_finding``: the chart
entry names the prediction), ``add_diagnosis`` adds the periodontitis diagnosis to the exam's
visit (``add_encounter_diagnosis``), ``record_review`` writes an EXAM note of the disagreement
and its sources (``create_clinical_note``). The output names the sources the finding rests on.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field, field_validator

from imaging.chart_tool import ChartImagingFindingInput, chart_imaging_finding
from reconciliation.rules import Kind, Resolution
from tools.clinical.common import CHART_WRITE, StrictModel, tooth_to_str
from tools.clinical.diagnosis import AddEncounterDiagnosisInput, add_encounter_diagnosis
from tools.clinical.notes import CreateClinicalNoteInput, create_clinical_note
from tools.context import ToolContext, ToolError, ToolResult
from tools.registry import Category, tool

TOOL = "resolve_source_disagreement"


class SourceRef(StrictModel):
    type: str = Field(description="chart, radiograph, dictation, perio, plan or diagnosis.")
    id: str | None = Field(default=None, description="The row it is (prediction, utterance, measurement, plan item, snapshot).")
    text: str = Field(description="What that source says, in words.")


class ResolveDisagreementInput(StrictModel):
    patient_id: uuid.UUID = Field(description="The patient's id.")
    encounter_id: uuid.UUID | None = Field(default=None, description="The visit the resolution belongs to (optional).")
    kind: str = Field(description="The rule: " + ", ".join(k.value for k in Kind) + ".",
                      json_schema_extra={"enum": [k.value for k in Kind]})
    finding: str = Field(max_length=500, description="The disagreement in words, e.g. 'radiograph: caries 36 D at 0.91; dictated: 36 sound'.")
    sources: list[SourceRef] = Field(min_length=1, description="The sources the finding rests on.")
    resolution: str = Field(description="What approving does: " + ", ".join(r.value for r in Resolution) + ".",
                            json_schema_extra={"enum": [r.value for r in Resolution]})
    tooth: str | None = Field(default=None, description="FDI tooth, when the finding is on one.")
    label: str | None = Field(default=None, description="The finding's label (caries, crown, periodontitis...).")
    surfaces: list[str] = Field(default_factory=list, description="Surfaces, for surface findings.")
    prediction_id: uuid.UUID | None = Field(default=None, description="The radiograph prediction to chart (chart_radiograph_finding).")

    @field_validator("tooth", mode="before")
    @classmethod
    def _tooth(cls, v: Any) -> Any:
        return tooth_to_str(v) if v not in (None, "") else None


def review_note(args: ResolveDisagreementInput) -> str:
    lines = [f"Reconciliation reviewed: {args.finding}", "Sources:"]
    lines += [f"- {s.type}{f' {s.id}' if s.id else ''}: {s.text}" for s in args.sources]
    return "\n".join(lines)


@tool(
    TOOL,
    description=(
        "Resolve one disagreement between a patient's sources found by reconciliation (needs approval): "
        "chart the radiograph finding, add the periodontitis diagnosis, or record the reviewed disagreement "
        "as an exam note; the sources it rests on are kept with it."
    ),
    category=Category.DATA_MUTATION,
    input_model=ResolveDisagreementInput,
    risk_tier=3,
    **CHART_WRITE,
)
def resolve_source_disagreement(ctx: ToolContext, args: ResolveDisagreementInput) -> ToolResult:
    try:
        kind, resolution = Kind(args.kind), Resolution(args.resolution)
    except ValueError:
        raise ToolError(f"unknown kind {args.kind!r} or resolution {args.resolution!r}") from None
    if resolution == Resolution.CHART_RADIOGRAPH_FINDING:
        if args.prediction_id is None or args.label is None:
            raise ToolError("charting a radiograph finding needs its prediction_id and label")
        done = chart_imaging_finding.fn(ctx, ChartImagingFindingInput(
            patient_id=args.patient_id, encounter_id=args.encounter_id, prediction_id=args.prediction_id,
            tooth=args.tooth, label=args.label, surfaces=args.surfaces))
    elif resolution == Resolution.ADD_DIAGNOSIS:
        done = add_encounter_diagnosis.fn(ctx, AddEncounterDiagnosisInput(
            patient_id=args.patient_id, encounter_id=args.encounter_id, label=args.label or "periodontitis",
            tooth=args.tooth, notes=f"reconciliation: {args.finding}"[:2000]))
    else:
        done = create_clinical_note.fn(ctx, CreateClinicalNoteInput(
            patient_id=args.patient_id, encounter_id=args.encounter_id, note_type="EXAM", content=review_note(args),
            language="en"))
    output = {**(done.output or {}), "kind": kind.value, "resolution": resolution.value,
              "sources": [s.model_dump() for s in args.sources]}
    return ToolResult(output=output, mutation=done.mutation, extra=done.extra)
