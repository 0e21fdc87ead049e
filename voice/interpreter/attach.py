"""Attachment: each entity (tooth, surface, grade) joins the command it belongs to.

By how people dictate: "16 occlusal caries" (entities first), "caries on 16" (after a
preposition), "mark 17 as missing" (inside the clause). An entity in a clause without an
anchor joins the neighbouring clause whose style it continues.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from .anchors import Anchor
from .items import BOUNDARY, ENTITY, TOOTHY, Item
from .lexicon import ENTITY_GLUE

ACCEPTS = frozenset({"label", "perio", "view", "move", "procverb", "same"})


class _Attacher:
    """The tables attachment reads (anchors by clause, prepositions, "next", corrections) and its state."""

    def __init__(self, items: list[Item], seg: list[int], anchors: list[Anchor], removed: dict[int, int]) -> None:
        self.items, self.seg, self.removed = items, seg, removed
        self.accepting = [a for a in anchors if a.kind in ACCEPTS and not a.dropped]
        self.by_seg: dict[int, list[Anchor]] = {}
        for a in self.accepting:
            self.by_seg.setdefault(a.seg, []).append(a)
        self.pos_of = {id(pool): [a.pos for a in pool] for pool in [self.accepting, *self.by_seg.values()]}
        self.before: set[int] = {id(a) for a in self.accepting if any(e.i < a.item.i for e in a.entities)}
        self.prep_at = _prep_table(items)
        self.last_next = _last_next_table(items)
        self.destroyed = {seg[k]: k for k, it in enumerate(items) if it.kind == "destruct"}
        self.quiet = {seg[k] for k, it in enumerate(items) if it.kind == "no_action"}
        self.replaced_by = {new: old for old, new in removed.items()}
        self.target_of_removed: dict[int, Anchor | None] = {}

    def entities_before(self, a: Anchor) -> bool:
        return id(a) in self.before

    def skipped(self, k: int, it: Item) -> bool:
        """Not an entity, or one that joins no command."""
        if it.kind not in ENTITY or self.seg[k] in self.quiet:
            return True  # "33 is fine": that tooth is not part of any command
        # "delete 17": not a registry command, its tooth goes nowhere
        return self.seg[k] in self.destroyed and k > self.destroyed[self.seg[k]]

    def neighbours(self, k: int) -> tuple[bool, Anchor | None, Anchor | None]:
        """Whether the clause has its own anchors, and the anchors just before and after item ``k``."""
        local = self.by_seg.get(self.seg[k], [])
        pool = local if local else self.accepting
        positions = self.pos_of[id(pool)]
        cut = bisect_left(positions, k)
        prev_a = pool[cut - 1] if cut > 0 else None
        cut = bisect_right(positions, k)
        next_a = pool[cut] if cut < len(pool) else None
        return bool(local), prev_a, next_a

    def target(self, k: int, it: Item) -> Anchor | None:
        """The command entity ``k`` belongs to, by how people dictate."""
        local, prev_a, next_a = self.neighbours(k)
        if local:
            return self._local_target(k, prev_a, next_a)
        if it.kind == "surf" and prev_a is not None:
            return prev_a  # "30 has a fracture, mesial, and 30 needs a crown": an afterthought
        if prev_a is not None and next_a is not None and it.kind in TOOTHY and self.last_next[k] > prev_a.pos:
            return next_a  # "4 3 3, next, twelve, 3 2 3": the tooth said after "next" is the next record's
        if prev_a is not None and (next_a is None or not self.entities_before(prev_a)):
            return prev_a
        return next_a or prev_a

    def _local_target(self, k: int, prev_a: Anchor | None, next_a: Anchor | None) -> Anchor | None:
        """In a clause with its own anchors: after a preposition the one before, else the style continued."""
        if self.prep_at[k] and prev_a is not None:
            return prev_a
        if next_a is not None and (prev_a is None or self.entities_before(prev_a)):
            return next_a
        return prev_a or next_a

    def place(self, k: int, it: Item, target: Anchor | None) -> None:
        """Attach entity ``k`` (a self-correction's replacement goes where the corrected one would have)."""
        if k in self.removed:
            self.target_of_removed[k] = target  # where the corrected entity would have gone
            return
        if self.replaced_by.get(k) in self.target_of_removed:
            target = self.target_of_removed[self.replaced_by[k]] or target  # "on the buccal, sorry, the palatal"
        if target is None:
            return
        lead = _lead_penalty(self.items, k)
        if lead:
            it = Item(it.kind, it.i, it.j, it.value, it.penalty + lead, it.said, it.extra)
        target.entities.append(it)
        if it.i < target.item.i:
            self.before.add(id(target))


def attach(items: list[Item], seg: list[int], anchors: list[Anchor], removed: dict[int, int]) -> None:
    """``removed``: entities a self-correction replaced, each with its replacement's index."""
    at = _Attacher(items, seg, anchors, removed)
    for k, it in enumerate(items):
        if not at.skipped(k, it):
            at.place(k, it, at.target(k, it))


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
            it.kind == "word" and it.said in ENTITY_GLUE
        ):
            table.append(table[-1])
        else:
            table.append(False)
    return table


__all__ = ["ACCEPTS", "attach"]
