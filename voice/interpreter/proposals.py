"""Proposals: anchored commands -> filled slots, catalog codes and confidence (or a question).

Per command, in spoken order: its values (perio, next tooth, note, grade, move), its tooth
(said, carried from an earlier command in the sentence, or the session context, which is
always listed in ``from_context``), the slots still missing, the confidence, then one
proposal per tooth where the catalog bills per tooth.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

from .anchors import Anchor
from .clauses import ClauseIndex, move_values
from .codes import diagnosis_code, procedure_code
from .items import Item
from .lexicon import REVERSIBILITY_WORDS
from .models import Clarify, Doubt, InterpretContext, Proposal
from .perio import parse_group
from .registry import PROCEDURE_COMMANDS, label_requires_tooth, required_slots, risk_tier
from .teeth import FDI, next_perio_tooth, tooth_class

BASE_CONFIDENCE = 0.95
CLARIFY_BELOW = 0.6
CONTEXT_PENALTY = 0.05
CARRY_PENALTY = 0.04


@dataclass
class Asker:
    """The first question that must be asked (later ones wait for the answer)."""

    clarify: Clarify | None = None
    #: the anchors the first question is about, when it is about some commands only (the others stand)
    about: set[int] = field(default_factory=set)

    def ask(self, question: str, options: list[str], anchor: int | None = None) -> None:
        if self.clarify is None:
            self.clarify = Clarify(question=question, options=options)
            if anchor is not None:
                self.about.add(anchor)


@dataclass
class Focus:
    """The tooth the sentence is on: the session's, until a command says one."""

    tooth: str | None
    from_ctx: bool


@dataclass
class Draft:
    """One command's slots while they are being filled."""

    command: str
    label: str | None
    teeth: list[str]
    surfaces: list[str]
    values: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    from_context: list[str] = field(default_factory=list)
    penalty: float = 0.0
    carried: bool = False


def build_proposals(
    anchors: list[Anchor], items: list[Item], seg: list[int], ctx: InterpretContext, notation: str,
    note_text: str | None, ix: ClauseIndex,
) -> tuple[list[Proposal], Clarify | None, bool]:
    """Live anchors of one utterance -> proposals in spoken order, the first question, and whether
    that question is about some commands only (the clear ones are still proposed, "partial")."""
    asker = Asker()
    _ask_unresolvable(anchors, notation, asker)
    said_teeth = _said_teeth(anchors)
    focus = Focus(ctx.tooth, ctx.tooth is not None)
    proposals: list[Proposal] = []
    last_said: int | None = None  # the last earlier anchor that said a tooth (what _carry takes)
    for idx, a in enumerate(anchors):
        carry_from = last_said
        if said_teeth[idx] and a.kind in ("label", "perio"):
            last_said = idx
        if idx in asker.about:
            continue  # asked about: the question stands for it
        asked, before = asker.clarify is not None, len(proposals)
        draft = _draft(a, said_teeth[idx], ctx, focus, note_text, items, seg, ix, asker)
        if draft is not None:
            _fill_tooth(draft, a, idx, anchors, said_teeth, carry_from, focus, ctx)
            _mark_missing(draft)
            _emit(draft, a, bool(said_teeth[idx]), _confidence(draft), proposals, asker)
        if not asked and asker.clarify is not None:
            asker.about.add(idx)  # this command raised the question: it waits for the answer
            del proposals[before:]
    _ask_about_all(proposals, asker)
    return proposals, asker.clarify, bool(asker.about) and bool(proposals)


def _ask_about_all(proposals: list[Proposal], asker: Asker) -> None:
    """Questions about the whole sentence (a contradiction, low confidence): no command stands alone."""
    if asker.clarify is None:
        _ask_contradictions(proposals, asker)
    low = [p for p in proposals if p.confidence < CLARIFY_BELOW]
    if low:
        asker.ask(
            "I am not sure I heard this right. Did you mean: " + "; ".join(summary(p) for p in low) + "?",
            [summary(p) for p in low] + ["cancel"],
        )
        asker.about.clear()


