"""Dental dictation sentences from a small command grammar, for adapting the recogniser.

Why: tiny.en's decoder is a language model of general English; dictation is a tiny language
(teeth in FDI and Universal, surfaces, labels, perio sequences, voice controls). Sentences
are drawn with a seeded generator in the styles the blind set's writers used (BLIND.md):
digits, number words, "tooth", "number", "#", quadrant words, UK and US wording, shorthand,
hesitations and self-corrections. The written form is the training target; ``spoken`` is what
the synthesiser reads ("#3" is read "number 3" or "hash 3", as people and Piper say it).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from voice.asr.lexicon import EXTRA_DIAGNOSES, EXTRA_PROCEDURES, FINDINGS, catalog_terms, number_words

SURFACES = ("mesial", "occlusal", "distal", "buccal", "lingual", "incisal", "facial", "labial", "palatal")
SHORT_SURFACES = ("MO", "DO", "MOD", "OB", "OL", "MID", "B", "O", "M", "D")
COMBINED = ("mesio-occlusal", "disto-occlusal", "mesio-occlusal-distal", "mesiobuccal", "distobuccal",
            "mesiolingual", "distolingual", "mesiopalatal", "distopalatal")
FDI = tuple(f"{q}{t}" for q in range(1, 5) for t in range(1, 9))
QUADRANT = {"1": "upper right", "2": "upper left", "3": "lower left", "4": "lower right"}
POSITION = ("central incisor", "lateral incisor", "canine", "first premolar", "second premolar",
            "first molar", "second molar", "third molar")
CONTROLS = ("accept", "accept that", "scratch that", "undo that", "undo", "cancel that", "next tooth",
            "previous tooth", "go back", "read back", "read that back", "pause", "resume", "pause listening",
            "carry on", "yes accept", "no cancel", "skip", "next", "back one")
TALK = ("open a little wider for me", "bite down on this gauze", "you're doing great", "rinse for me please",
        "can you pass the mirror", "let's take a break", "turn towards me a bit", "any pain there",
        "we'll get the x-ray next", "lovely, nearly done", "close together gently", "sorry, was that sore",
        "can I have the suction please", "just a little pressure now")
HESITATIONS = ("um, ", "uh, ", "okay, ", "right, ", "so ", "and ", "")
# The contract's other commands (note.add, history.show / chart.show, procedure.start / complete,
# plan.item.move, context references), in the project's own wording.
NOTE_LEADS = ("note", "add a note", "clinical note", "make a note", "note that", "put a note in")
NOTE_SUBJECTS = ("patient", "she", "he", "the patient")
NOTE_VERBS = ("reports", "complains of", "denies", "mentions", "describes", "has had")
NOTE_COMPLAINTS = ("sensitivity to cold", "pain when chewing", "a dull ache at night", "bleeding gums when brushing",
                   "clicking in the jaw", "a broken filling", "swelling on the left side", "a bad taste",
                   "grinding at night", "pain lasting a few seconds", "food packing between the teeth",
                   "sensitivity to sweets", "a loose crown", "headaches in the morning", "dry mouth")
NOTE_ADVICE = ("advised to use a soft toothbrush", "recommended a night guard", "referred to the periodontist",
               "review in six months", "prescribed amoxicillin five hundred milligrams", "discussed flossing technique",
               "consent signed for extraction", "medical history updated, no changes", "allergic to penicillin",
               "smoker, ten a day", "anxious patient, prefers morning appointments", "to bring the x-rays next visit",
               "local anaesthetic given, two cartridges", "patient happy with the shade")
VIEWS = ("show the chart", "open the chart", "show the perio chart", "show me the history", "show history for {t}",
         "what's been done on {t}", "history of {t}", "open the treatment plan", "show the plan")
STATES = ("start the {p} on {t}", "starting {p} on {t}", "complete the {p} on {t}", "{p} on {t} is done",
          "finished the {p}", "complete it", "start it", "mark it complete", "same on {t}", "and the same on {t}")
MOVES = ("move the {p} before the {q}", "move the {p} after the {q}", "do the {p} first", "put the {p} last",
         "move it before the {q}", "add a {p} afterward")


def _fdi_spoken(rng: random.Random, tooth: str) -> str:
    form = rng.random()
    if form < 0.35:
        return tooth
    if form < 0.6:
        return number_words(int(tooth))
    if form < 0.75:
        return f"tooth {rng.choice((tooth, number_words(int(tooth))))}"
    if form < 0.9:
        return f"{QUADRANT[tooth[0]]} {tooth[1] if rng.random() < 0.5 else number_words(int(tooth[1]))}"
    return f"the {QUADRANT[tooth[0]]} {POSITION[int(tooth[1]) - 1]}"


def _universal(rng: random.Random) -> str:
    n = rng.randint(1, 32)
    form = rng.random()
    if form < 0.3:
        return f"number {n}"
    if form < 0.5:
        return f"#{n}"
    if form < 0.75:
        return f"tooth {number_words(n)}"
    return f"number {number_words(n)}"


def tooth(rng: random.Random) -> str:
    return _universal(rng) if rng.random() < 0.25 else _fdi_spoken(rng, rng.choice(FDI))


def surfaces(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.45:
        return rng.choice(SURFACES)
    if r < 0.65:
        return f"{rng.choice(SURFACES)} and {rng.choice(SURFACES)}"
    if r < 0.85:
        return rng.choice(COMBINED)
    return rng.choice(SHORT_SURFACES)


def _depth(rng: random.Random) -> str:
    d = rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 7, 8))
    return str(d) if rng.random() < 0.4 else number_words(d)


def sentence(rng: random.Random) -> str:
    """One dictation-like sentence."""
    procs, diags = catalog_terms()
    procs = list(dict.fromkeys([*procs, *EXTRA_PROCEDURES]))
    diags = list(dict.fromkeys([*diags, *EXTRA_DIAGNOSES]))
    t, s = tooth(rng), surfaces(rng)
    finding = rng.choice(FINDINGS)
    kind = rng.random()
    if kind < 0.22:
        body = rng.choice((f"{t} {s} caries", f"{s} caries on {t}", f"{t} {s} decay", f"caries {s} {t}",
                           f"{t} has {s} caries", f"{s} {finding} on {t}", f"{t} {finding}",
                           f"{t} is {rng.choice(('missing', 'crowned', 'fractured', 'impacted'))}"))
    elif kind < 0.4:
        p = rng.choice(procs)
        body = rng.choice((f"plan {p} on {t}", f"plan a {p} for {t}", f"{t} needs {p}", f"{p} {t}",
                           f"treatment plan {p} {t} {s}", f"{t} {s} {p}", f"existing {p} on {t}",
                           f"we'll do {p} on {t}"))
    elif kind < 0.52:
        d = rng.choice(diags)
        body = rng.choice((f"{d} on {t}", f"diagnosis {d} {t}", f"{t} {d}", f"{t} looks like {d}"))
    elif kind < 0.7:
        depths = " ".join(_depth(rng) for _ in range(3))
        side = rng.choice(("buccal", "lingual", "palatal", "facial"))
        body = rng.choice((f"pocket depths {t} {side} {depths}", f"{t} {side} {depths}", depths,
                           f"{depths}, {' '.join(_depth(rng) for _ in range(3))}", f"{side} {depths}",
                           f"bleeding on {t} {rng.choice(SURFACES)}", f"bleeding on the {rng.choice(('mesial', 'distal'))}",
                           f"recession {_depth(rng)} on {t}", f"recession {' '.join(_depth(rng) for _ in range(3))}",
                           f"mobility grade {rng.choice(('one', 'two', '1', '2'))} on {t}",
                           f"furcation class {rng.choice(('one', 'two', 'three'))} {t}", f"plaque on {t}",
                           f"suppuration {t} {rng.choice(SURFACES)}", f"{t} bleeding on probing"))
    elif kind < 0.76:
        body = _other_command(rng, t, rng.choice(procs), rng.choice(procs))
    elif kind < 0.82:
        body = rng.choice((*CONTROLS, f"go to {t}", f"skip {t}", f"go to {t} {rng.choice(('lingual', 'buccal', 'palatal'))}",
                           f"jump to {t}"))
    elif kind < 0.9:
        body = rng.choice(TALK)
    else:
        a, b = sentence(rng), sentence(rng)
        body = f"{a}, and {b}" if rng.random() < 0.7 else f"{a}, sorry, {b}"
    return (rng.choice(HESITATIONS) + body).strip()


def _note(rng: random.Random, lead: str | None = None) -> str:
    """A free-text clinical note: what the patient says, or what was done or advised."""
    if rng.random() < 0.5:
        text = f"{rng.choice(NOTE_SUBJECTS)} {rng.choice(NOTE_VERBS)} {rng.choice(NOTE_COMPLAINTS)}"
        if rng.random() < 0.4:
            text += f", {rng.choice(NOTE_ADVICE)}"
    else:
        text = rng.choice(NOTE_ADVICE)
    return f"{lead or rng.choice(NOTE_LEADS)}{rng.choice((': ', ', ', ' '))}{text}"


def _other_command(rng: random.Random, t: str, p: str, q: str) -> str:
    """A note, a view, a procedure's start or completion, a plan move or a reference to the context."""
    kind = rng.random()
    if kind < 0.45:
        return _note(rng)
    template = rng.choice(VIEWS if kind < 0.6 else STATES if kind < 0.85 else MOVES)
    return template.format(t=t, p=p, q=q)


