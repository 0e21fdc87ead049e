"""Typed items: what the tagger makes of a span of tokens, and the kinds assembly reasons about.

``ItemKind`` names every kind an item can have, so a misspelt kind in assembly is a type
error rather than a rule that silently never fires.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ItemKind = Literal[
    # entities: what a command is about
    "teeth", "surf", "grade", "bad_tooth", "ambiguous_tooth", "measure", "num", "ordinal", "quantity", "range",
    # command words
    "label", "perio", "perio_kw", "next", "next_weak", "chart", "history", "show", "note", "proc_word", "registry_verb",
    "v_start", "v_complete", "v_move", "pos", "item_kw",
    # cues and modifiers
    "cue_plan", "cue_find", "neg", "destruct", "correct", "scratch", "scratch_last", "bleed", "recession", "supp", "plaque", "furcation", "gmark", "unit", "unit_mm",
    "to", "ref", "same", "hedge", "hypothetical", "past_story", "not_clinical", "no_action", "staging", "every_site",
    # structure
    "prep", "tmark", "conj", "soft", "hard", "word",
    # perio: a run of pocket depths (perio.py)
    "run",
]

BOUNDARY: frozenset[str] = frozenset({"conj", "soft", "hard"})
ENTITY: frozenset[str] = frozenset({"teeth", "surf", "grade", "bad_tooth", "ambiguous_tooth"})
TOOTHY: frozenset[str] = frozenset({"teeth", "bad_tooth", "ambiguous_tooth"})


@dataclass
class Item:
    """A typed span of tokens [i, j)."""

    kind: ItemKind
    i: int
    j: int
    value: Any = None
    penalty: float = 0.0
    said: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


__all__ = ["BOUNDARY", "ENTITY", "TOOTHY", "Item", "ItemKind"]
