"""Command words: retractions, the note's free text, clauses, anchors, negation and corrections.

An *anchor* is the word that names a command (a label such as "caries", a perio cluster,
"next tooth", "show the chart", "note"). This step finds them in spoken order and marks the
ones a negation ("no caries on 16") or a destructive request ("delete the crown") cancels,
and the entities a self-correction ("16, sorry, 17") replaces.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from .items import BOUNDARY, ENTITY, TOOTHY, Item
from .lexicon import (
    ARTICLES,
    AS,
    HISTORY_OF,
    MOVE_VERBS,
    NO,
    NOT_SIGNIFICANT,
    NOTE_LEAD,
    OF,
    REFERENCE_WORDS,
    RELATIVE_WORDS,
)
from .models import InterpretContext
from .normalize import Tok


@dataclass
class Anchor:
    """A command word found in the utterance and what attached to it."""

    kind: str
    pos: int
    item: Item
    seg: int
    entities: list[Item] = field(default_factory=list)
    dropped: bool = False
    command: str | None = None
    label: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def after_scratch(items: list[Item]) -> list[Item]:
    """'... scratch that, ...': only what follows the last retraction counts; when what follows names
    no tooth, the tooth said before stays ("28 is impacted, scratch that, missing": 28 missing).
    'scratch that last one' drops only the last clause said before it."""
    items = _drop_last_items(items)
    last = max((k for k, it in enumerate(items) if it.kind == "scratch"), default=None)
    if last is None:
        return items
    rest = items[last + 1 :]
    if any(it.kind == "label" for it in rest) and not any(it.kind in TOOTHY for it in rest):
        tooth = next((it for it in reversed(items[:last]) if it.kind in TOOTHY), None)
        if tooth is not None:
            return [tooth, *rest]
    return rest


def _drop_last_items(items: list[Item]) -> list[Item]:
    """'16 caries and 17 missing, scratch that last one': the clause before it goes (17 missing)."""
    while True:
        k = next((k for k, it in enumerate(items) if it.kind == "scratch_last"), None)
        if k is None:
            return items
        end = k
        while end > 0 and items[end - 1].kind in BOUNDARY:
            end -= 1
        start = end
        while start > 0 and items[start - 1].kind not in BOUNDARY:
            start -= 1
        items = items[:start] + items[k + 1 :]


def cut_note(items: list[Item], toks: list[Tok], text: str) -> tuple[list[Item], str | None]:
    """Everything after 'note' / 'add a note' is the note's free text, cut from the transcript."""
    for k, it in enumerate(items):
        if it.kind == "note":
            body = text[toks[it.j].start :] if it.j < len(toks) else ""
            body = body.strip().lstrip(":,-;. ").strip()
            if body.lower().startswith(NOTE_LEAD):
                body = body[len(NOTE_LEAD) :].strip()
            return items[: k + 1], body
    return items, None


def segments(items: list[Item]) -> list[int]:
    seg, out = 0, []
    for it in items:
        if it.kind in BOUNDARY:
            seg += 1
        out.append(seg)
    return out


@dataclass
class _Scan:
    """What the anchor rules read about the utterance: its items, clauses, and the session."""

    items: list[Item]
    ctx: InterpretContext
    label_segs: set[int]
    seg_kinds: dict[int, set[str]]

    @property
    def has_label(self) -> bool:
        return bool(self.label_segs)


def _label_anchor(c: _Scan, k: int, it: Item, s: int) -> Anchor | None:
    return Anchor("label", k, it, s) if it.kind == "label" else None


def _perio_anchor(c: _Scan, k: int, it: Item, s: int) -> Anchor | None:
    return Anchor("perio", k, it, s, command="perio.record") if it.kind == "perio" else None


def _next_anchor(c: _Scan, k: int, it: Item, s: int) -> Anchor | None:
    if it.kind == "next" or (it.kind == "next_weak" and c.ctx.perio_mode):
        return Anchor("next", k, it, s, command="perio.next_tooth")
    return None


