"""Assembly: typed items -> anchored commands -> proposals (or a question).

An *anchor* is the word that names a command (a label such as "caries", a perio cluster,
"next tooth", "show the chart", "note"). Entities (teeth, surfaces, grades) attach to anchors
by how people dictate: "16 occlusal caries" (entities first), "caries on 16" (after a
preposition), "mark 17 as missing" (inside the clause). Clauses are split at "and", "then"
and punctuation; an entity in a clause without an anchor joins the neighbouring clause whose
style it continues. A tooth is carried to a later command in the same sentence when that
command needs one ("16 MO caries and a fracture"), and only then taken from the session
context, which is always listed in ``from_context``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

from .clauses import ClauseIndex, cue_side, index_clauses, move_values, previous_live
from .codes import diagnosis_code, procedure_code
from .lexicon import Label
from .models import Clarify, InterpretContext, Proposal
from .normalize import Tok
from .perio import group_perio, parse_group
from .registry import PROCEDURE_COMMANDS, label_requires_tooth, required_slots, risk_tier
from .tagger import Item
from .teeth import FDI, next_perio_tooth, tooth_class

BASE_CONFIDENCE = 0.95
CLARIFY_BELOW = 0.6
CONTEXT_PENALTY = 0.05
CARRY_PENALTY = 0.04
_BOUNDARY = frozenset({"conj", "soft", "hard"})
_ENTITY = frozenset({"teeth", "surf", "grade", "bad_tooth", "ambiguous_tooth"})
_ACCEPTS = frozenset({"label", "perio", "view", "move", "procverb"})
_TOOTHY = frozenset({"teeth", "bad_tooth", "ambiguous_tooth"})


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


@dataclass
class Built:
    """Proposals in spoken order, or the first question that must be asked."""

    proposals: list[Proposal]
    clarify: Clarify | None
    had_anchor: bool


def build(items: list[Item], toks: list[Tok], text: str, notation: str, ctx: InterpretContext, perio: bool) -> Built:
    """Items of one utterance -> proposals or a clarify question."""
    items = _after_scratch(items)
    items, note_text = _cut_note(items, toks, text)
    if perio:
        items = group_perio(items, ctx.perio_mode)
    seg = _segments(items)
    anchors = _anchors(items, seg, ctx)
    _negate(items, seg, anchors)
    removed = _corrections(items)
    _attach(items, seg, anchors, removed)
    _merge_filling(anchors)
    ix = index_clauses(items, seg, anchors, _BOUNDARY)
    live = [a for a in anchors if not a.dropped]
    for a in live:
        if a.kind == "label":
            _resolve_label(a, items, seg, anchors, ix)
    live = [a for a in anchors if not a.dropped]
    return _proposals(live, items, seg, ctx, notation, note_text, had_anchor=bool(anchors), ix=ix)


# --- preparation ---------------------------------------------------------------------------


def _after_scratch(items: list[Item]) -> list[Item]:
    """'... scratch that, ...': only what follows the last retraction counts."""
    last = max((k for k, it in enumerate(items) if it.kind == "scratch"), default=None)
    return items if last is None else items[last + 1 :]


def _cut_note(items: list[Item], toks: list[Tok], text: str) -> tuple[list[Item], str | None]:
    """Everything after 'note' / 'add a note' is the note's free text, cut from the transcript."""
    for k, it in enumerate(items):
        if it.kind == "note":
            body = text[toks[it.j].start :] if it.j < len(toks) else ""
            body = body.strip().lstrip(":,-;. ").strip()
            if body.lower().startswith("that "):
                body = body[5:].strip()
            return items[: k + 1], body
    return items, None


def _segments(items: list[Item]) -> list[int]:
    seg, out = 0, []
    for it in items:
        if it.kind in _BOUNDARY:
            seg += 1
        out.append(seg)
    return out


