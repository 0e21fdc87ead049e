"""Proposed tool calls in words, for approval requests ("the action in words")."""

from __future__ import annotations

from typing import Any


def describe(tool: str, args: dict[str, Any]) -> str:
    """A short reviewer-facing sentence; ids and clinical terms only, never patient names."""
    if tool == "update_dental_chart":
        parts = []
        for c in args.get("changes", []):
            surfaces = "".join(c.get("surfaces") or [])
            detail = f" ({surfaces})" if surfaces else ""
            grade = f" grade {c['grade']}" if c.get("grade") is not None else ""
            parts.append(f"tooth {c.get('tooth')}: {str(c.get('label', '')).replace('_', ' ')}{detail}{grade}")
        return "Chart: " + "; ".join(parts)
    if tool == "resolve_source_disagreement":  # the finding and its sources are the request's words
        return f"Disagreement: {args.get('finding')} -> {str(args.get('resolution', '')).replace('_', ' ')}"
    skip = {"patient_id", "encounter_id"}
    shown = ", ".join(f"{k}={v}" for k, v in args.items() if k not in skip and v not in (None, [], ""))
    return f"{tool.replace('_', ' ')}: {shown}" if shown else tool.replace("_", " ")
