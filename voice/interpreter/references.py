"""References inside one sentence, read once every label knows its command.

"Move the root canal on 46 before the crown": the crown is where the root canal goes, not a
second command. "Done with the crown on 26, complete it": "it" is the crown just named, not
the session's last item, and the sentence says one thing once. "Plan a crown on 26 and start
it": "it" takes the crown and its tooth from the sentence itself.
"""

from __future__ import annotations

from .anchors import Anchor, after_relative_word
from .items import Item


def resolve_in_sentence(anchors: list[Anchor], items: list[Item]) -> None:
    """Mark reference points of moves and give pronoun commands their antecedent in the sentence."""
    _reference_points(anchors, items)
    _antecedents(anchors)


def _reference_points(anchors: list[Anchor], items: list[Item]) -> None:
    mover: Anchor | None = None  # the last move said
    for a in anchors:
        if a.dropped:
            continue
        if mover is not None and a.kind == "label" and (
            after_relative_word(items, a.pos) or (a.seg == mover.seg and mover.extra.get("refers"))
        ):
            a.dropped = True
            named = a.item.value.plan or a.item.value.find or ""
            mover.extra["relative_to"] = "filling" if named.startswith("?") else named
        elif a.command == "plan.item.move":
            mover = a
        elif mover is not None and a.seg != mover.seg:
            mover = None


def _antecedents(anchors: list[Anchor]) -> None:
    named: Anchor | None = None  # the last command of the sentence with a label
    for a in anchors:
        if a.dropped:
            continue
        if a.kind == "label" and a.label is not None:
            named = a
        elif a.extra.get("refers") and named is not None:
            if named.command == a.command:
                a.dropped = True  # "done with the crown on 26, complete it": said once
            else:
                a.extra["antecedent"] = named


__all__ = ["resolve_in_sentence"]