def _anchors(items: list[Item], seg: list[int], ctx: InterpretContext) -> list[Anchor]:
    anchors: list[Anchor] = []
    label_segs = {seg[k] for k, it in enumerate(items) if it.kind == "label"}
    has_label = bool(label_segs)
    seg_kinds: dict[int, set[str]] = {}
    for k, it in enumerate(items):
        seg_kinds.setdefault(seg[k], set()).add(it.kind)
    for k, it in enumerate(items):
        s = seg[k]
        kinds = seg_kinds[s]
        if it.kind == "label":
            anchors.append(Anchor("label", k, it, s))
        elif it.kind == "perio":
            anchors.append(Anchor("perio", k, it, s, command="perio.record"))
        elif it.kind == "next" or (it.kind == "next_weak" and ctx.perio_mode):
            anchors.append(Anchor("next", k, it, s, command="perio.next_tooth"))
        elif it.kind == "chart" and "show" in kinds:
            anchors.append(Anchor("view", k, it, s, command="chart.show"))
        elif it.kind == "history" and ("show" in kinds or not has_label):
            anchors.append(Anchor("view", k, it, s, command="history.show"))
        elif it.kind == "note":
            anchors.append(Anchor("note", k, it, s, command="note.add"))
        elif it.kind == "v_move" and s not in label_segs and kinds & {"pos", "ordinal", "item_kw"}:
            anchors.append(Anchor("move", k, it, s, command="plan.item.move"))
        elif it.kind in ("v_start", "v_complete") and s not in label_segs and ("proc_word" in kinds or kinds & _TOOTHY):
            cmd = "procedure.start" if it.kind == "v_start" else "procedure.complete"
            anchors.append(Anchor("procverb", k, it, s, command=cmd))
    return anchors


def _negate(items: list[Item], seg: list[int], anchors: list[Anchor]) -> None:
    """'no caries on 16', '17 is not missing', 'delete the crown': no command for those anchors."""
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
            nxt = _next_significant(items, k)
            if nxt is not None and items[nxt].kind in _ENTITY and it.said == "no":
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


def _next_significant(items: list[Item], k: int) -> int | None:
    for j in range(k + 1, len(items)):
        if items[j].kind in ("soft",) or (items[j].kind == "word" and items[j].said in ("the", "tooth")):
            continue
        return j
    return None


def _corrections(items: list[Item]) -> set[int]:
    """'16, sorry, 17' / '16, no, 17' / '16 I mean 17': the earlier entity of that kind is dropped."""
    removed: set[int] = set()
    for k, it in enumerate(items):
        if it.kind == "correct" or (it.kind == "neg" and it.said == "no"):
            nxt = _next_significant(items, k)
            if nxt is None or items[nxt].kind not in _ENTITY:
                continue
            group = _TOOTHY if items[nxt].kind in _TOOTHY else {items[nxt].kind}
            for j in range(k - 1, -1, -1):
                if items[j].kind in group and j not in removed:
                    removed.add(j)
                    break
    return removed


# --- attachment --------------------------------------------------------------------------------


def _attach(items: list[Item], seg: list[int], anchors: list[Anchor], removed: set[int]) -> None:
    accepting = [a for a in anchors if a.kind in _ACCEPTS and not a.dropped]
    by_seg: dict[int, list[Anchor]] = {}
    for a in accepting:
        by_seg.setdefault(a.seg, []).append(a)
    pos_of = {id(pool): [a.pos for a in pool] for pool in [accepting, *by_seg.values()]}
    before: set[int] = {id(a) for a in accepting if any(e.i < a.item.i for e in a.entities)}

    def entities_before(a: Anchor) -> bool:
        return id(a) in before

    prep_at = _prep_table(items)
    destroyed = {seg[k]: k for k, it in enumerate(items) if it.kind == "destruct"}
    for k, it in enumerate(items):
        if it.kind not in _ENTITY or k in removed:
            continue
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
        else:
            if prev_a is not None and (next_a is None or not entities_before(prev_a)):
                target = prev_a
            else:
                target = next_a or prev_a
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
        if items[j].kind in _ENTITY or items[j].kind in ("label", "perio") or items[j].kind in _BOUNDARY:
            break
        total += items[j].penalty
    return total


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


