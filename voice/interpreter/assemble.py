"""Assembly: typed items -> anchored commands -> proposals (or a question).

The steps, one module each: ``anchors`` (retractions, the note's text, clauses, command
words, negation, self-corrections), ``attach`` (entities join their command),
``label_reading`` (finding, plan, diagnosis or procedure verb), ``proposals`` (slots,
context, codes, confidence).
"""

from __future__ import annotations

from dataclasses import dataclass

from .anchors import after_scratch, correct_labels, corrections, cut_note, find_anchors, negate, segments
from .attach import attach
from .clauses import index_clauses
from .items import BOUNDARY, Item
from .label_reading import merge_filling, resolve_label
from .models import Clarify, InterpretContext, Proposal
from .normalize import Tok
from .perio import group_perio
from .proposals import build_proposals, summary
from .references import resolve_in_sentence


@dataclass
class Built:
    """Proposals in spoken order, or the first question that must be asked."""

    proposals: list[Proposal]
    clarify: Clarify | None
    had_anchor: bool
    partial: bool = False  # the question is about one command; the clear ones still stand


def build(items: list[Item], toks: list[Tok], text: str, notation: str, ctx: InterpretContext, perio: bool) -> Built:
    """Items of one utterance -> proposals or a clarify question."""
    items = after_scratch(items)
    items, note_text = cut_note(items, toks, text)
    if perio:
        items = group_perio(items, ctx.perio_mode)
    seg = segments(items)
    anchors = find_anchors(items, seg, ctx)
    negate(items, seg, anchors)
    removed = corrections(items)
    correct_labels(items, anchors)
    attach(items, seg, anchors, removed)
    merge_filling(anchors)
    ix = index_clauses(items, seg, anchors, BOUNDARY)
    for a in [a for a in anchors if not a.dropped]:
        if a.kind == "label":
            resolve_label(a, items, seg, anchors, ix)
    resolve_in_sentence(anchors, items)
    live = [a for a in anchors if not a.dropped]
    proposals, clarify, partial = build_proposals(live, items, seg, ctx, notation, note_text, ix)
    return Built(proposals, clarify, had_anchor=bool(anchors), partial=partial)


__all__ = ["Built", "build", "summary"]
