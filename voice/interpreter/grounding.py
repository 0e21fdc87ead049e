"""Grounding: which teeth and surfaces an utterance actually names.

Used to check interpreters that do not parse the words themselves (the LLM interpreter): an
entity that is not in the utterance (after normalising number words) or in the session
context is rejected, never charted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .normalize import has_perio_hint, normalise
from .tagger import tag
from .teeth import normalise_notation


@dataclass(frozen=True)
class Grounding:
    """Teeth (FDI) and surface letters found in the words said."""

    teeth: frozenset[str] = field(default_factory=frozenset)
    surfaces: frozenset[str] = field(default_factory=frozenset)


def grounded_entities(text: str, notation: str = "FDI", perio_mode: bool = False) -> Grounding:
    """Every tooth and surface the rules tagger can find in ``text`` (in the given notation)."""
    notation = normalise_notation(notation)
    toks = normalise(text, perio_mode)
    items = tag(toks, notation, perio_mode or has_perio_hint(text))
    teeth: set[str] = set()
    surfaces: set[str] = set()
    for it in items:
        if it.kind == "teeth":
            teeth.update(it.value)
        elif it.kind == "surf":
            surfaces.update(it.value)
    return Grounding(frozenset(teeth), frozenset(surfaces))
