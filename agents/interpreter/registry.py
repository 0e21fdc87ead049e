"""The voice command registry: command names, risk tiers, labels and required slots.

One place that says what the interpreters may emit (see ``voice-contract.md``), so the rules
interpreter, the LLM tool schemas and the validators cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from catalog import DIAGNOSIS_LABELS, PLAN_LABELS, procedures_for

FINDING_LABELS: tuple[str, ...] = (
    "caries",
    "fracture",
    "restoration",
    "crown",
    "missing",
    "watch",
    "mobility",
    "root_canal_treated",
    "impacted",
    "implant",
    "sealant",
)

# Diagnoses that describe the whole mouth as often as a tooth: a tooth is not required.
MOUTH_LEVEL_DIAGNOSES: frozenset[str] = frozenset({"gingivitis", "periodontitis"})


@dataclass(frozen=True)
class CommandSpec:
    """One registry command: its risk tier, the labels it accepts and what it does."""

    name: str
    risk_tier: int
    labels: tuple[str, ...]
    summary: str


COMMANDS: dict[str, CommandSpec] = {
    c.name: c
    for c in (
        CommandSpec("chart.finding.add", 3, FINDING_LABELS, "Record an existing condition on a tooth."),
        CommandSpec("perio.record", 2, (), "Record pocket depths, bleeding sites, recession or mobility for a tooth."),
        CommandSpec("perio.next_tooth", 1, (), "Move perio charting to the next tooth."),
        CommandSpec("diagnosis.add", 3, tuple(sorted(DIAGNOSIS_LABELS)), "Add a diagnosis."),
        CommandSpec("plan.item.add", 3, tuple(sorted(PLAN_LABELS)), "Add a planned procedure."),
        CommandSpec("plan.item.move", 2, tuple(sorted(PLAN_LABELS)), "Reorder a planned item."),
        CommandSpec("procedure.start", 2, tuple(sorted(PLAN_LABELS)), "Start a planned procedure."),
        CommandSpec("procedure.complete", 2, tuple(sorted(PLAN_LABELS)), "Complete a planned procedure."),
        CommandSpec("note.add", 2, (), "Add a free-text clinical note."),
        CommandSpec("history.show", 1, (), "Show the treatment history (read-only)."),
        CommandSpec("chart.show", 1, (), "Show the chart (read-only)."),
    )
}

PROCEDURE_COMMANDS: frozenset[str] = frozenset(
    {"plan.item.add", "plan.item.move", "procedure.start", "procedure.complete"}
)


def risk_tier(command: str) -> int:
    """Risk tier of a registry command (KeyError for anything outside the registry)."""
    return COMMANDS[command].risk_tier


@lru_cache(maxsize=None)
def label_requires_tooth(label: str) -> bool:
    """Whether every catalog entry for a procedure label is per tooth."""
    procs = procedures_for(label)
    return bool(procs) and all(p.requires_tooth for p in procs)


@lru_cache(maxsize=None)
def label_requires_surfaces(label: str) -> bool:
    """Whether the catalog codes a procedure label by surface count (fillings)."""
    procs = procedures_for(label)
    return bool(procs) and all(p.requires_surface for p in procs)


def required_slots(command: str, label: str | None) -> tuple[str, ...]:
    """Slots that must be filled (said or from context) before a proposal is complete."""
    if command == "chart.finding.add":
        return ("tooth", "grade") if label == "mobility" else ("tooth",)
    if command == "perio.record":
        return ("tooth",)
    if command == "diagnosis.add":
        return () if label in MOUTH_LEVEL_DIAGNOSES else ("tooth",)
    if command == "plan.item.add":
        if label is None:
            return ("label",)
        slots: list[str] = []
        if label_requires_tooth(label):
            slots.append("tooth")
        if label_requires_surfaces(label):
            slots.append("surfaces")
        return tuple(slots)
    if command in ("procedure.start", "procedure.complete"):
        if label is None:
            return ("label",)
        return ("tooth",) if label_requires_tooth(label) else ()
    if command == "plan.item.move":
        return ("item", "position")
    if command == "note.add":
        return ("text",)
    return ()