_NOT_ON_A_MISSING_TOOTH = frozenset({"caries", "fracture", "restoration", "crown", "sealant", "root_canal_treated",
                                     "watch", "mobility"})


def _ask_contradictions(proposals: list[Proposal], asker: Asker) -> None:
    """'46 is missing and has distal caries': a tooth cannot be both; ask rather than chart either."""
    missing = {t for p in proposals if p.command == "chart.finding.add" and p.label == "missing" for t in p.teeth}
    for p in proposals:
        if p.command == "chart.finding.add" and p.label in _NOT_ON_A_MISSING_TOOTH and missing & set(p.teeth):
            tooth = sorted(missing & set(p.teeth))[0]
            asker.ask(f"Tooth {tooth} was said to be missing and to have {p.label.replace('_', ' ')}. Which is it?",
                      ["missing", p.label, "cancel"])
            return


def _ask_unresolvable(anchors: list[Anchor], notation: str, asker: Asker) -> None:
    """Entities that cannot be resolved safely: not a tooth, or a name of several teeth."""
    for k, a in enumerate(anchors):
        for e in a.entities:
            if e.kind == "bad_tooth":  # never guessed (contract): the whole result is this question
                asker.ask(bad_tooth_question(e.said, notation), list(e.value))
            elif e.kind == "ambiguous_tooth":
                asker.ask(f"Which tooth is the {e.said}?", list(e.value), k)


def _said_teeth(anchors: list[Anchor]) -> dict[int, list[str]]:
    said = {k: _teeth_of(a) for k, a in enumerate(anchors)}
    for k, a in enumerate(anchors):
        if a.kind == "perio":
            for m in a.item.value:
                if m.kind == "teeth":
                    said[k].extend(t for t in m.value if t not in said[k])
    return said


def _perio_values(d: Draft, a: Anchor, ctx: InterpretContext) -> bool:
    """A perio record's values; False when the group says nothing to record."""
    d.values, d.missing, penalty = parse_group(a.item.value, ctx.perio_mode)
    d.penalty = penalty + sum(e.penalty for e in a.entities)
    if not d.values and not d.missing:
        return False
    d.surfaces = []
    return True


def _next_tooth_values(d: Draft, focus: Focus) -> None:
    nxt = next_perio_tooth(focus.tooth) if focus.tooth else None
    if nxt:
        d.values = {"next_tooth": nxt}
        if focus.from_ctx:
            d.from_context.append("tooth")
        focus.tooth = nxt


def _note_values(d: Draft, note_text: str | None) -> None:
    d.values = {"text": note_text or ""}
    if not note_text:
        d.missing.append("text")
    d.teeth, d.surfaces = [], []


def _own_values(d: Draft, a: Anchor, ctx: InterpretContext, focus: Focus, note_text: str | None) -> bool:
    """Values the command says itself (perio, next tooth, note, mobility grade); False: nothing to propose."""
    if a.kind == "perio":
        return _perio_values(d, a, ctx)
    if a.kind == "next":
        _next_tooth_values(d, focus)
    elif a.kind == "note":
        _note_values(d, note_text)
    elif d.command == "chart.finding.add" and d.label == "mobility":
        grade = next((e.value for e in a.entities if e.kind == "grade"), None)
        if grade is not None:
            d.values = {"grade": grade}
    return True


def _referred_values(d: Draft, a: Anchor, items: list[Item], seg: list[int], ix: ClauseIndex,
                     ctx: InterpretContext) -> None:
    """A move's values, and slots from what "it" / "same" refers to (in the sentence or the session)."""
    if d.command == "plan.item.move":
        d.values = _move_values(a, items, seg, ix)
        if a.extra.get("relative_to"):
            d.values["relative_to"] = a.extra["relative_to"]
    antecedent = a.extra.get("antecedent")
    if antecedent is not None:  # "plan a crown on 26 and start it": "it" is named in the sentence
        d.label = d.label or antecedent.label
        d.teeth = d.teeth or _teeth_of(antecedent)
    elif a.extra.get("refers") or a.kind == "same":
        _from_last_item(d, a, ctx)


