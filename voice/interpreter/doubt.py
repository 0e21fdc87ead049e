"""From what the recogniser heard to proposals: n-best rescoring and doubt made visible.

Whisper's beam search returns several close readings of an utterance, and a probability for
each word of the best one. Two uses:

- **Rescoring.** When the best reading does not parse into a complete command (no command, a
  number that is no tooth, a slot missing) and a close reading does, the close reading wins:
  "twenty sex occlusal caries" loses to "twenty six occlusal caries".
- **Doubt.** A critical slot (tooth, surfaces, label, depths) that close readings disagree on,
  or that rests on a low-probability word, is flagged on the proposal with the alternatives
  (``doubt``) and its confidence lowered; a diagnosis whose polarity is in doubt
  (reversible / irreversible pulpitis) is asked about, never proposed. Nothing is guessed
  silently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import POLARITY_WORDS, REVERSIBILITY_WORDS
from .models import Clarify, Doubt, Interpretation, InterpretContext, Proposal
from .normalize import normalise
from .rules import interpret
from .tagger import tag

#: Readings whose score (mean log-prob per token) is within this of the best are "close".
CLOSE_MARGIN = 0.25
#: How far a reading may be from the best to replace a best reading that says nothing usable.
RESCUE_MARGIN = 0.45
#: A word below this probability is doubtful when it carries a critical slot.
LOW_WORD_PROBABILITY = 0.35
#: A polarity word ("reversible") must be heard this surely: tiny.en often drops "ir-", flipping a diagnosis.
POLARITY_WORD_PROBABILITY = 0.9
#: ...except "irreversible" itself, which stands at any probability: a recogniser swallows "ir-", it
#: does not invent it. Calibrated (``evals/asr_training/polarity_calibration.py``, generated pulpitis
#: sentences in non-eval voices, flite and espeak, half at 10 dB): a spoken "reversible" was never heard
#: as "irreversible" (0 of 78 with tiny.en and v2, 0 of 141 with v3 and with v4; 0 of 69 in Piper's
#: voice, as a diagnosis), while a spoken "irreversible" is heard "reversible" at any probability. A low
#: probability on "irreversible" is mostly Whisper splitting the first word of an utterance between
#: its cased spellings ("irreversible" 0.18 beside a close "Irreversible ..."), not doubt about the word.
IRREVERSIBLE_WORD_PROBABILITY = 0.0
#: How much a flagged proposal's confidence drops (never below the clarify threshold's floor).
DOUBT_PENALTY = 0.2
DOUBT_FLOOR = 0.6
_POLARITY = frozenset({"reversible_pulpitis", "irreversible_pulpitis"})
#: (best reading, close reading) label pairs that are not a disagreement: the same asymmetry, in the n-best.
#: A close "reversible" beside a best "irreversible" is the syllable lost, not a second opinion; calibrated
#: (``polarity_calibration.py``, issue 19 round four): a spoken "reversible" was never the best reading
#: "irreversible" (0 of 141 in flite/espeak voices, tiny.en-dental v3 and v4), while a best "irreversible"
#: with a close "reversible" is the commonest way v4 hears a true "irreversible".
_SWALLOWED = ("irreversible_pulpitis", "reversible_pulpitis")
_SLOTS = ("command", "teeth", "surfaces", "label", "values")
_COMMAND_WORDS = frozenset({"label", "perio_kw", "bleed", "recession", "note", "history", "chart", "next", "v_start",
                            "v_complete", "v_move", "same"})


@dataclass(frozen=True)
class Heard:
    """One reading of the utterance: its text and its beam score (higher is better)."""

    text: str
    score: float = 0.0


@dataclass(frozen=True)
class HeardWord:
    """A word of the best reading and its probability."""

    word: str
    probability: float


def _choose_reading(readings: Sequence[Heard], notation: str,
                    context: InterpretContext | None) -> tuple[list[Interpretation], list[Heard], int]:
    """Every close reading interpreted, and which one is taken (the best, unless it says nothing usable)."""
    best = readings[0]
    top = interpret(best.text, notation, context)
    # Only a best reading that says nothing usable is replaced ("and plan on 36" -> "implant on 36"); a
    # question it asks (polarity, an impossible surface) is never traded for a reading that parses.
    rescue = _unusable(top, notation)
    margin = RESCUE_MARGIN if rescue else CLOSE_MARGIN
    close = [best] + [r for r in readings[1:] if r.score >= best.score - margin]
    results = [top] + [interpret(r.text, notation, context) for r in close[1:]]
    chosen = next((k for k, res in enumerate(results) if _complete(res)), 0) if rescue else 0
    return results, close, chosen


def _flag_doubts(results: list[Interpretation], close: list[Heard], chosen: int,
                 words: Sequence[HeardWord], notation: str) -> None:
    """Slots close readings disagree on, or resting on an unsure word, are flagged; confidence drops."""
    result, best = results[chosen], close[0]
    others = [res for k, res in enumerate(results) if k != chosen and res.kind == "proposal"
              and close[k].score >= best.score - CLOSE_MARGIN]
    for idx, p in enumerate(result.proposals):
        p.doubt.extend(_disagreements(idx, p, others))
        if chosen:  # not what was heard best: the reviewer is told which reading was taken
            p.doubt.append(Doubt(slot="command", heard=result.transcript, alternatives=[best.text]))
    said = _clean_words(result.transcript)
    _flag_uncertain_words(result.proposals, [w for w in words if _clean(w.word) in said], notation)
    for p in result.proposals:
        if p.doubt:
            p.confidence = round(max(DOUBT_FLOOR, p.confidence - DOUBT_PENALTY), 2)


def interpret_heard(readings: Sequence[Heard], words: Sequence[HeardWord] = (), notation: str = "FDI",
                    context: InterpretContext | None = None) -> Interpretation:
    """Interpret the best parseable close reading, with doubtful critical slots flagged."""
    if not readings:
        return interpret("", notation, context)
    results, close, chosen = _choose_reading(readings, notation, context)
    result = results[chosen]
    if result.kind != "proposal":
        return result
    _flag_doubts(results, close, chosen, words, notation)
    polar = next((p for p in result.proposals if p.label in _POLARITY and any(d.slot == "label" for d in p.doubt)), None)
    if polar is not None:
        return result.model_copy(update={"kind": "clarify", "proposals": [], "clarify": Clarify(
            question=f"Reversible or irreversible pulpitis on {polar.tooth or 'that tooth'}? I was not sure which I heard.",
            options=["irreversible_pulpitis", "reversible_pulpitis", "cancel"])})
    return result


def _complete(result: Interpretation) -> bool:
    return result.kind == "proposal" and all(not p.missing for p in result.proposals)


def _unusable(result: Interpretation, notation: str) -> bool:
    """A reading with no command word in it ("Hot 36", "And plan on 36"), or a proposal that lacks a
    slot: a close reading may do better. A reading the interpreter judged (a question, small talk, a
    number that is no tooth, polarity) stands: its words were heard, and they said no."""
    if result.kind == "proposal":
        return not _complete(result)
    if result.kind != "no_command":
        return False
    kinds = {it.kind for it in tag(normalise(result.transcript, False), notation, False)}
    return not kinds & _COMMAND_WORDS


def _clean_words(text: str) -> set[str]:
    return {_clean(w) for w in text.split()}


def _disagreements(idx: int, p: Proposal, others: list[Interpretation]) -> list[Doubt]:
    """Slots of proposal ``idx`` that close readings heard differently."""
    alts: dict[str, list[object]] = {}
    for other in others:
        if len(other.proposals) != len(others[0].proposals) or idx >= len(other.proposals):
            continue
        q = other.proposals[idx]
        for slot in _SLOTS:
            mine, theirs = getattr(p, slot), getattr(q, slot)
            if slot == "label" and (mine, theirs) == _SWALLOWED:
                continue  # a close reading that lost the "ir-" is no doubt: the best one heard it
            if _norm(mine) != _norm(theirs) and theirs not in alts.setdefault(slot, []):
                alts[slot].append(theirs)
    return [Doubt(slot="tooth" if slot == "teeth" else slot, heard=getattr(p, slot), alternatives=v)
            for slot, v in alts.items() if v]


def _norm(value: object) -> object:
    return sorted(value) if isinstance(value, list) else value


def _flag_uncertain_words(proposals: list[Proposal], words: Sequence[HeardWord], notation: str) -> None:
    """A low-probability word that names a tooth, surface, label or depth flags that slot."""
    for w in words:
        if w.probability >= _sure_above(_clean(w.word)):
            continue
        slot = word_slot(w.word, notation)
        if slot is None:
            continue
        for p in proposals:
            if _has_slot(p, slot) and not any(d.slot == slot for d in p.doubt):
                p.doubt.append(Doubt(slot=slot, heard=_clean(w.word), word_probability=round(w.probability, 3)))


def _sure_above(word: str) -> float:
    """The probability from which a word is heard surely enough to stand on its own."""
    if word == REVERSIBILITY_WORDS[1]:  # "irreversible"
        return IRREVERSIBLE_WORD_PROBABILITY
    return POLARITY_WORD_PROBABILITY if word in POLARITY_WORDS else LOW_WORD_PROBABILITY


def _has_slot(p: Proposal, slot: str) -> bool:
    return {"tooth": bool(p.teeth), "surfaces": bool(p.surfaces), "label": p.label is not None,
            "values": bool(p.values)}.get(slot, False)


def _clean(word: str) -> str:
    return re.sub(r"[^\w'#-]", "", word.lower())


@lru_cache(maxsize=4096)
def word_slot(word: str, notation: str = "FDI") -> str | None:
    """Which critical slot a single word can carry: tooth (numbers), surfaces, label, or none."""
    w = _clean(word)
    if not w:
        return None
    if w in POLARITY_WORDS:
        return "label"
    toks = normalise(w, False)
    if any(t.num is not None for t in toks):
        return "tooth"  # a number: a tooth, a depth or a grade, all critical
    items = tag(toks, notation, False)
    kinds = {it.kind for it in items}
    if kinds & {"teeth", "num", "bad_tooth", "run", "measure", "grade"}:
        return "tooth"
    if "surf" in kinds:
        return "surfaces"
    if "label" in kinds:
        return "label"
    return None


__all__ = ["CLOSE_MARGIN", "LOW_WORD_PROBABILITY", "Heard", "HeardWord", "interpret_heard", "word_slot"]