def _distinct(n: int, seed: int, make: Callable[[random.Random], str]) -> list[str]:
    """``n`` distinct sentences from ``make``, the same for the same seed."""
    rng = random.Random(seed)
    out: dict[str, None] = {}
    while len(out) < n:
        out[make(rng)] = None
    return list(out)


def sentences(n: int, seed: int) -> list[str]:
    """``n`` distinct sentences, the same for the same seed."""
    return _distinct(n, seed, sentence)


def pulpitis_sentence(rng: random.Random) -> tuple[str, str]:
    """(polarity said, sentence): a pulpitis diagnosis, the one diagnosis a lost syllable flips.

    Why apart from ``sentence``: in the grammar's mix pulpitis is about 2% of the data, and the
    recogniser hears Piper's "irreversible" as "reversible" about half the time (tune split, issue 19).
    """
    polarity = rng.choice(("reversible", "irreversible"))
    lead = rng.choice(("", "symptomatic ", "asymptomatic ")) if polarity == "irreversible" else ""
    t = tooth(rng)
    dx = f"{lead}{polarity} pulpitis"
    body = rng.choice((f"{dx} on {t}", f"{t} {dx}", f"{t}, {dx}", f"diagnosis {dx} {t}", f"{t} looks like {dx}",
                       f"{dx} {t}", f"{dx} on {t}, plan a root canal", f"{t} is {dx}"))
    return polarity, (rng.choice(HESITATIONS) + body).strip()


def pulpitis_sentences(n: int, seed: int) -> list[str]:
    """``n`` distinct pulpitis sentences, half of each polarity on average, the same for the same seed."""
    return _distinct(n, seed, lambda rng: pulpitis_sentence(rng)[1])


def note_sentences(n: int, seed: int) -> list[str]:
    """``n`` distinct free-text clinical notes (``_note``), the same for the same seed.

    Why apart: notes are about 3% of the grammar's mix, and "note" opens most of them; Piper's
    "note" is heard "no" about half the time (issue 19, round four).
    """
    return _distinct(n, seed, lambda rng: (rng.choice(HESITATIONS) + _note(rng, "note" if rng.random() < 0.6 else None)).strip())


def spoken(text: str, rng: random.Random | None = None) -> str:
    """What the synthesiser should read for a written sentence ("#3" -> "number 3" or "hash 3")."""
    word = "hash " if rng is not None and rng.random() < 0.5 else "number "
    return text.replace("#", word)
