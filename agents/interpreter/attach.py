"""Attachment: each entity (tooth, surface, grade) joins the command it belongs to.

By how people dictate: "16 occlusal caries" (entities first), "caries on 16" (after a
preposition), "mark 17 as missing" (inside the clause). An entity in a clause without an
anchor joins the neighbouring clause whose style it continues.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from .anchors import Anchor
from .items import BOUNDARY, ENTITY, TOOTHY, Item

ACCEPTS = frozenset({"label", "perio", "view", "move", "procverb", "same"})


def attach(items: list[Item], seg: list[int], anchors: list[Anchor], removed: dict[int, int]) -> None:
    """``removed``: entities a self-correction replaced, each with its replacement's index."""
    accepting = [a for a in anchors if a.kind in ACCEPTS and not a.dropped]
    by_seg: dict[int, list[Anchor]] = {}
    for a in accepting:
        by_seg.setdefault(a.seg, []).append(a)
    pos_of = {id(pool): [a.pos for a in pool] for pool in [accepting, *by_seg.values()]}
    before: set[int] = {id(a) for a in accepting if any(e.i < a.item.i for e in a.entities)}

    def entities_before(a: Anchor) -> bool:
        return id(a) in before

    prep_at = _prep_table(items)
    last_next = _last_next_table(items)
    destroyed = {seg[k]: k for k, it in enumerate(items) if it.kind == "destruct"}
    quiet = {seg[k] for k, it in enumerate(items) if it.kind == "no_action"}
    replaced_by = {new: old for old, new in removed.items()}
    target_of_removed: dict[int, Anchor | None] = {}
    for k, it in enumerate(items):
        if it.kind not in ENTITY or seg[k] in quiet:
            continue  # "33 is fine": that tooth is not part of any command
        if seg[k] in destroyed and k > destroyed[seg[k]]:
            continue  # "delete 17": not a registry command, its tooth goes nowhere
        prep = prep_at[k]
        local = by_seg.get(seg[k], [])
        pool = local if local else accepting
        positions = pos_of[id(pool)]
        cut = bisect_left(positions, k)
        prev_a = pool[cut - 1] if cut > 0 else None
        cut = bisect_right(positions, k)
        next_a = pool[cut] if cut < len(pool) else None
        target: Anchor | None
        if local:
            if prep and prev_a is not None:
                target = prev_a
            elif next_a is not None and (prev_a is None or entities_before(prev_a)):
                target = next_a
            else:
                target = prev_a or next_a
        elif it.kind == "surf" and prev_a is not None:
            target = prev_a  # "30 has a fracture, mesial, and 30 needs a crown": an afterthought
        elif prev_a is not None and next_a is not None and it.kind in TOOTHY and last_next[k] > prev_a.pos:
            target = next_a  # "4 3 3, next, twelve, 3 2 3": the tooth said after "next" is the next record's
        else:
            if prev_a is not None and (next_a is None or not entities_before(prev_a)):
                target = prev_a
            else:
                target = next_a or prev_a
        if k in removed:
            target_of_removed[k] = target  # where the corrected entity would have gone
            continue
        if replaced_by.get(k) in target_of_removed:
            target = target_of_removed[replaced_by[k]] or target  # "on the buccal, sorry, the palatal"
        if target is not None:
            lead = _lead_penalty(items, k)
            if lead:
                it = Item(it.kind, it.i, it.j, it.value, it.penalty + lead, it.said, it.extra)
            target.entities.append(it)
            if it.i < target.item.i:
                before.add(id(target))


def _lead_penalty(items: list[Item], k: int) -> float:
    """A repaired function word just before an entity ('sun 16', 'two sixteen') makes it less certain."""
    total = 0.0
    for j in range(k - 1, -1, -1):
        if items[j].kind in ENTITY or items[j].kind in ("label", "perio") or items[j].kind in BOUNDARY:
            break
        total += items[j].penalty
    return total


def _last_next_table(items: list[Item]) -> list[int]:
    """For each item, the index of the last "next" (tooth) said before it, or -1."""
    out, last = [], -1
    for k, it in enumerate(items):
        out.append(last)
        if it.kind in ("next", "next_weak"):
            last = k
    return out


def _prep_table(items: list[Item]) -> list[bool]:
    """``_prep_before(items, k)`` for every k, in one pass (a long list of teeth stays linear)."""
    table = [False]  # table[k]: a preposition governs item k
    for it in items:
        if it.kind == "prep":
            table.append(True)
        elif it.kind in ("tmark", "surf", "teeth", "conj") or (
            it.kind == "word" and it.said in ("the", "a", "an", "tooth", "its", "both")
        ):
            table.append(table[-1])
        else:
            table.append(False)
    return table


__all__ = ["ACCEPTS", "attach"]
