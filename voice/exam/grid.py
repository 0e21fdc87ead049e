"""Perio mode: what is heard fills the pending grid at the cursor, and the cursor moves on.

Depths said with no tooth fill the cursor's row (the interpreter reads three depths as MB, B,
DB; on the lingual row they are ML, L, DL) and, once the row of that tooth is full, the cursor
advances by itself. "Bleeding", "suppuration", "plaque" with no site mark the whole row;
right after the cursor advanced they belong to the tooth just probed. A tooth named aloud
moves the cursor there. Every change is logged with what it replaced, so "scratch that"
restores it exactly.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from tools.clinical.perio import furcation_grade
from voice.exam.cursor import OTHER_ROW_SITE, ROW_SITES, SITE_ROW, Row
from voice.exam.state import ExamState

SITE_LISTS = ("bleeding_sites", "suppuration_sites", "plaque_sites")
FLAG_LISTS = {"suppuration": "suppuration_sites", "plaque": "plaque_sites"}


def is_grid_proposal(proposal: dict[str, Any]) -> bool:
    """Perio commands fill the grid; everything else is charted through approval as in any dictation."""
    return str(proposal.get("command", "")).startswith("perio.")


def fold(exam: ExamState, proposal: dict[str, Any], utterance_id: str) -> str | None:
    """Apply one perio proposal to the grid and the cursor; the tooth it filled (None for a move)."""
    exam.log.append({"utterance_id": utterance_id, "at": datetime.now(timezone.utc).isoformat(), **exam.snapshot()})
    cursor = exam.cursor
    if proposal.get("command") == "perio.next_tooth":
        cursor.next_tooth()
        exam.moved(cursor)
        exam.anchor = None
        return None
    values = dict(proposal.get("values") or {})
    teeth = list(proposal.get("teeth") or ([proposal["tooth"]] if proposal.get("tooth") else []))
    said_tooth = bool(teeth) and "tooth" not in (proposal.get("from_context") or [])
    explicit_row = _row_of(values)
    if said_tooth:
        cursor.go(teeth[0], explicit_row)
        exam.moved(cursor)
        exam.anchor = None
    marks_only = not values.get("depths_mm")
    index = exam.anchor if marks_only and exam.anchor is not None and not said_tooth else exam.index
    if index is None:  # past the end of the order, nothing named: the last tooth stays in focus
        index = len(exam.order) - 1 if exam.order else None
    if index is None:
        return None
    tooth, row = exam.order[index]
    if said_tooth:
        tooth = teeth[0]
        row = explicit_row or row
    entry = exam.grid.setdefault(tooth, {})
    on_row = (lambda site: site) if said_tooth and explicit_row else (lambda site: _on_row(site, row))
    depths = {on_row(k): int(v) for k, v in (values.get("depths_mm") or {}).items()}
    if depths:
        entry["depths_mm"] = {**entry.get("depths_mm", {}), **depths}
        exam.said.append({"utterance_id": utterance_id, "tooth": tooth, "row": str(row), "depths": [depths[x] for x in sorted(depths, key=list(SITE_ROW).index)]})
    _marks(entry, values, row, on_row)
    if index != exam.anchor:
        exam.anchor = None
    if depths and set(ROW_SITES[row]) <= set(entry["depths_mm"]) and exam.index is not None and exam.order[exam.index] == (tooth, row):
        exam.anchor = exam.index
        cursor = exam.cursor
        cursor.advance()
        exam.moved(cursor)
    return tooth


def _marks(entry: dict[str, Any], values: dict[str, Any], row: Row, on_row: Any) -> None:
    whole_row = list(ROW_SITES[row])
    if "bleeding_sites" in values:
        _add_sites(entry, "bleeding_sites", [on_row(x) for x in values["bleeding_sites"]] or whole_row)
    for flag, key in FLAG_LISTS.items():
        if values.get(key):
            _add_sites(entry, key, [on_row(x) for x in values[key]])
        elif values.get(flag):
            _add_sites(entry, key, whole_row)
    recession = values.get("recession_mm")
    if isinstance(recession, dict):
        entry["recession_mm"] = {**entry.get("recession_mm", {}), **{on_row(k): int(v) for k, v in recession.items()}}
    elif recession is not None:  # one number: the middle of the row
        entry["recession_mm"] = {**entry.get("recession_mm", {}), ROW_SITES[row][1]: int(recession)}
    grade = values.get("furcation_grade")
    if grade is not None:
        entry["furcation"] = {**entry.get("furcation", {}), ROW_SITES[row][1]: furcation_grade(grade)}
    if values.get("mobility_grade") is not None:
        entry["mobility_grade"] = int(values["mobility_grade"])


def _add_sites(entry: dict[str, Any], key: str, sites: list[str]) -> None:
    entry[key] = sorted(set(entry.get(key, [])) | set(sites), key=lambda s: list(SITE_ROW).index(s))


def _row_of(values: dict[str, Any]) -> Row | None:
    """LINGUAL when the depths were said on lingual sites by name ("lingual 3 4 5"), else None (the cursor's row)."""
    sites = set(values.get("depths_mm") or {})
    return Row.LINGUAL if sites and sites <= set(ROW_SITES[Row.LINGUAL]) else None


def _on_row(site: str, row: Row) -> str:
    """A buccal-row site read on the cursor's row."""
    return OTHER_ROW_SITE.get(site, site) if row == Row.LINGUAL else site


def tool_entries(exam: ExamState) -> list[dict[str, Any]]:
    """The grid as ``record_perio_measurements`` teeth, in exam order."""
    order = list(dict.fromkeys(t for t, _ in exam.order))
    teeth = sorted(exam.grid, key=lambda t: order.index(t) if t in order else len(order))
    out = []
    for tooth in teeth:
        e = exam.grid[tooth]
        entry: dict[str, Any] = {"tooth": tooth}
        for key in ("depths_mm", "recession_mm", "furcation", *SITE_LISTS):
            if e.get(key):
                entry[key] = e[key]
        if e.get("mobility_grade") is not None:
            entry["mobility_grade"] = e["mobility_grade"]
        if len(entry) > 1:
            out.append(entry)
    return out


def read_back(exam: ExamState, tooth: str | None) -> str:
    """What the exam holds for ``tooth``, as a sentence to speak and show."""
    if tooth is None:
        return "No tooth is in focus."
    e = exam.grid.get(tooth) or {}
    parts = []
    for row in (Row.BUCCAL, Row.LINGUAL):
        depths = [str(e.get("depths_mm", {}).get(site, "-")) for site in ROW_SITES[row]]
        if any(d != "-" for d in depths):
            parts.append(f"{row} {' '.join(depths)}")
    for key, word in (("bleeding_sites", "bleeding"), ("suppuration_sites", "suppuration"), ("plaque_sites", "plaque")):
        if e.get(key):
            parts.append(f"{word} {' '.join(e[key])}")
    if e.get("recession_mm"):
        parts.append("recession " + " ".join(f"{k} {v}" for k, v in e["recession_mm"].items()))
    if e.get("furcation"):
        parts.append("furcation " + " ".join(f"{k} {v}" for k, v in e["furcation"].items()))
    if e.get("mobility_grade") is not None:
        parts.append(f"mobility {e['mobility_grade']}")
    return f"Tooth {tooth}: " + (", ".join(parts) if parts else "nothing recorded yet") + "."
