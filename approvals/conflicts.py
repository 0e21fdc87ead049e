"""Conflicts of a pending chart change with the patient's chart as it is now, shown to the
reviewer before the decision (``conflicts`` of each listed request).

Two kinds, read from the current chart only, never guessed:

- ``tooth_gone``: a finding, measurement or procedure on a tooth the chart records as missing or
  extracted (the tool would refuse it, or it contradicts the chart);
- ``already_charted``: the change would chart what is already there (same status, or the same
  finding on the same or wider surfaces), so approving it changes nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from tools.clinical.chart import (
    CONDITION_LABELS,
    GONE_STATUSES,
    RESTORATION_LABELS,
    STATUS_LABELS,
    current_chart,
    normalise_tooth,
)

CHART_TOOLS = frozenset({"update_dental_chart", "chart_imaging_finding", "record_perio_measurements", "record_procedure"})


def _changes(tool: str, args: dict[str, Any]) -> list[tuple[str, str | None, list[str]]]:
    """(tooth, label, surfaces) of each change the request makes on a tooth."""
    if tool == "update_dental_chart":
        entries = [c for c in args.get("changes") or [] if isinstance(c, dict)]
    elif tool == "record_perio_measurements":
        entries = [{"tooth": t.get("tooth"), "label": None} for t in args.get("teeth") or [] if isinstance(t, dict)]
    else:
        entries = [args]
    return [(str(e["tooth"]), str(e["label"]) if e.get("label") else None, [str(s) for s in e.get("surfaces") or []])
            for e in entries if e.get("tooth") not in (None, "")]


def conflicts_of(tool: str | None, args: Any, chart: dict[str, Any]) -> list[dict[str, str]]:
    """The request's conflicts with ``chart`` (a normalised chart), in the order of its changes."""
    if tool not in CHART_TOOLS or not isinstance(args, dict):
        return []
    out: list[dict[str, str]] = []
    for tooth, label, surfaces in _changes(tool, args):
        entry = normalise_tooth(chart.get("teeth", {}).get(tooth))
        status = entry["status"]
        if status in GONE_STATUSES and label not in STATUS_LABELS:
            found = {"tooth": tooth, "kind": "tooth_gone", "message": f"Tooth {tooth} is charted {status}"}
        elif label in STATUS_LABELS and status == label:
            found = {"tooth": tooth, "kind": "already_charted", "message": f"Tooth {tooth} is already charted {label}"}
        elif tool == "update_dental_chart" and label in CONDITION_LABELS + RESTORATION_LABELS and any(
                e["label"] == label and set(surfaces) <= set(e.get("surfaces") or [])
                for e in entry["conditions" if label in CONDITION_LABELS else "restorations"]):
            where = f" ({''.join(surfaces)})" if surfaces else ""
            found = {"tooth": tooth, "kind": "already_charted",
                     "message": f"Tooth {tooth} already has {label.replace('_', ' ')}{where} charted"}
        else:
            continue
        if found not in out:
            out.append(found)
    return out


def add_conflicts(s: Session, tenant_id: uuid.UUID, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each serialized request with ``conflicts`` (one chart read per patient)."""
    charts: dict[str, dict[str, Any]] = {}
    for item in items:
        args = item.get("arguments")
        patient = args.get("patient_id") if isinstance(args, dict) else None
        item["conflicts"] = []
        if item.get("tool") not in CHART_TOOLS or not patient:
            continue
        if patient not in charts:
            try:
                charts[patient] = current_chart(s, tenant_id, uuid.UUID(str(patient)))[1]
            except ValueError:
                continue
        item["conflicts"] = conflicts_of(item.get("tool"), args, charts[patient])
    return items
