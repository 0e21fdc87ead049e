"""Descriptive tooth names: "upper right first molar", "lower incisors", "upper right quadrant".

Names are notation-independent, so they map straight to FDI. A name that fits several teeth
("upper right premolar", "first molar") is not guessed: it comes back as options to ask about.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .normalize import Tok
from .teeth import PERMANENT, quadrant_teeth

_ARCH = {
    "upper": "U",
    "maxillary": "U",
    "top": "U",
    "max": "U",
    "maxilla": "U",
    "lower": "L",
    "mandibular": "L",
    "bottom": "L",
    "mandible": "L",
}
_SIDE = {"right": "R", "left": "L"}
_PRIMARY = frozenset({"primary", "deciduous", "baby", "milk"})
_ORDINAL = {"first": 1, "second": 2, "third": 3}
# (positions in a quadrant, plural?) per type word; premolar/molar positions are refined by ordinals.
_TYPES: dict[str, tuple[tuple[int, ...], bool]] = {
    "incisor": ((1, 2), False),
    "incisors": ((1, 2), True),
    "central": ((1,), False),
    "centrals": ((1,), True),
    "lateral": ((2,), False),
    "laterals": ((2,), True),
    "canine": ((3,), False),
    "canines": ((3,), True),
    "cuspid": ((3,), False),
    "cuspids": ((3,), True),
    "premolar": ((4, 5), False),
    "premolars": ((4, 5), True),
    "bicuspid": ((4, 5), False),
    "bicuspids": ((4, 5), True),
    "molar": ((6, 7, 8), False),
    "molars": ((6, 7, 8), True),
    "anterior": ((1, 2, 3), True),
    "anteriors": ((1, 2, 3), True),
    "posterior": ((4, 5, 6, 7, 8), True),
    "posteriors": ((4, 5, 6, 7, 8), True),
}
_TWO_WORD_TYPES: dict[tuple[str, str], tuple[tuple[int, ...], bool]] = {
    ("central", "incisor"): ((1,), False),
    ("central", "incisors"): ((1,), True),
    ("lateral", "incisor"): ((2,), False),
    ("lateral", "incisors"): ((2,), True),
    ("eye", "tooth"): ((3,), False),
    ("eye", "teeth"): ((3,), True),
    ("wisdom", "tooth"): ((8,), False),
    ("wisdom", "teeth"): ((8,), True),
    ("front", "teeth"): ((1, 2, 3), True),
    ("front", "tooth"): ((1, 2, 3), False),
    ("back", "teeth"): ((6, 7, 8), True),
    ("anterior", "teeth"): ((1, 2, 3), True),
    ("posterior", "teeth"): ((4, 5, 6, 7, 8), True),
}
_PRIMARY_POS = {1: 1, 2: 2, 3: 3, 6: 4, 7: 5}  # primary first/second molars sit at positions 4/5
_WHOLE = (
    ("whole", "mouth"),
    ("full", "mouth"),
    ("entire", "mouth"),
    ("all", "teeth"),
    ("all", "quadrants"),
    ("full", "dentition"),
    ("both", "arches"),
    ("all", "4", "quadrants"),
    ("all", "the", "teeth"),
)
_QUADRANT_WORDS = frozenset({"quadrant", "quad", "quadrants"})
_ARCH_WORDS = frozenset({"arch", "jaw", "teeth"})
_PALMER = {"ur": 1, "ul": 2, "ll": 3, "lr": 4}


_PRIMARY_LETTERS = "abcde"
_UNIT_WORDS = frozenset({"mm", "millimeter", "millimeters", "millimetre", "millimetres", "mil", "mils"})


def _palmer_position(toks: list[Tok], j: int) -> int | None:
    """The 1-8 right after a quadrant name ("upper left six"), unless it is a measurement."""
    num = toks[j].num if j < len(toks) else None
    if num is None or not 1 <= num <= 8 or not toks[j].digit:
        return None
    if j + 1 < len(toks) and toks[j + 1].norm in _UNIT_WORDS:
        return None
    return num


@dataclass
class Descriptive:
    """Result of a descriptive name: teeth (FDI) or, when ambiguous, options to ask about."""

    end: int
    teeth: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    phrase: str = ""


def _quadrants(arch: str | None, side: str | None, primary: bool) -> list[int]:
    quads = []
    for q, (a, s) in {1: ("U", "R"), 2: ("U", "L"), 3: ("L", "L"), 4: ("L", "R")}.items():
        if (arch is None or arch == a) and (side is None or side == s):
            quads.append(q + 4 if primary else q)
    return quads


_STARTERS = (
    frozenset(_ARCH)
    | frozenset(_TYPES)
    | frozenset(_ORDINAL)
    | _PRIMARY
    | frozenset(_SIDE)
    | frozenset(a for a, _ in _TWO_WORD_TYPES)
    | frozenset(p[0] for p in _WHOLE)
    | frozenset(_PALMER)
    | _QUADRANT_WORDS
)


def parse_descriptive(toks: list[Tok], i: int, words: list[str] | None = None) -> Descriptive | None:
    """Try to read a descriptive tooth name starting at token ``i``."""
    if toks[i].norm not in _STARTERS:
        return None
    words = words if words is not None else [t.norm for t in toks]
    for whole in _WHOLE:
        if tuple(words[i : i + len(whole)]) == whole:
            return Descriptive(i + len(whole), teeth=sorted(PERMANENT), phrase=" ".join(whole))
    w = words[i]
    if w in _PALMER and i + 1 < len(toks) and toks[i + 1].digit and 1 <= (toks[i + 1].num or 0) <= 8:
        return Descriptive(i + 2, teeth=[f"{_PALMER[w]}{toks[i + 1].num}"], phrase=f"{w} {toks[i + 1].num}")
    if w in _QUADRANT_WORDS and i + 1 < len(toks) and toks[i + 1].num in (1, 2, 3, 4):
        q = toks[i + 1].num or 0
        return Descriptive(i + 2, teeth=quadrant_teeth(q), phrase=f"quadrant {q}")
    if w in _ORDINAL and i + 1 < len(toks) and words[i + 1] in _QUADRANT_WORDS:
        return Descriptive(i + 2, teeth=quadrant_teeth(_ORDINAL[w]), phrase=f"{w} quadrant")

    arch = side = None
    primary = False
    ordinal: int | None = None
    more_ordinals: list[int] = []
    positions: tuple[int, ...] | None = None
    plural = False
    group_word: str | None = None
    starters = _STARTERS
    j = i
    while j < len(toks):
        w = words[j]
        nxt = words[j + 1] if j + 1 < len(toks) else ""
        two = (w, nxt)
        if w in _ARCH and arch is None:
            arch = _ARCH[w]
        elif w in _SIDE and side is None and (arch is not None or nxt in starters):
            side = _SIDE[w]
        elif w in _PRIMARY:
            primary = True
        elif (
            w in _ORDINAL and ordinal is None and nxt in ("and", ",") and j + 2 < len(toks) and words[j + 2] in _ORDINAL
        ):
            ordinal = _ORDINAL[w]  # "first and second molars"
            more_ordinals.append(_ORDINAL[words[j + 2]])
            j += 3
            continue
        elif (
            w in _ORDINAL
            and ordinal is None
            and (
                nxt in _TYPES
                or nxt in _PRIMARY
                or two in _TWO_WORD_TYPES
                or (j + 2 < len(toks) and (nxt, words[j + 2]) in _TWO_WORD_TYPES)
            )
        ):
            ordinal = _ORDINAL[w]
        elif two in _TWO_WORD_TYPES:
            positions, plural = _TWO_WORD_TYPES[two]
            j += 2
            break
        elif w in _TYPES:
            if w in ("central", "lateral") and nxt in ("incisor", "incisors"):
                positions, plural = _TWO_WORD_TYPES[two]
                j += 2
                break
            positions, plural = _TYPES[w]
            j += 1
            break
        elif w in _QUADRANT_WORDS and (arch or side):
            group_word = "quadrant"
            j += 1
            break
        elif w in _ARCH_WORDS and arch and not side:
            group_word = "arch"
            j += 1
            break
        else:
            break
        j += 1

    if positions is None and group_word is None:
        palmer = _palmer_position(toks, j) if arch and side and not primary else None
        if palmer is not None:
            # "upper left six" (UK): the quadrant, then the tooth's place in it counted from the midline
            quad = _quadrants(arch, side, primary)[0]
            return Descriptive(j + 1, teeth=[f"{quad}{palmer}"], phrase=" ".join(words[i : j + 1]))
        letter = words[j] if arch and side and j < len(toks) and len(words[j]) == 1 else ""
        if letter and letter in _PRIMARY_LETTERS and (toks[j].upper or letter != "a"):
            # "lower left E" (UK): a primary tooth, lettered A-E from the midline
            quad = _quadrants(arch, side, True)[0]
            return Descriptive(j + 1, teeth=[f"{quad}{_PRIMARY_LETTERS.index(letter) + 1}"],
                               phrase=" ".join(words[i : j + 1]))
        if arch and side and j > i:
            # "upper right" alone: the quadrant
            return Descriptive(
                j,
                teeth=[t for q in _quadrants(arch, side, primary) for t in quadrant_teeth(q)],
                phrase=" ".join(words[i:j]),
            )
        return None
    if positions is None:  # quadrant / arch
        quads = _quadrants(arch, side, primary)
        return Descriptive(j, teeth=sorted(t for q in quads for t in quadrant_teeth(q)), phrase=" ".join(words[i:j]))

    if words[i] in ("anterior", "posterior") and not (arch or side) and j == i + 1:
        return None  # "anterior composite": an adjective, not a tooth group
    if not (arch or side or plural or ordinal):
        return None  # a bare "molar" names no tooth
    if ordinal is not None:
        wanted = [ordinal] + more_ordinals
        base = {(4, 5): 3, (6, 7, 8): 5, (1, 2): 0}.get(positions)
        if base is not None and all(base + o in positions for o in wanted):
            positions = tuple(base + o for o in wanted)
            plural = plural or len(wanted) > 1
    if primary:
        positions = tuple(_PRIMARY_POS[p] for p in positions if p in _PRIMARY_POS)
        if not positions:
            return None
    quads = _quadrants(arch, side, primary)
    teeth = sorted(f"{q}{p}" for q in quads for p in positions)
    phrase = " ".join(words[i:j])
    if plural or len(teeth) == 1:
        return Descriptive(j, teeth=teeth, phrase=phrase)
    return Descriptive(j, options=teeth, phrase=phrase)
