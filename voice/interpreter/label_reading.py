"""Reading a label: is "crown" on this tooth a finding, a planned procedure, a diagnosis or a
procedure being started or completed?
"""

from __future__ import annotations

from .anchors import Anchor
from .clauses import ClauseIndex, cue_side, previous_live
from .items import TOOTHY, Item
from .lexicon import FILLING_MATERIALS, Label


def merge_filling(anchors: list[Anchor]) -> None:
    """'The filling on 24 is done, DO composite': the material said elsewhere names the filling."""
    labels = [a for a in anchors if a.kind == "label" and not a.dropped]
    first = next((n for n, b in enumerate(labels) if b.item.value.plan in FILLING_MATERIALS), None)
    for n, a in enumerate(labels):
        if a.item.value.plan != "?filling" or first is None:
            continue
        material = labels[first]
        first = min(first, n)  # this filling now names a material too
        a.item = Item(
            a.item.kind,
            a.item.i,
            a.item.j,
            Label(find="restoration", plan=material.item.value.plan, default="plan"),
            a.item.penalty,
            a.item.said,
        )
        a.entities.extend(material.entities)
        a.entities.sort(key=lambda e: e.i)
        material.dropped = True


_INTENT_KINDS = frozenset({"cue_plan", "cue_find", "registry_verb", "chart", "v_start", "v_complete", "v_move"})
_VERB_COMMANDS = {"v_start": "procedure.start", "v_complete": "procedure.complete", "v_move": "plan.item.move"}


def _weak_alone(a: Anchor, lab: Label, kinds_in_seg: set[str]) -> bool:
    """A weak word ("watch", "cleaning") with no tooth, surface or intent in its clause names nothing."""
    return (
        lab.weak
        and not any(e.kind in TOOTHY or e.kind == "surf" for e in a.entities)
        and not (kinds_in_seg & _INTENT_KINDS)
    )


def _verb_command(a: Anchor, lab: Label, items: list[Item], ix: ClauseIndex, kinds_in_seg: set[str]) -> bool:
    """'36 root canal, done' completes it; 'plan a crown on 26 and start it' plans it, then starts it."""
    bare = ix.bare_verb_after.get(a.seg) if "cue_plan" not in kinds_in_seg else None
    verb = ix.verb_of_label.get(id(a)) or bare or _put_in_order(a, items, ix)
    if verb is not None and (lab.plan or lab.find == "root_canal_treated"):
        a.command = _VERB_COMMANDS[verb]
        a.label = lab.plan or "root_canal"
        return True
    return False


def _side_command(a: Anchor, lab: Label, side: str) -> None:
    """A finding or a planned procedure, by the side the cues (or the label's default) pick."""
    if side == "find" and not lab.find and lab.weak:
        a.dropped = True  # "root canal treated with a post and crown": a weak plan word said as a state
        return
    if side == "plan" and lab.plan:
        a.command, a.label = "plan.item.add", lab.plan
    elif lab.find:
        a.command, a.label = "chart.finding.add", lab.find
    else:
        a.command, a.label = "plan.item.add", lab.plan


def resolve_label(a: Anchor, items: list[Item], seg: list[int], anchors: list[Anchor], ix: ClauseIndex) -> None:
    lab: Label = a.item.value
    kinds_in_seg = ix.seg_kinds.get(a.seg, set())
    if _weak_alone(a, lab, kinds_in_seg):
        a.dropped = True
        return
    if lab.dx and not lab.find and not lab.plan:
        a.command, a.label = "diagnosis.add", lab.dx
        return
    if _verb_command(a, lab, items, ix, kinds_in_seg):
        return
    _side_command(a, lab, cue_side(a, items, seg, ix) or _inherited_side(a, anchors, ix) or lab.default)


def _inherited_side(a: Anchor, anchors: list[Anchor], ix: ClauseIndex) -> str | None:
    """'root canal and crown on 36': a label joined to a planned procedure is planned too."""
    lab: Label = a.item.value
    if not (lab.find and lab.plan):
        return None
    prev = previous_live(a, anchors, ix)
    if (
        prev is not None
        and prev.kind == "label"
        and prev.command == "plan.item.add"
        and prev.seg >= a.seg - 1
        and not any(e.i < a.item.i for e in a.entities)
    ):
        return "plan"
    return None



def _put_in_order(a: Anchor, items: list[Item], ix: ClauseIndex) -> str | None:
    """'put the extraction of 18 first': placing a planned item in the order is a move."""
    put, placed = ix.first_put.get(a.seg), ix.last_pos.get(a.seg)
    return "v_move" if put is not None and placed is not None and put < a.pos < placed else None


__all__ = ["merge_filling", "resolve_label"]