def _chart_anchor(c: _Scan, k: int, it: Item, s: int) -> Anchor | None:
    if it.kind == "chart" and "show" in c.seg_kinds[s]:
        return Anchor("view", k, it, s, command="chart.show")
    return None


def _history_anchor(c: _Scan, k: int, it: Item, s: int) -> Anchor | None:
    if (it.kind == "history" or (it.kind == "cue_find" and it.said == HISTORY_OF)) and (
        "show" in c.seg_kinds[s] or not c.has_label
    ):
        return Anchor("view", k, it, s, command="history.show")
    return None


def _note_anchor(c: _Scan, k: int, it: Item, s: int) -> Anchor | None:
    return Anchor("note", k, it, s, command="note.add") if it.kind == "note" else None


def _move_it_anchor(c: _Scan, k: int, it: Item, s: int) -> Anchor | None:
    """'move it to the end', 'bump that up': a move of the session's last item."""
    kinds = c.seg_kinds[s]
    if (it.kind == "v_move" or (it.kind == "registry_verb" and it.said in MOVE_VERBS and "pos" in kinds)) and (
        _refers_back(c.items, k)
    ):
        return Anchor("move", k, it, s, command="plan.item.move", extra={"refers": True})
    return None


def _move_anchor(c: _Scan, k: int, it: Item, s: int) -> Anchor | None:
    if it.kind == "v_move" and s not in c.label_segs and c.seg_kinds[s] & {"pos", "ordinal", "item_kw"}:
        return Anchor("move", k, it, s, command="plan.item.move")
    return None


def _procedure_verb_anchor(c: _Scan, k: int, it: Item, s: int) -> Anchor | None:
    """'start the root canal on 36', 'complete it'."""
    kinds = c.seg_kinds[s]
    if it.kind in ("v_start", "v_complete") and (
        (s not in c.label_segs and ("proc_word" in kinds or kinds & TOOTHY)) or _refers_back(c.items, k)
    ):
        cmd = "procedure.start" if it.kind == "v_start" else "procedure.complete"
        return Anchor("procverb", k, it, s, command=cmd, extra={"refers": _refers_back(c.items, k)})
    return None


def _same_anchor(c: _Scan, k: int, it: Item, s: int) -> Anchor | None:
    """'same on 27': the session's last command again."""
    if it.kind == "same" and c.ctx.last_item is not None and c.ctx.last_item.command:
        return Anchor("same", k, it, s, command=c.ctx.last_item.command)
    return None


#: Anchor rules in order: the first that reads an item as a command word makes its anchor.
_ANCHOR_RULES = (
    _label_anchor, _perio_anchor, _next_anchor, _chart_anchor, _history_anchor, _note_anchor,
    _move_it_anchor, _move_anchor, _procedure_verb_anchor, _same_anchor,
)


def find_anchors(items: list[Item], seg: list[int], ctx: InterpretContext) -> list[Anchor]:
    seg_kinds: dict[int, set[str]] = {}
    for k, it in enumerate(items):
        seg_kinds.setdefault(seg[k], set()).add(it.kind)
    scan = _Scan(items, ctx, {seg[k] for k, it in enumerate(items) if it.kind == "label"}, seg_kinds)
    anchors: list[Anchor] = []
    for k, it in enumerate(items):
        a = next((a for rule in _ANCHOR_RULES if (a := rule(scan, k, it, seg[k])) is not None), None)
        if a is None:
            continue
        if a.command == "history.show" and anchors and anchors[-1].command == "history.show":
            continue  # "what did we do last time": one view
        anchors.append(a)
    return anchors


def _refers_back(items: list[Item], k: int) -> bool:
    """'complete it', 'mark that complete', 'move it before the filling': a verb whose object is a
    pronoun (just after it, or between a registry verb and it) refers to the session's last item."""
    for j in (k + 1, k - 1):
        if 0 <= j < len(items) and items[j].kind == "word" and items[j].said in REFERENCE_WORDS:
            if j == k - 1 or j + 1 >= len(items) or items[j + 1].kind != "label":
                return True
    if k >= 2 and items[k - 1].kind == "word" and items[k - 1].said == AS:
        return items[k - 2].kind == "word" and items[k - 2].said in REFERENCE_WORDS  # "mark it as complete"
    return False