def _prep_before(items: list[Item], k: int) -> bool:
    for j in range(k - 1, -1, -1):
        it = items[j]
        if it.kind == "prep" or it.kind == "tmark":
            if it.kind == "prep":
                return True
            continue
        if it.kind == "word" and it.said in ("the", "a", "an", "tooth", "its", "both"):
            continue
        if it.kind in ("surf", "teeth") and j < k:
            # "on the mesial and occlusal of 46": a list continues the preposition
            continue
        if it.kind == "conj":
            continue
        return False
    return False


# --- labels: finding, plan or diagnosis? --------------------------------------------------------


def _merge_filling(anchors: list[Anchor]) -> None:
    """'The filling on 24 is done, DO composite': the material said elsewhere names the filling."""
    labels = [a for a in anchors if a.kind == "label" and not a.dropped]
    first = next((n for n, b in enumerate(labels) if b.item.value.plan in ("composite", "amalgam")), None)
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


def _resolve_label(a: Anchor, items: list[Item], seg: list[int], anchors: list[Anchor], ix: ClauseIndex) -> None:
    lab: Label = a.item.value
    kinds_in_seg = ix.seg_kinds.get(a.seg, set())
    if (
        lab.weak
        and not any(e.kind in _TOOTHY or e.kind == "surf" for e in a.entities)
        and not (kinds_in_seg & {"cue_plan", "cue_find", "registry_verb", "chart", "v_start", "v_complete", "v_move"})
    ):
        a.dropped = True
        return
    if lab.dx and not lab.find and not lab.plan:
        a.command, a.label = "diagnosis.add", lab.dx
        return
    verb = ix.verb_of_label.get(id(a)) or ix.bare_verb_after.get(a.seg)
    if verb is not None and (lab.plan or lab.find == "root_canal_treated"):
        a.command = {"v_start": "procedure.start", "v_complete": "procedure.complete", "v_move": "plan.item.move"}[verb]
        a.label = lab.plan or "root_canal"
        return
    side = cue_side(a, items, seg, ix) or _inherited_side(a, anchors, ix) or lab.default
    if side == "plan" and lab.plan:
        a.command, a.label = "plan.item.add", lab.plan
    elif lab.find:
        a.command, a.label = "chart.finding.add", lab.find
    else:
        a.command, a.label = "plan.item.add", lab.plan


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


# --- proposals -------------------------------------------------------------------------------------


def _teeth_of(a: Anchor) -> list[str]:
    teeth: list[str] = []
    for e in a.entities:
        if e.kind == "teeth":
            for t in e.value:
                if t not in teeth:
                    teeth.append(t)
    return teeth


def _surfaces_of(a: Anchor) -> list[str]:
    out: list[str] = []
    for e in a.entities:
        if e.kind == "surf":
            for s in e.value:
                if s not in out:
                    out.append(s)
    return out


def _penalty(a: Anchor) -> float:
    return a.item.penalty + sum(e.penalty for e in a.entities)


def _needs_tooth(command: str | None, label: str | None) -> bool:
    return command is not None and "tooth" in required_slots(command, label)


