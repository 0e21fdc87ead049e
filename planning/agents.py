"""The rules agents of treatment planning: deterministic, offline, each citing the evidence it used.

Each specialist reads the patient's evidence (``reconciliation.sources``) and proposes plan items;
the supervisor drops what the open plan already holds, orders the rest into phases and writes the
draft. Phases (a classic phased plan):

| phase | name | what |
| --- | --- | --- |
| 1 | urgent | pain and infection: root canal of a tooth with a periapical lesion, extraction of a fractured tooth |
| 2 | disease control | caries restored, periodontitis scaled (pockets >= 5 mm) |
| 3 | restorative | crowns on root-canal-treated teeth |
| 4 | maintenance | prophylaxis recall |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core_schema.dentition import ANTERIOR, tooth_class
from reconciliation.rules import PERIO_DEPTH_MM
from reconciliation.sources import Evidence

PHASES = {1: "urgent", 2: "disease control", 3: "restorative", 4: "maintenance"}
SPECIALISTS = ("restorative", "periodontal", "endodontic", "surgical")
SUPERVISOR = "supervisor"


@dataclass
class Proposal:
    """One plan item a specialist proposes (label + tooth + surfaces: the catalog picks the CDT code)."""

    agent: str
    label: str
    phase: int
    rationale: str
    cites: list[dict[str, str | None]]  # {type, id}: the chart rows, findings and dictations it rests on
    tooth: str | None = None
    surfaces: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)

    def key(self) -> tuple[str, str, str]:
        return (self.label, self.tooth or "", "".join(sorted(self.surfaces)))

    def as_json(self) -> dict[str, Any]:
        return {"agent": self.agent, "label": self.label, "tooth": self.tooth, "surfaces": self.surfaces,
                "phase": self.phase, "rationale": self.rationale, "cites": self.cites, "alternatives": self.alternatives}


def _conditions(ev: Evidence, label: str) -> dict[str, tuple[list[str], list[dict[str, str | None]]]]:
    """tooth -> (surfaces, cites) of every ``label`` the chart or a (not rejected) radiograph finding shows."""
    found: dict[str, tuple[list[str], list[dict[str, str | None]]]] = {}
    for tooth, entry in (ev.chart.get("teeth") or {}).items():
        if entry.get("status") in ("missing", "extracted"):
            continue
        for c in entry.get("conditions") or []:
            if c["label"] == label:
                surfaces, cites = found.setdefault(tooth, ([], []))
                surfaces += [s for s in c.get("surfaces") or [] if s not in surfaces]
                cites.append({"type": "chart", "id": ev.snapshot_id})
    for f in ev.radiograph:
        if f.label == label and f.tooth:
            surfaces, cites = found.setdefault(f.tooth, ([], []))
            surfaces += [s for s in f.surfaces if s not in surfaces]
            cites.append({"type": "radiograph", "id": f.prediction_id})
    return found


def _restored(ev: Evidence, tooth: str, label: str) -> bool:
    entry = (ev.chart.get("teeth") or {}).get(tooth) or {}
    return any(r["label"] == label for r in entry.get("restorations") or []) or any(
        f.tooth == tooth and f.label == label for f in ev.radiograph)


def endodontic(ev: Evidence) -> list[Proposal]:
    out = []
    for tooth, (_, cites) in sorted(_conditions(ev, "periapical_radiolucency").items()):
        if _restored(ev, tooth, "root_canal_treated"):
            continue
        out.append(Proposal("endodontic", "root_canal", 1, f"periapical radiolucency on {tooth}: infected pulp, treat first",
                            cites, tooth=tooth, alternatives=["extraction"]))
    return out


def surgical(ev: Evidence) -> list[Proposal]:
    return [Proposal("surgical", "extraction", 1, f"fracture charted on {tooth}: not restorable as charted",
                     cites, tooth=tooth, alternatives=["crown"])
            for tooth, (_, cites) in sorted(_conditions(ev, "fracture").items())]


def restorative(ev: Evidence, endo_teeth: set[str]) -> list[Proposal]:
    out = []
    for tooth, (surfaces, cites) in sorted(_conditions(ev, "caries").items()):
        if tooth in endo_teeth or not surfaces:
            continue
        posterior = tooth_class(tooth) != ANTERIOR
        out.append(Proposal("restorative", "composite", 2, f"caries {''.join(surfaces)} on {tooth}", cites, tooth=tooth,
                            surfaces=surfaces, alternatives=["amalgam"] if posterior else []))
    crowned_later = set(endo_teeth)
    for tooth, entry in sorted((ev.chart.get("teeth") or {}).items()):
        if any(r["label"] == "root_canal_treated" for r in entry.get("restorations") or []):
            crowned_later.add(tooth)
    for tooth in sorted(crowned_later):
        if tooth_class(tooth) != ANTERIOR and not _restored(ev, tooth, "crown"):
            cite: list[dict[str, str | None]] = [{"type": "chart", "id": ev.snapshot_id}]
            out.append(Proposal("restorative", "crown", 3, f"posterior tooth {tooth} root canal treated (or planned): cusp coverage",
                                cite, tooth=tooth, alternatives=["onlay"]))
    return out


def periodontal(ev: Evidence) -> list[Proposal]:
    deep = [p for p in ev.perio if p.depth_mm is not None and p.depth_mm >= PERIO_DEPTH_MM]
    out = []
    if deep:
        quadrants = sorted({p.tooth[0] for p in deep})
        out.append(Proposal("periodontal", "scaling_root_planing", 2,
                            f"{len(deep)} site(s) >= {PERIO_DEPTH_MM} mm in quadrant(s) {', '.join(quadrants)}",
                            [{"type": "perio", "id": p.measurement_id} for p in deep[:6]]))
    out.append(Proposal("periodontal", "prophylaxis", 4, "recall: professional cleaning" + (" after periodontal therapy" if deep else ""),
                        [{"type": "perio", "id": ev.perio[0].measurement_id}] if ev.perio else []))
    return out


def assess(agent: str, ev: Evidence, endo_teeth: set[str]) -> list[Proposal]:
    if agent == "endodontic":
        return endodontic(ev)
    if agent == "surgical":
        return surgical(ev)
    if agent == "restorative":
        return restorative(ev, endo_teeth)
    return periodontal(ev)


def supervise(proposals: list[Proposal]) -> list[Proposal]:
    """The phased draft: extraction wins over other work on its tooth, duplicates are dropped, ordered by
    phase then tooth (what the open plan already holds is dropped once each item has its CDT code)."""
    extracted = {p.tooth for p in proposals if p.label == "extraction"}
    seen: set[tuple[str, str, str]] = set()
    out = []
    for p in sorted(proposals, key=lambda p: (p.phase, p.tooth or "", p.label)):
        if p.tooth in extracted and p.label != "extraction":
            continue
        if p.key() in seen:
            continue
        seen.add(p.key())
        out.append(p)
    return out
