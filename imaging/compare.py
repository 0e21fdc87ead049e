"""A finding against the patient's current chart: ``new``, ``duplicate`` or ``conflict``.

``duplicate``: already charted (same label on the tooth, surfaces included) -- not proposed.
``conflict``: the chart says otherwise -- the tooth is charted missing or extracted but the
image shows something on it, or the image says missing / implant / impacted where the chart
has another status. Conflicts are proposed, flagged with the reason.
"""

from __future__ import annotations

from typing import Any

from imaging.labels import CONDITION_LABELS, RESTORATION_LABELS, STATUS_LABELS

GONE = ("missing", "extracted")


def compare(label: str, tooth: str | None, surfaces: list[str], chart: dict[str, Any]) -> tuple[str, str | None]:
    """(status, reason) of one finding against ``chart`` (``tools.clinical.chart`` model)."""
    if tooth is None:
        return "new", None
    entry = (chart.get("teeth") or {}).get(tooth)
    if not entry:
        return "new", None
    status = entry.get("status", "present")
    if label in STATUS_LABELS:
        if status == label:
            return "duplicate", None
        if status != "present":
            return "conflict", f"tooth {tooth} is charted {status}"
        if label == "missing" and (entry.get("conditions") or entry.get("restorations")):
            return "conflict", f"tooth {tooth} has findings charted on it"
        return "new", None
    if status in GONE:
        return "conflict", f"tooth {tooth} is charted {status}"
    key = "conditions" if label in CONDITION_LABELS else "restorations" if label in RESTORATION_LABELS else None
    for existing in entry.get(key, []) if key else []:
        if existing.get("label") == label and set(surfaces) <= set(existing.get("surfaces") or []):
            return "duplicate", None
    return "new", None
