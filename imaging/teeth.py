"""Tooth assignment: which tooth (FDI) and surfaces a finding is on.

Order of evidence: the tooth the model (or vendor) names; else the enumerated tooth box the
finding overlaps most (intersection over the finding's own area, at least ``MIN_OVERLAP``);
else none, and the finding is proposed with ``missing: ["tooth"]``. Surfaces the model does
not give are read from where the finding sits in its tooth's crown, for surface labels:
mesial / distal thirds (mesial is toward the midline: image right for the patient's right
quadrants 1 and 4, image left for 2 and 3, as radiographs are viewed) else occlusal/incisal.
"""

from __future__ import annotations

from typing import Any

from core_schema.dentition import ANTERIOR, tooth_class
from imaging.labels import SURFACE_LABELS

MIN_OVERLAP = 0.3


def overlap(finding: list[float], tooth: list[float]) -> float:
    """Intersection area over the finding's area (0 when it has no area)."""
    ix = max(0.0, min(finding[2], tooth[2]) - max(finding[0], tooth[0]))
    iy = max(0.0, min(finding[3], tooth[3]) - max(finding[1], tooth[1]))
    area = max(0.0, finding[2] - finding[0]) * max(0.0, finding[3] - finding[1])
    return ix * iy / area if area > 0 else 0.0


def assign(label: str, box: list[float] | None, tooth: str | None, surfaces: list[str] | None,
           teeth: dict[str, list[float]]) -> dict[str, Any]:
    """{tooth, surfaces, method, overlap, missing} for one finding; ``teeth``: FDI -> box."""
    best, score = None, 0.0
    if tooth is None and box is not None:
        for t, tb in teeth.items():
            o = overlap(box, tb)
            if o > score:
                best, score = t, o
        if score < MIN_OVERLAP:
            best = None
    chosen = tooth or best
    method = "model" if tooth else ("overlap" if best else "none")
    if surfaces is None:
        surfaces = _surfaces(label, box, teeth.get(chosen) if chosen else None, chosen)
    return {"tooth": chosen, "surfaces": surfaces, "method": method, "overlap": round(score, 3) if best else None,
            "missing": [] if chosen else ["tooth"]}


def _surfaces(label: str, box: list[float] | None, tooth_box: list[float] | None, tooth: str | None) -> list[str]:
    if label not in SURFACE_LABELS or box is None or tooth_box is None or tooth is None:
        return []
    width = tooth_box[2] - tooth_box[0]
    if width <= 0:
        return []
    rel = ((box[0] + box[2]) / 2 - tooth_box[0]) / width
    toward_right = tooth[0] in "1458"  # patient's right (1, 4; primary 5, 8): midline on the image's right
    occlusal = "I" if tooth_class(tooth) == ANTERIOR else "O"
    if rel > 2 / 3:
        return ["M" if toward_right else "D"]
    if rel < 1 / 3:
        return ["D" if toward_right else "M"]
    return [occlusal]
