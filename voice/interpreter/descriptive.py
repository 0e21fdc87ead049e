"""Descriptive tooth names: "upper right first molar", "lower incisors", "upper right quadrant".

Names are notation-independent, so they map straight to FDI. A name that fits several teeth
("upper right premolar", "first molar") is not guessed: it comes back as options to ask about.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .lexicon import (
    ARCH_GROUP_WORDS,
    ARTICLE_A,
    GROUP_ADJECTIVES,
    MM_WORDS,
    ORDINAL_JOINERS,
    PALMER_QUADRANTS,
    PRIMARY_LETTERS,
    PRIMARY_WORDS,
    QUADRANT_WORDS,
    TOOTH_ARCHES,
    TOOTH_ORDINALS,
    TOOTH_SIDES,
    TOOTH_TYPES,
    TOOTH_TYPES_TWO_WORDS,
    WHOLE_MOUTH,
)
from .normalize import Tok
from .teeth import PERMANENT, quadrant_teeth

_PRIMARY_POS = {1: 1, 2: 2, 3: 3, 6: 4, 7: 5}  # primary first/second molars sit at positions 4/5


def _palmer_position(toks: list[Tok], j: int) -> int | None:
    """The 1-8 right after a quadrant name ("upper left six"), unless it is a measurement."""
    num = toks[j].num if j < len(toks) else None
    if num is None or not 1 <= num <= 8 or not toks[j].digit:
        return None
    if j + 1 < len(toks) and toks[j + 1].norm in MM_WORDS:
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


# The words a descriptive name can start with: an index of the lexicon's tooth-name words.
_STARTERS = (
    frozenset(TOOTH_ARCHES)
    | frozenset(TOOTH_TYPES)
    | frozenset(TOOTH_ORDINALS)
    | PRIMARY_WORDS
    | frozenset(TOOTH_SIDES)
    | frozenset(a for a, _ in TOOTH_TYPES_TWO_WORDS)
    | frozenset(p[0] for p in WHOLE_MOUTH)
    | frozenset(PALMER_QUADRANTS)
    | QUADRANT_WORDS
)


@dataclass
class _Name:
    """What a descriptive name has said so far, word by word ("upper right first ...")."""

    arch: str | None = None
    side: str | None = None
    primary: bool = False
    ordinal: int | None = None
    more_ordinals: list[int] = field(default_factory=list)
    positions: tuple[int, ...] | None = None
    plural: bool = False
    group_word: str | None = None


def _fixed_name(toks: list[Tok], i: int, words: list[str]) -> Descriptive | None:
    """Names read whole: "full mouth", Palmer "UR 6", "quadrant 2", "first quadrant"."""
    for whole in WHOLE_MOUTH:
        if tuple(words[i : i + len(whole)]) == whole:
            return Descriptive(i + len(whole), teeth=sorted(PERMANENT), phrase=" ".join(whole))
    w = words[i]
    has_next = i + 1 < len(toks)
    if w in PALMER_QUADRANTS and has_next and toks[i + 1].digit and 1 <= (toks[i + 1].num or 0) <= 8:
        return Descriptive(i + 2, teeth=[f"{PALMER_QUADRANTS[w]}{toks[i + 1].num}"], phrase=f"{w} {toks[i + 1].num}")
    if w in QUADRANT_WORDS and has_next and toks[i + 1].num in (1, 2, 3, 4):
        q = toks[i + 1].num or 0
        return Descriptive(i + 2, teeth=quadrant_teeth(q), phrase=f"quadrant {q}")
    if w in TOOTH_ORDINALS and has_next and words[i + 1] in QUADRANT_WORDS:
        return Descriptive(i + 2, teeth=quadrant_teeth(TOOTH_ORDINALS[w]), phrase=f"{w} quadrant")
    return None


def _ordinal_pair(words: list[str], j: int, n: int) -> bool:
    """ "first and second molars": two ordinals joined by "and" or a comma."""
    nxt = words[j + 1] if j + 1 < n else ""
    return words[j] in TOOTH_ORDINALS and nxt in ORDINAL_JOINERS and j + 2 < n and words[j + 2] in TOOTH_ORDINALS


def _ordinal_before_type(words: list[str], j: int, n: int) -> bool:
    """ "first molar", "second primary ...", "first central incisor": an ordinal that names a type."""
    nxt = words[j + 1] if j + 1 < n else ""
    if words[j] not in TOOTH_ORDINALS:
        return False
    return (
        nxt in TOOTH_TYPES
        or nxt in PRIMARY_WORDS
        or (words[j], nxt) in TOOTH_TYPES_TWO_WORDS
        or (j + 2 < n and (nxt, words[j + 2]) in TOOTH_TYPES_TWO_WORDS)
    )


def _modifier(s: _Name, words: list[str], j: int, n: int) -> int | None:
    """Read an arch, side, "primary" or ordinal at ``j``; the next index, or None if it is none of those."""
    w = words[j]
    nxt = words[j + 1] if j + 1 < n else ""
    if w in TOOTH_ARCHES and s.arch is None:
        s.arch = TOOTH_ARCHES[w]
    elif w in TOOTH_SIDES and s.side is None and (s.arch is not None or nxt in _STARTERS):
        s.side = TOOTH_SIDES[w]
    elif w in PRIMARY_WORDS:
        s.primary = True
    elif s.ordinal is None and _ordinal_pair(words, j, n):
        s.ordinal = TOOTH_ORDINALS[w]
        s.more_ordinals.append(TOOTH_ORDINALS[words[j + 2]])
        return j + 3
    elif s.ordinal is None and _ordinal_before_type(words, j, n):
        s.ordinal = TOOTH_ORDINALS[w]
    else:
        return None
    return j + 1


def _head(s: _Name, words: list[str], j: int, n: int) -> int:
    """Read the type ("molar", "central incisor") or group ("quadrant", "arch") ending the name."""
    w = words[j]
    two = (w, words[j + 1] if j + 1 < n else "")
    if two in TOOTH_TYPES_TWO_WORDS:
        s.positions, s.plural = TOOTH_TYPES_TWO_WORDS[two]
        return j + 2
    if w in TOOTH_TYPES:
        s.positions, s.plural = TOOTH_TYPES[w]
        return j + 1
    if w in QUADRANT_WORDS and (s.arch or s.side):
        s.group_word = "quadrant"
        return j + 1
    if w in ARCH_GROUP_WORDS and s.arch and not s.side:
        s.group_word = "arch"
        return j + 1
    return j


def _read_name(toks: list[Tok], i: int, words: list[str]) -> tuple[_Name, int]:
    """Modifiers then a head, from ``i``; the name read and the index after it."""
    s = _Name()
    n = len(toks)
    j = i
    while j < n:
        after = _modifier(s, words, j, n)
        if after is None:
            return s, _head(s, words, j, n)
        j = after
    return s, j


def _headless(toks: list[Tok], i: int, j: int, words: list[str], s: _Name) -> Descriptive | None:
    """A name with no type or group word: "upper left six", "lower left E", or a bare quadrant."""
    if not (s.arch and s.side):
        return None
    palmer = _palmer_position(toks, j) if not s.primary else None
    if palmer is not None:
        # "upper left six" (UK): the quadrant, then the tooth's place in it counted from the midline
        quad = _quadrants(s.arch, s.side, s.primary)[0]
        return Descriptive(j + 1, teeth=[f"{quad}{palmer}"], phrase=" ".join(words[i : j + 1]))
    letter = words[j] if j < len(toks) and len(words[j]) == 1 else ""
    if letter and letter in PRIMARY_LETTERS and (toks[j].upper or letter != ARTICLE_A):
        # "lower left E" (UK): a primary tooth, lettered A-E from the midline
        quad = _quadrants(s.arch, s.side, True)[0]
        return Descriptive(j + 1, teeth=[f"{quad}{PRIMARY_LETTERS.index(letter) + 1}"],
                           phrase=" ".join(words[i : j + 1]))
    if j > i:
        # "upper right" alone: the quadrant
        return Descriptive(
            j,
            teeth=[t for q in _quadrants(s.arch, s.side, s.primary) for t in quadrant_teeth(q)],
            phrase=" ".join(words[i:j]),
        )
    return None


def _refine_ordinals(positions: tuple[int, ...], s: _Name) -> tuple[tuple[int, ...], bool]:
    """ "first molar" -> position 6; "first and second premolars" -> 4, 5 (and plural)."""
    if s.ordinal is None:
        return positions, s.plural
    wanted = [s.ordinal] + s.more_ordinals
    base = {(4, 5): 3, (6, 7, 8): 5, (1, 2): 0}.get(positions)
    if base is not None and all(base + o in positions for o in wanted):
        return tuple(base + o for o in wanted), s.plural or len(wanted) > 1
    return positions, s.plural


def _typed(words: list[str], i: int, j: int, s: _Name, positions: tuple[int, ...]) -> Descriptive | None:
    """A name with a tooth type: the teeth it fits, or options to ask about when several do."""
    if words[i] in GROUP_ADJECTIVES and not (s.arch or s.side) and j == i + 1:
        return None  # "anterior composite": an adjective, not a tooth group
    if not (s.arch or s.side or s.plural or s.ordinal):
        return None  # a bare "molar" names no tooth
    positions, plural = _refine_ordinals(positions, s)
    if s.primary:
        positions = tuple(_PRIMARY_POS[p] for p in positions if p in _PRIMARY_POS)
        if not positions:
            return None
    quads = _quadrants(s.arch, s.side, s.primary)
    teeth = sorted(f"{q}{p}" for q in quads for p in positions)
    phrase = " ".join(words[i:j])
    if plural or len(teeth) == 1:
        return Descriptive(j, teeth=teeth, phrase=phrase)
    return Descriptive(j, options=teeth, phrase=phrase)


def parse_descriptive(toks: list[Tok], i: int, words: list[str] | None = None) -> Descriptive | None:
    """Try to read a descriptive tooth name starting at token ``i``."""
    if toks[i].norm not in _STARTERS:
        return None
    words = words if words is not None else [t.norm for t in toks]
    fixed = _fixed_name(toks, i, words)
    if fixed is not None:
        return fixed
    s, j = _read_name(toks, i, words)
    if s.positions is None and s.group_word is None:
        return _headless(toks, i, j, words, s)
    if s.positions is None:  # quadrant / arch
        quads = _quadrants(s.arch, s.side, s.primary)
        return Descriptive(j, teeth=sorted(t for q in quads for t in quadrant_teeth(q)), phrase=" ".join(words[i:j]))
    return _typed(words, i, j, s, s.positions)