def after_relative_word(items: list[Item], k: int) -> bool:
    j = k - 1
    while j >= 0 and (items[j].kind == "word" and items[j].said in ARTICLES or items[j].said == OF):
        j -= 1
    return j >= 0 and items[j].kind == "word" and items[j].said in RELATIVE_WORDS


def negate(items: list[Item], seg: list[int], anchors: list[Anchor]) -> None:
    """'no caries on 16', '17 is not missing', 'delete the crown', 'the x-ray looked fine': no
    command for those anchors."""
    quiet = {seg[k] for k, it in enumerate(items) if it.kind == "no_action"}
    for a in anchors:
        if a.seg in quiet:
            a.dropped = True
    positions = [a.pos for a in anchors]  # anchors are in spoken order
    destroyed: set[int] = set()

    def after(k: int) -> Any:
        # anchors after item k in its clause (clauses only grow along the utterance)
        for n in range(bisect_right(positions, k), len(anchors)):
            if anchors[n].seg != seg[k]:
                return
            yield anchors[n]

    for k, it in enumerate(items):
        if it.kind == "neg":
            nxt = next_significant(items, k)
            if nxt is not None and items[nxt].kind in ENTITY and it.said == NO:
                continue  # "16, no, 17": a correction, handled elsewhere
            for a in after(k):
                if a.kind in ("label", "perio"):
                    if a.kind == "perio":
                        break  # negation inside perio ("no bleeding") is handled by the perio parser
                    a.dropped = True
                    break
        elif it.kind == "destruct" and seg[k] not in destroyed:
            destroyed.add(seg[k])  # the first one drops the rest of the clause already
            for a in after(k):
                a.dropped = True


def next_significant(items: list[Item], k: int) -> int | None:
    for j in range(k + 1, len(items)):
        if items[j].kind in ("soft", "tmark", "prep") or (
            items[j].kind == "word" and items[j].said in NOT_SIGNIFICANT
        ):
            continue
        return j
    return None


def correct_labels(items: list[Item], anchors: list[Anchor]) -> None:
    """'irreversible pulpitis, sorry, reversible pulpitis': a label said right after a correction
    replaces the label said before it."""
    by_pos = {a.pos: a for a in anchors}
    last_label: Anchor | None = None
    for k, it in enumerate(items):
        if it.kind == "label" and k in by_pos:
            last_label = by_pos[k]
        elif (it.kind == "correct" or (it.kind == "neg" and it.said == NO)) and last_label is not None:
            nxt = next_significant(items, k)
            while nxt is not None and items[nxt].kind == "surf":  # "distal caries, sorry, mesial caries"
                nxt = next_significant(items, nxt)
            if nxt is not None and items[nxt].kind == "label":
                last_label.dropped = True


def corrections(items: list[Item]) -> dict[int, int]:
    """'16, sorry, 17' / '16, no, 17' / '16 I mean 17': the earlier entity of that kind is dropped
    (returned with the index of the entity that replaces it)."""
    removed: dict[int, int] = {}
    for k, it in enumerate(items):
        if it.kind == "correct" or (it.kind == "neg" and it.said == NO):
            nxt = next_significant(items, k)
            if nxt is None or items[nxt].kind not in ENTITY:
                continue
            group = TOOTHY if items[nxt].kind in TOOTHY else {items[nxt].kind}
            for j in range(k - 1, -1, -1):
                if items[j].kind in group and j not in removed:
                    removed[j] = nxt
                    break
    return removed


__all__ = ["REFERENCE_WORDS", "Anchor", "after_relative_word", "after_scratch", "correct_labels", "corrections", "cut_note", "find_anchors", "negate", "next_significant", "segments"]