def _proposals(
    anchors: list[Anchor],
    items: list[Item],
    seg: list[int],
    ctx: InterpretContext,
    notation: str,
    note_text: str | None,
    had_anchor: bool,
    ix: ClauseIndex,
) -> Built:
    proposals: list[Proposal] = []
    clarify: Clarify | None = None

    def ask(question: str, options: list[str]) -> None:
        nonlocal clarify
        if clarify is None:
            clarify = Clarify(question=question, options=options)

    # entities that cannot be resolved safely
    for a in anchors:
        for e in a.entities:
            if e.kind == "bad_tooth":
                ask(_bad_tooth_question(e.said, notation), list(e.value))
            elif e.kind == "ambiguous_tooth":
                ask(f"Which tooth is the {e.said}?", list(e.value))

    said_teeth = {k: _teeth_of(a) for k, a in enumerate(anchors)}
    for k, a in enumerate(anchors):
        if a.kind == "perio":
            for m in a.item.value:
                if m.kind == "teeth":
                    said_teeth[k].extend(t for t in m.value if t not in said_teeth[k])
    current = ctx.tooth
    current_from_ctx = ctx.tooth is not None
    last_said: int | None = None  # the last earlier anchor that said a tooth (what _carry takes)
    for idx, a in enumerate(anchors):
        carry_from, last_said = last_said, idx if said_teeth[idx] and a.kind in ("label", "perio") else last_said
        teeth = said_teeth[idx]
        from_context: list[str] = []
        carried = False
        missing: list[str] = []
        values: dict[str, Any] = {}
        penalty = _penalty(a)
        command, label = a.command, a.label
        surfaces = _surfaces_of(a)
        if command is None:
            continue
        if a.kind == "perio":
            values, missing, penalty = parse_group(a.item.value, ctx.perio_mode)
            penalty += sum(e.penalty for e in a.entities)
            if not values and not missing:
                continue
            surfaces = []
        elif a.kind == "next":
            if current:
                nxt = next_perio_tooth(current)
                if nxt:
                    values = {"next_tooth": nxt}
                    if current_from_ctx:
                        from_context.append("tooth")
                    current = nxt
        elif a.kind == "note":
            values = {"text": note_text or ""}
            if not note_text:
                missing.append("text")
            teeth, surfaces = [], []
        elif command == "chart.finding.add" and label == "mobility":
            grade = next((e.value for e in a.entities if e.kind == "grade"), None)
            if grade is not None:
                values = {"grade": grade}
        if command == "plan.item.move":
            values = _move_values(a, items, seg, ix)
        if label == "?filling":
            ask("Which material for the filling?", ["composite", "amalgam"])
            continue
        if label == "?pulpitis":
            ask("Reversible or irreversible pulpitis?", ["reversible_pulpitis", "irreversible_pulpitis"])
            continue

        # tooth: said, carried within the sentence, or from the session context
        if a.kind == "perio":
            teeth = said_teeth[idx]
        if not teeth and _needs_tooth(command, label) or (not teeth and a.kind == "perio"):
            carry = _carry(idx, anchors, said_teeth, carry_from)
            if carry and a.kind != "perio":
                teeth, carried = carry, True
            elif current and a.kind == "perio":
                teeth = [current]
                if current_from_ctx:
                    from_context.append("tooth")
            elif ctx.tooth:
                teeth = [ctx.tooth]
                from_context.append("tooth")
        if teeth and len(teeth) == 1 and a.kind in ("label", "perio"):
            if said_teeth[idx]:
                current, current_from_ctx = teeth[0], False
        slots = required_slots(command, label)
        if "tooth" in slots and not teeth:
            missing.append("tooth")
        if "surfaces" in slots and not surfaces:
            missing.append("surfaces")
        if "label" in slots and not label:
            missing.append("label")
        if "grade" in slots and "grade" not in values:
            missing.append("grade")
        if command == "plan.item.move":
            if not ("position" in values or "direction" in values):
                missing.append("position")
            if not (label or teeth or "item" in values):
                missing.append("item")

        confidence = BASE_CONFIDENCE - penalty - CONTEXT_PENALTY * len(from_context) - (CARRY_PENALTY if carried else 0)
        confidence = round(min(0.99, max(0.05, confidence)), 2)
        paired = _paired_surfaces(a) if a.kind == "label" and said_teeth[idx] else None
        split = command in PROCEDURE_COMMANDS and label is not None and label_requires_tooth(label) and len(teeth) > 1
        if paired is not None:
            groups = [[t] for t, _ in paired]
        else:
            groups = [[t] for t in teeth] if split else [teeth]
        for gi, group in enumerate(groups):
            if paired is not None:
                surfaces = paired[gi][1]
            code = None
            if command in PROCEDURE_COMMANDS:
                result = procedure_code(label, group[0] if len(group) == 1 else None, surfaces)
                code = result.code
                if result.no_fit and len(group) == 1:
                    cls = tooth_class(group[0])
                    ask(
                        f"The catalog has no {label.replace('_', ' ') if label else 'procedure'} code for tooth "
                        f"{group[0]} ({cls}, {len(surfaces)} surfaces). What should be planned?",
                        [f"{p.code} {p.display}" for p in result.candidates] + ["cancel"],
                    )
            elif command == "diagnosis.add":
                code = diagnosis_code(label)
            prev = proposals[-1] if proposals else None
            if (
                command == "perio.record"
                and not said_teeth[idx]
                and prev is not None
                and prev.command == "perio.record"
                and prev.teeth == list(group)
                and not set(prev.values) & set(values)
            ):
                # "grade 2 mobility on 31, recession 3 mm": one record per tooth
                prev.values.update(values)
                prev.missing.extend(m for m in missing if m not in prev.missing)
                prev.confidence = min(prev.confidence, confidence)
                continue
            proposals.append(
                Proposal(
                    command=command,
                    tooth=group[0] if len(group) == 1 else None,
                    teeth=list(group),
                    surfaces=list(surfaces),
                    label=label,
                    code=code,
                    values=values,
                    risk_tier=risk_tier(command),
                    confidence=confidence,
                    missing=list(missing),
                    from_context=list(from_context),
                )
            )
    if clarify is None:
        low = [p for p in proposals if p.confidence < CLARIFY_BELOW]
        if low:
            clarify = Clarify(
                question="I am not sure I heard this right. Did you mean: " + "; ".join(summary(p) for p in low) + "?",
                options=[summary(p) for p in low] + ["cancel"],
            )
    return Built(proposals, clarify, had_anchor)