def _settle_label(d: Draft, items: list[Item], asker: Asker) -> bool:
    """Labels left open by the words: a filling's material, pulpitis's polarity; False when it must be asked."""
    if d.label == "?filling":
        # "filling on 46" is treatment to do; the material is the reviewer's to choose, never guessed
        d.label = None
    if d.label == "?pulpitis":
        d.label = _polarity_said(items)
    if d.label == "?pulpitis":
        asker.ask("Reversible or irreversible pulpitis?", ["reversible_pulpitis", "irreversible_pulpitis"])
        return False
    return True


def _draft(
    a: Anchor, said: list[str], ctx: InterpretContext, focus: Focus, note_text: str | None,
    items: list[Item], seg: list[int], ix: ClauseIndex, asker: Asker,
) -> Draft | None:
    """The command's own values; None when there is nothing to propose (or a question instead)."""
    if a.command is None:
        return None
    d = Draft(a.command, a.label, list(said), _surfaces_of(a), penalty=_penalty(a))
    if not _own_values(d, a, ctx, focus, note_text):
        return None
    _referred_values(d, a, items, seg, ix, ctx)
    return d if _settle_label(d, items, asker) else None


def _from_last_item(d: Draft, a: Anchor, ctx: InterpretContext) -> None:
    """'complete it', 'move it to the end', 'same on 27': slots from the session's last item, listed
    in ``from_context``; without one they stay visible in ``missing``."""
    last = ctx.last_item
    if d.label is None:
        if last is not None and last.label:
            d.label = last.label
            d.from_context.append("label")
        elif "label" not in d.missing:
            d.missing.append("label")
    if a.kind == "same" and not d.surfaces and last is not None and last.surfaces:
        d.surfaces = list(last.surfaces)
        d.from_context.append("surfaces")
    if not d.teeth and a.kind != "same":
        if last is not None and last.tooth:
            d.teeth = [last.tooth]
            d.from_context.append("tooth")
        elif ctx.focus_tooth:
            d.teeth = [ctx.focus_tooth]
            d.from_context.append("tooth")
        elif "tooth" not in d.missing:
            d.missing.append("tooth")


def _polarity_said(items: list[Item]) -> str:
    """'pulpitis on 16, irreversible': the polarity said apart from the word pulpitis (one only)."""
    said = {it.said for it in items if it.kind == "word" and it.said in REVERSIBILITY_WORDS}
    return f"{said.pop()}_pulpitis" if len(said) == 1 else "?pulpitis"


def _fill_tooth(
    d: Draft, a: Anchor, idx: int, anchors: list[Anchor], said_teeth: dict[int, list[str]],
    carry_from: int | None, focus: Focus, ctx: InterpretContext,
) -> None:
    """The tooth: said, carried within the sentence, or from the session context."""
    if not d.teeth and _needs_tooth(d.command, d.label) or (not d.teeth and a.kind == "perio"):
        carry = _carry(idx, anchors, said_teeth, carry_from)
        if carry and a.kind != "perio":
            d.teeth, d.carried = carry, True
        elif focus.tooth and a.kind == "perio":
            d.teeth = [focus.tooth]
            if focus.from_ctx:
                d.from_context.append("tooth")
        elif ctx.focus_tooth:
            d.teeth = [ctx.focus_tooth]
            d.from_context.append("tooth")
    if d.teeth and len(d.teeth) == 1 and a.kind in ("label", "perio") and said_teeth[idx]:
        focus.tooth, focus.from_ctx = d.teeth[0], False


