"""record_perio_measurements: six-point perio charting, one ``perio_measurements`` row per site.

Recession is stored in ``gingival_margin_mm`` with the usual sign: the margin's position
relative to the cemento-enamel junction, negative when it has receded (recession 2 mm ->
gingival_margin_mm -2), so that attachment loss = pocket depth - gingival margin.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field, field_validator

from core_schema.models import PerioMeasurement
from tools.clinical.common import CHART_WRITE, StrictModel, db_now, load_encounter, load_patient, tooth_to_str
from tools.clinical.teeth import PERIO_SITES, check_perio_site, check_tooth, perio_index
from tools.context import Mutation, ToolContext, ToolError, ToolResult
from tools.registry import Category, tool

MAX_DEPTH_MM = 15
MAX_RECESSION_MM = 15
MAX_MOBILITY = 3
FURCATION_GRADES = ("I", "II", "III")


def furcation_grade(spoken: int | str) -> str:
    """A spoken grade (2, "2", "II") as stored ("II"); unknown grades are passed on for the tool to refuse."""
    text = str(spoken).strip().upper()
    return FURCATION_GRADES[int(text) - 1] if text.isdigit() and 1 <= int(text) <= len(FURCATION_GRADES) else text


class PerioToothEntry(StrictModel):
    tooth: str = Field(description="FDI tooth number, e.g. '16'.")
    depths_mm: dict[str, int] = Field(default_factory=dict, description="Pocket depth in mm (0-15) by site: MB, B, DB, ML, L, DL.")
    bleeding_sites: list[str] | None = Field(
        default=None,
        description="Sites that bled on probing. When given, the other sites recorded for this tooth are stored as not bleeding; "
                    "leave it out when bleeding was not assessed.",
    )
    recession_mm: dict[str, int] = Field(default_factory=dict, description="Gingival recession in mm (0-15) by site.")
    mobility_grade: int | None = Field(default=None, description="Tooth mobility grade 0-3 (stored on each site row of the tooth).")
    furcation: dict[str, str] = Field(default_factory=dict, description="Furcation involvement (I, II, III) by site, multi-rooted teeth.")
    suppuration_sites: list[str] = Field(default_factory=list, description="Sites with suppuration (pus) on probing.")
    plaque_sites: list[str] = Field(default_factory=list, description="Sites with plaque.")

    @field_validator("tooth", mode="before")
    @classmethod
    def _tooth(cls, v: Any) -> Any:
        return tooth_to_str(v)


class RecordPerioInput(StrictModel):
    patient_id: uuid.UUID = Field(description="The patient's id.")
    encounter_id: uuid.UUID | None = Field(default=None, description="The visit of the examination (optional; must be this patient's).")
    teeth: list[PerioToothEntry] = Field(min_length=1, max_length=52, description="Measurements, one entry per tooth.")


def _site_map(values: dict[str, Any], tooth: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for site, value in values.items():
        out[check_perio_site(site)] = value
    return out


def _check_mm(value: Any, tooth: str, site: str, what: str, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise ToolError(f"{what} {value} mm at tooth {tooth} {site} is out of range (0-{maximum} mm)")
    return value


@tool(
    "record_perio_measurements",
    description=(
        "Record periodontal charting for a patient (needs a quick confirmation). Per FDI tooth: pocket "
        "depths in mm by site (MB, B, DB, ML, L, DL; 0-15 mm), bleeding sites, recession in mm by site, "
        "mobility grade 0-3, furcation (I-III), suppuration and plaque sites. Three depths said without sites are the buccal row "
        "MB, B, DB. One measurement row is stored per site."
    ),
    category=Category.DATA_MUTATION,
    input_model=RecordPerioInput,
    risk_tier=2,
    **CHART_WRITE,
)
def record_perio_measurements(ctx: ToolContext, args: RecordPerioInput) -> ToolResult:
    s, tid = ctx.session, ctx.tenant_id
    load_patient(s, tid, args.patient_id)
    if args.encounter_id is not None:
        load_encounter(s, tid, args.patient_id, args.encounter_id)

    planned: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for entry in args.teeth:
        tooth = check_tooth(entry.tooth)
        depths = {site: _check_mm(v, tooth, site, "pocket depth", MAX_DEPTH_MM) for site, v in _site_map(entry.depths_mm, tooth).items()}
        recession = {site: _check_mm(v, tooth, site, "recession", MAX_RECESSION_MM) for site, v in _site_map(entry.recession_mm, tooth).items()}
        bleeding = None if entry.bleeding_sites is None else {check_perio_site(x) for x in entry.bleeding_sites}
        furcation = {}
        for site, grade in _site_map(entry.furcation, tooth).items():
            g = str(grade).strip().upper()
            if g not in FURCATION_GRADES:
                raise ToolError(f"furcation {grade!r} at tooth {tooth} {site} is not valid (use I, II or III)")
            furcation[site] = g
        mobility = entry.mobility_grade
        if mobility is not None and not 0 <= mobility <= MAX_MOBILITY:
            raise ToolError(f"mobility grade {mobility} on tooth {tooth} is out of range (0-{MAX_MOBILITY})")
        marks = {site: [word for word, where in (("suppuration", entry.suppuration_sites), ("plaque", entry.plaque_sites))
                        if site in {check_perio_site(x) for x in where}] for site in PERIO_SITES}
        sites = set(depths) | set(recession) | set(furcation) | (bleeding or set()) | {x for x, m in marks.items() if m}
        if not sites:
            raise ToolError(f"tooth {tooth}: no site measured (give depths, bleeding sites or recession by site; "
                            "mobility alone belongs on the dental chart)")
        for site in (x for x in PERIO_SITES if x in sites):
            if (tooth, site) in seen:
                raise ToolError(f"tooth {tooth} site {site} is given twice")
            seen.add((tooth, site))
            planned.append({
                "tooth": tooth, "site": site, "pocket_depth_mm": depths.get(site),
                "gingival_margin_mm": -recession[site] if site in recession else None,
                "bleeding_on_probing": None if bleeding is None else site in bleeding,
                "mobility_grade": None if mobility is None else str(mobility),
                "furcation_involvement": furcation.get(site),
                "notes": "; ".join(marks[site]) or None,  # suppuration and plaque have no column of their own
            })

    planned.sort(key=lambda r: (perio_index(r["tooth"]), PERIO_SITES.index(r["site"])))
    measured_at = db_now(s)  # wall clock: two recordings in one transaction stay distinct
    rows = [PerioMeasurement(id=uuid.uuid4(), tenant_id=tid, patient_id=args.patient_id, encounter_id=args.encounter_id,
                             measured_at=measured_at, measured_by_id=ctx.user_id, tooth_number=r["tooth"], site=r["site"],
                             pocket_depth_mm=r["pocket_depth_mm"], gingival_margin_mm=r["gingival_margin_mm"],
                             bleeding_on_probing=r["bleeding_on_probing"], mobility_grade=r["mobility_grade"],
                             furcation_involvement=r["furcation_involvement"], notes=r["notes"]) for r in planned]
    s.add_all(rows)
    s.flush()

    ids = [str(r.id) for r in rows]
    teeth = list(dict.fromkeys(r["tooth"] for r in planned))
    depths_all = [r["pocket_depth_mm"] for r in planned if r["pocket_depth_mm"] is not None]
    bleeding_count = sum(1 for r in planned if r["bleeding_on_probing"])
    parts = [f"Perio recorded: {len(rows)} site{'s' if len(rows) != 1 else ''} on {'teeth' if len(teeth) > 1 else 'tooth'} {', '.join(teeth)}"]
    if depths_all:
        parts.append(f"deepest pocket {max(depths_all)} mm")
    if bleeding_count:
        parts.append(f"{bleeding_count} bleeding")
    return ToolResult(
        output={"patient_id": str(args.patient_id), "measurement_ids": ids, "measured_at": measured_at.isoformat(),
                "teeth": teeth, "sites": len(rows)},
        mutation=Mutation(
            entity_type="PERIO_CHART", entity_id=rows[0].id, action_type="CREATE", previous_state=None,
            new_state={"patient_id": str(args.patient_id), "encounter_id": str(args.encounter_id) if args.encounter_id else None,
                       "measured_at": measured_at.isoformat(), "measurement_ids": ids,
                       "measurements": [{**r, "id": i} for r, i in zip(planned, ids, strict=True)]},
            summary="; ".join(parts),
        ),
    )
