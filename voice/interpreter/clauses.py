"""Per-utterance lookups by clause, built once, so assembly stays linear in the text length.

Without them every label rescanned the whole utterance (its clause's kinds, the nearest verb,
the nearest cue), which made a long dictation quadratic: 128 KB took 18 s, 1 MB never ended.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .items import Item
from .lexicon import PLACE_VERBS

if TYPE_CHECKING:
    from .anchors import Anchor

_VERBS = frozenset({"v_start", "v_complete", "v_move"})
_BARE_VERB_CLAUSE = frozenset({"v_complete", "v_start", "word", "proc_word"})
_CUES = {"cue_plan": "plan", "cue_find": "find"}
_MOVE_SLOTS = ("item", "position", "direction")


@dataclass
class ClauseIndex:
    """Items and label anchors grouped by clause (segment), and the nearest cue before each item."""

    seg_items: dict[int, list[int]] = field(default_factory=dict)
    seg_kinds: dict[int, set[str]] = field(default_factory=dict)
    prev_cue: list[int | None] = field(default_factory=list)
    verb_of_label: dict[int, str] = field(default_factory=dict)
    bare_verb_after: dict[int, str | None] = field(default_factory=dict)
    order: dict[int, int] = field(default_factory=dict)
    # plan.item.move slots: per slot, the first occurrence at or after k and the last before k
    move_first: dict[str, list[int]] = field(default_factory=dict)
    move_last: dict[str, list[int]] = field(default_factory=dict)
    # per clause: where "put"/"place" is first said and where a position word is last said
    first_put: dict[int, int] = field(default_factory=dict)
    label_count: list[int] = field(default_factory=list)  # labels said before each item
    last_pos: dict[int, int] = field(default_factory=dict)


def index_clauses(items: list[Item], seg: list[int], anchors: list[Anchor], boundary: frozenset[str]) -> ClauseIndex:
    """Build the lookups in one pass over items and anchors."""
    ix = ClauseIndex(order={id(a): n for n, a in enumerate(anchors)})
    last_cue: int | None = None
    labels_so_far = 0
    for k, it in enumerate(items):
        ix.label_count.append(labels_so_far)
        labels_so_far += it.kind == "label" and not it.value.weak  # a weak word ("post") spends no cue
        ix.seg_items.setdefault(seg[k], []).append(k)
        ix.seg_kinds.setdefault(seg[k], set()).add(it.kind)
        ix.prev_cue.append(last_cue)
        if it.kind == "registry_verb" and it.said in PLACE_VERBS:
            ix.first_put.setdefault(seg[k], k)
        elif it.kind == "pos":
            ix.last_pos[seg[k]] = k
        if it.kind in _CUES:
            last_cue = k
    _index_move_slots(items, ix)
    labels: dict[int, list[Anchor]] = {}
    for a in anchors:
        if a.kind == "label":
            labels.setdefault(a.seg, []).append(a)
    for s, members in labels.items():
        _nearest_verbs(items, ix.seg_items.get(s, []), members, ix.verb_of_label)
        ix.bare_verb_after[s] = _bare_verb(items, ix.seg_items.get(s + 1, []), boundary)
    return ix


def move_slot(it: Item) -> str | None:
    """Which value of plan.item.move an item gives: 'item', 'position' or 'direction'."""
    if it.kind == "ordinal":
        return "item" if it.extra.get("slot") == "item" else "position"
    if it.kind == "pos":
        return "direction" if it.value in ("up", "down") else "position"
    return None


def _index_move_slots(items: list[Item], ix: ClauseIndex) -> None:
    n = len(items)
    for slot in _MOVE_SLOTS:
        last, first = [-1] * (n + 1), [n] * (n + 1)
        for k in range(n):
            last[k + 1] = k if move_slot(items[k]) == slot else last[k]
        for k in range(n - 1, -1, -1):
            first[k] = k if move_slot(items[k]) == slot else first[k + 1]
        ix.move_last[slot], ix.move_first[slot] = last, first


def move_values(items: list[Item], start: int, stop: int, ix: ClauseIndex) -> dict[str, Any]:
    """The move's values said in items[start:stop]: the last item and position, the first
    direction, keyed in the order first said (as a left-to-right scan would give them)."""
    found: list[tuple[int, str, Any]] = []
    for slot in _MOVE_SLOTS:
        first = ix.move_first[slot][start] if start < len(items) else len(items)
        if first >= stop:
            continue
        at = first if slot == "direction" else ix.move_last[slot][stop]
        found.append((first, slot, items[at].value))
    return {slot: value for _, slot, value in sorted(found)}


def _nearest_verbs(items: list[Item], ks: list[int], labels: list[Anchor], out: dict[int, str]) -> None:
    """Each verb of a clause belongs to its nearest label (the earlier one on a tie); a label
    takes its closest verb (the earliest on a tie)."""
    positions = [a.pos for a in labels]
    best: dict[int, int] = {}
    for k in ks:
        if items[k].kind not in _VERBS:
            continue
        n = bisect_left(positions, k)
        if n == len(positions) or (n > 0 and k - positions[n - 1] <= positions[n] - k):
            n -= 1
        a = labels[n]
        dist = abs(k - a.pos)
        if id(a) not in best or dist < best[id(a)]:
            best[id(a)] = dist
            out[id(a)] = items[k].kind


def _bare_verb(items: list[Item], ks: list[int], boundary: frozenset[str]) -> str | None:
    """'36 root canal, done': the next clause is only a bare verb."""
    nxt = [k for k in ks if items[k].kind not in boundary]
    if nxt and all(items[k].kind in _BARE_VERB_CLAUSE for k in nxt):
        return next((items[k].kind for k in nxt if items[k].kind in ("v_complete", "v_start")), None)
    return None


def cue_side(a: Anchor, items: list[Item], seg: list[int], ix: ClauseIndex) -> str | None:
    """'plan'/'find' from the nearest cue: before in the clause, then after it (up to the next
    label), then anywhere before."""
    before = ix.prev_cue[a.pos]
    if before is not None and seg[before] == a.seg:
        return _CUES[items[before].kind]
    for k in range(a.pos + 1, len(items)):
        if seg[k] != a.seg or items[k].kind == "label":
            break
        if items[k].kind in _CUES:
            return _CUES[items[k].kind]
    if before is None or ix.label_count[a.pos] > ix.label_count[before]:
        return None  # a cue already spent on an earlier label ("17 has an amalgam, 16 crown": the crown is planned)
    return _CUES[items[before].kind]  # "existing MOD, amalgam on 46": Whisper's comma split the cue from its label


def previous_live(a: Anchor, anchors: list[Anchor], ix: ClauseIndex) -> Anchor | None:
    """The last anchor before ``a`` that was not dropped."""
    for n in range(ix.order[id(a)] - 1, -1, -1):
        if not anchors[n].dropped:
            return anchors[n]
    return None


__all__ = ["ClauseIndex", "cue_side", "index_clauses", "move_slot", "move_values", "previous_live"]