def _mark_missing(d: Draft) -> None:
    slots = required_slots(d.command, d.label)
    if "tooth" in slots and not d.teeth:
        d.missing.append("tooth")
    if "surfaces" in slots and not d.surfaces:
        d.missing.append("surfaces")
    if "label" in slots and not d.label and "label" not in d.missing:
        d.missing.append("label")
    if "grade" in slots and "grade" not in d.values:
        d.missing.append("grade")
    if d.command == "plan.item.move":
        if not ("position" in d.values or "direction" in d.values or "relative_to" in d.values):
            d.missing.append("position")
        if not (d.label or d.teeth or "item" in d.values or "label" in d.missing):
            d.missing.append("item")


def _confidence(d: Draft) -> float:
    value = BASE_CONFIDENCE - d.penalty - CONTEXT_PENALTY * len(d.from_context) - (CARRY_PENALTY if d.carried else 0)
    return round(min(0.99, max(0.05, value)), 2)


_NOT_ON = {"anterior": ("O", "occlusal"), "premolar": ("I", "incisal"), "molar": ("I", "incisal")}


def impossible_surface(tooth: str, surfaces: list[str]) -> str | None:
    """A question when a surface cannot exist on that tooth (occlusal on an incisor, incisal on a molar)."""
    cls = tooth_class(tooth)
    letter, name = _NOT_ON.get(cls, ("", ""))
    if letter and letter in surfaces:
        return f"Tooth {tooth} is {'an anterior tooth' if cls == 'anterior' else 'a ' + cls}: it has no {name} surface."
    return None


def _ask_impossible_surface(d: Draft, asker: Asker) -> bool:
    """Whether a surface that cannot exist on the one tooth said was asked about."""
    for tooth in d.teeth if len(d.teeth) == 1 else []:  # a group ("the lower left") keeps what fits
        problem = impossible_surface(tooth, d.surfaces) if d.command != "perio.record" else None
        if problem:
            asker.ask(problem + " Which surface did you mean?", ["M", "D", "B", "L", "F", "P", "I" if "O" in d.surfaces else "O"])
            return True
    return False


def _groups(d: Draft, a: Anchor, said_tooth: bool) -> list[tuple[list[str], list[str]]]:
    """(teeth, surfaces) per proposal: paired teeth and surfaces, one per tooth billed per tooth, or one."""
    paired = _paired_surfaces(a) if a.kind == "label" and said_tooth else None
    if paired is not None:
        return [([t], s) for t, s in paired]
    named_group = any(e.kind == "teeth" and e.extra.get("descriptive") and len(e.value) > 1 for e in a.entities)
    split = (d.command in PROCEDURE_COMMANDS and d.label is not None and label_requires_tooth(d.label)
             and len(d.teeth) > 1 and not named_group)  # "the upper incisors" is one named group
    return [([t], d.surfaces) for t in d.teeth] if split else [(d.teeth, d.surfaces)]


def _joins_perio_record(d: Draft, prev: Proposal, group: list[str], said_tooth: bool) -> bool:
    """'grade 2 mobility on 31, recession 3 mm': a perio record without its own tooth adds to the last one."""
    return (
        d.command == "perio.record"
        and not said_tooth
        and prev.command == "perio.record"
        and prev.teeth == list(group)
        and not set(prev.values) & set(d.values)
    )


def _join_perio_record(d: Draft, prev: Proposal, confidence: float) -> None:
    sites = list((prev.values.get("depths_mm") or {}))
    if "bleeding_sites" in d.missing and len(sites) == 1:
        # "5 mm pocket distobuccal on 36, bleeding": the bleeding is at the site just probed
        d.values, d.missing = {**d.values, "bleeding_sites": sites}, [m for m in d.missing if m != "bleeding_sites"]
    prev.values.update(d.values)
    prev.missing.extend(m for m in d.missing if m not in prev.missing)
    prev.confidence = min(prev.confidence, confidence)


def _said_again(d: Draft, prev: Proposal, group: list[str], surfaces: list[str]) -> bool:
    """'18 is missing, previously extracted': the same proposal said twice in a row (or completed)."""
    return (prev.command == d.command and prev.label == d.label and prev.teeth == list(group)
            and prev.surfaces == list(surfaces) and bool(prev.values == d.values or (prev.missing and not d.missing)))


