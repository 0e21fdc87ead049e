"""The voice command registry: command names, risk tiers, labels and required slots.

Read from the command specs (``commands.py``: one spec per command), so the rules
interpreter, the LLM tool schemas, the validators and the resolver cannot drift apart.
"""

from __future__ import annotations

from .commands import (
    COMMANDS,
    FINDING_LABELS,
    MOUTH_LEVEL_DIAGNOSES,
    CommandSpec,
    label_requires_surfaces,
    label_requires_tooth,
)

__all__ = [
    "COMMANDS",
    "FINDING_LABELS",
    "MOUTH_LEVEL_DIAGNOSES",
    "PROCEDURE_COMMANDS",
    "CommandSpec",
    "label_requires_surfaces",
    "label_requires_tooth",
    "required_slots",
    "risk_tier",
]

# Commands coded from the procedure catalog (a CDT code follows from label, tooth and surfaces).
PROCEDURE_COMMANDS: frozenset[str] = frozenset(c.name for c in COMMANDS.values() if c.coding == "procedure")


def risk_tier(command: str) -> int:
    """Risk tier of a registry command (KeyError for anything outside the registry)."""
    return COMMANDS[command].risk_tier


def required_slots(command: str, label: str | None) -> tuple[str, ...]:
    """Slots that must be filled (said or from context) before a proposal is complete."""
    spec = COMMANDS.get(command)
    return spec.required_slots(label) if spec is not None else ()