def _paired_surfaces(a: Anchor) -> list[tuple[str, list[str]]] | None:
    """'14 distal and 15 mesial': each tooth with its own surfaces -> one proposal per tooth."""
    runs: list[tuple[str, list[Item]]] = []
    for e in a.entities:
        if e.kind not in ("teeth", "surf"):
            continue
        if runs and e.kind == "surf" and runs[-1][0] == "surf":
            runs[-1][1].append(e)
        else:
            runs.append((e.kind, [e]))
    teeth_runs = [r for r in runs if r[0] == "teeth"]
    if (
        len(teeth_runs) < 2
        or len(runs) != 2 * len(teeth_runs)
        or any(len(r[1]) != 1 or len(r[1][0].value) != 1 for r in teeth_runs)
    ):
        return None
    if any(runs[x][0] == runs[x + 1][0] for x in range(len(runs) - 1)):
        return None
    tooth_first = runs[0][0] == "teeth"
    pairs = []
    for x in range(0, len(runs), 2):
        t, srf = (runs[x], runs[x + 1]) if tooth_first else (runs[x + 1], runs[x])
        letters = [c for e in srf[1] for c in e.value]
        pairs.append((t[1][0].value[0], list(dict.fromkeys(letters))))
    return pairs


def _carry(idx: int, anchors: list[Anchor], said: dict[int, list[str]], earlier: int | None) -> list[str] | None:
    """A tooth said earlier in the sentence (``earlier``: the last anchor that said one), or right
    after it for 'X and Y on 36'."""
    if earlier is not None:
        return list(said[earlier])
    if not anchors[idx].entities:
        for j in range(idx + 1, len(anchors)):
            if anchors[j].kind == "label" and said[j] and anchors[j].seg <= anchors[idx].seg + 1:
                return list(said[j])
            break
    return None


def _move_values(a: Anchor, items: list[Item], seg: list[int], ix: ClauseIndex) -> dict[str, Any]:
    """Slots of a move said in its clause (and the next one), from six items before it on."""
    last = a.seg + 1 if a.kind == "move" else a.seg
    return move_values(items, max(bisect_left(seg, a.seg), a.pos - 6, 0), bisect_right(seg, last), ix)


def _bad_tooth_question(said: str, notation: str) -> str:
    if notation == FDI:
        return f"{said} is not a tooth in FDI notation (11-48, 51-85). Which tooth did you mean?"
    return f"{said} is not a tooth in Universal notation (1-32, A-T). Which tooth did you mean?"


def summary(p: Proposal) -> str:
    """Short human-readable form of a proposal (for questions and logs)."""
    parts = [p.command]
    if p.label:
        parts.append(p.label)
    if p.teeth:
        parts.append(",".join(p.teeth))
    if p.surfaces:
        parts.append("".join(p.surfaces))
    return " ".join(parts)


__all__ = ["Built", "build", "summary"]