def _emit(d: Draft, a: Anchor, said_tooth: bool, confidence: float, proposals: list[Proposal], asker: Asker) -> None:
    """One proposal, or one per tooth where the catalog bills per tooth, with its code."""
    if _ask_impossible_surface(d, asker):
        return
    for group, surfaces in _groups(d, a, said_tooth):
        code = _code(d, group, surfaces, asker)
        prev = proposals[-1] if proposals else None
        if prev is not None and _joins_perio_record(d, prev, group, said_tooth):
            # "grade 2 mobility on 31, recession 3 mm": one record per tooth
            _join_perio_record(d, prev, confidence)
            continue
        if prev is not None and _said_again(d, prev, group, surfaces):
            # "18 is missing, previously extracted": said twice in a row, proposed once; "31 is loose, grade two
            # mobility": the second saying completes the first
            if prev.values != d.values:
                proposals[-1] = prev.model_copy(update={"values": d.values, "missing": list(d.missing),
                                                        "confidence": confidence})
            continue
        proposals.append(_proposal(d, a, group, surfaces, code, confidence))


def _proposal(d: Draft, a: Anchor, group: list[str], surfaces: list[str], code: str | None,
              confidence: float) -> Proposal:
    repaired = _repaired_slots(a)
    return Proposal(
        command=d.command,
        tooth=group[0] if len(group) == 1 else None,
        teeth=list(group),
        surfaces=list(surfaces),
        label=d.label,
        code=code,
        values=d.values,
        risk_tier=risk_tier(d.command),
        confidence=confidence,
        missing=list(d.missing),
        from_context=list(d.from_context),
        doubt=[Doubt(slot=slot, heard=heard) for slot, heard in repaired],
    )


_REPAIRED_SLOT = {"teeth": "tooth", "surf": "surfaces", "grade": "values"}


def _repaired_slots(a: Anchor) -> list[tuple[str, str]]:
    """Critical slots resting on a repaired word ("for 6" read as 46, "carries" as caries): a guess about
    what was meant, so the reviewer is told which slot to check."""
    out: dict[str, str] = {}
    for e in a.entities:
        slot = _REPAIRED_SLOT.get(e.kind)
        if slot and e.penalty > 0 and slot not in out:
            out[slot] = e.said
    if a.kind == "label" and a.item.penalty > 0:
        out.setdefault("label", a.item.said)
    return list(out.items())


def _code(d: Draft, group: list[str], surfaces: list[str], asker: Asker) -> str | None:
    """The catalog code (procedures by tooth class and surfaces, diagnoses by label); asks when none fits."""
    if d.command in PROCEDURE_COMMANDS:
        result = procedure_code(d.label, group[0] if len(group) == 1 else None, surfaces)
        if result.no_fit and len(group) == 1:
            cls = tooth_class(group[0])
            asker.ask(
                f"The catalog has no {d.label.replace('_', ' ') if d.label else 'procedure'} code for tooth "
                f"{group[0]} ({cls}, {len(surfaces)} surfaces). What should be planned?",
                [f"{p.code} {p.display}" for p in result.candidates] + ["cancel"],
            )
        return result.code
    if d.command == "diagnosis.add":
        return diagnosis_code(d.label)
    return None


def _values_of(a: Anchor, kind: str) -> list[str]:
    """The teeth (or surfaces) attached to an anchor, in spoken order, each once."""
    return list(dict.fromkeys(v for e in a.entities if e.kind == kind for v in e.value))


def _teeth_of(a: Anchor) -> list[str]:
    return _values_of(a, "teeth")


def _surfaces_of(a: Anchor) -> list[str]:
    return _values_of(a, "surf")


def _penalty(a: Anchor) -> float:
    return a.item.penalty + sum(e.penalty for e in a.entities)


def _needs_tooth(command: str | None, label: str | None) -> bool:
    return command is not None and "tooth" in required_slots(command, label)


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


def bad_tooth_question(said: str, notation: str) -> str:
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


__all__ = ["build_proposals", "summary"]
