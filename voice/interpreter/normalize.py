"""Normalisation: tokens with offsets, number words -> numbers, speech-recognition repairs.

Whisper writes the same dictation many ways ("sixteen", "16", "one six", "Forty-six", "3-2-4",
"carries", "to sixteen"); everything downstream sees one canonical token stream. Each token
keeps its character span in the transcript (note text is cut from the original words) and a
repair penalty when a homophone was reinterpreted, so confidence can drop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, TypeGuard

from core_schema.dentition import is_valid_tooth as is_valid_fdi

from .lexicon import (
    BEFORE_A_TOOTH_NUMBER,
    BLEEDING_MISHEARD,
    EIGHT_HOMOPHONES,
    FOUR_HOMOPHONES,
    NUMBER_HOMOPHONES,
    NUMBER_TEENS,
    NUMBER_TENS,
    NUMBER_TENS_MISSPELT,
    NUMBER_UNITS,
    ON_HEARD_AS_SUN,
    ON_SPELT_ONTO,
    ONE,
    ONE_PRONOUN_BEFORE,
    ORDINAL_DIGITS,
    PERIO_HINT_PATTERN,
    SITE_DEPTH_PATTERN,
    SPLIT_PREFIX,
    SPLIT_PREFIX_WORDS,
    TOOTH_NAME_WORDS,
    TWO_HOMOPHONES,
    WRITTEN_SYMBOLS,
)

_TOKEN_RE = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|\d+(?:st|nd|rd|th)?(?:'s)?|[#&.,;:!?]")

# The lexicon's number words (tens with Whisper's misspellings) and its perio patterns, compiled.
UNITS = NUMBER_UNITS
TEENS = NUMBER_TEENS
TENS = NUMBER_TENS | NUMBER_TENS_MISSPELT
_PERIO_HINT = re.compile(PERIO_HINT_PATTERN)
_SITE_DEPTH = re.compile(SITE_DEPTH_PATTERN)
REPAIR_HOMOPHONE = 0.08


@dataclass
class Tok:
    """One normalised token: canonical text, optional numeric value, span in the transcript."""

    norm: str
    start: int
    end: int
    num: int | None = None
    digit: bool = False  # a single spoken digit ("six", "6") that may pair into a tooth ("one six")
    spelled: bool = False  # the number was said as words, not written as digits
    upper: bool = False  # written in capitals (surface letters "MOD", Universal letters)
    punct: bool = False
    repair: float = 0.0


def has_perio_hint(text: str) -> bool:
    """Whether the transcript talks about perio (so 'leading' is 'bleeding')."""
    low = text.lower()
    return _PERIO_HINT.search(low) is not None or _SITE_DEPTH.search(low) is not None


def tokenize(text: str) -> list[Tok]:
    """Split into word/number/punctuation tokens with spans; hyphens split ("3-2-4", "mesio-occlusal")."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"\.{2,}|\u2026", lambda m: "," + " " * (len(m.group(0)) - 1), text)  # a trailing-off pause, not a full stop
    toks: list[Tok] = []
    for m in _TOKEN_RE.finditer(text):
        raw = m.group(0)
        start, end = m.span()
        if raw in "#&.,;:!?":
            toks.append(Tok(WRITTEN_SYMBOLS.get(raw, raw), start, end, punct=raw not in "#&"))
            continue
        if raw[0].isdigit():
            low = raw.lower()
            if low in ORDINAL_DIGITS:
                toks.append(Tok(ORDINAL_DIGITS[low], start, end))
                continue
            digits = re.match(r"\d+", raw).group(0)  # type: ignore[union-attr]  # the tokenizer regex only yields this branch for a token that starts with digits
            if len(digits) > 9:  # no tooth, grade or depth; int() refuses > 4300 digits anyway
                toks.append(Tok(low, start, end))
                continue
            value = int(digits)
            toks.append(Tok(str(value), start, end, num=value, digit=len(digits) == 1 and value <= 9))
            continue
        low = raw.lower()
        if low.endswith("'s") and low[:-2] in UNITS | TEENS | TENS:
            low = low[:-2]
        toks.append(Tok(low, start, end, upper=raw.isupper()))
    return _numbers(toks)


def _numbers(toks: list[Tok]) -> list[Tok]:
    """Number words -> numbers: 'sixteen' -> 16, 'forty six' -> 46, 'six' -> 6 (a digit)."""
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        w = t.norm
        if w in TENS:
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if nxt is not None and nxt.norm in UNITS and UNITS[nxt.norm] > 0:
                out.append(
                    Tok(str(TENS[w] + UNITS[nxt.norm]), t.start, nxt.end, num=TENS[w] + UNITS[nxt.norm], spelled=True)
                )
                i += 2
                continue
            out.append(Tok(str(TENS[w]), t.start, t.end, num=TENS[w], spelled=True))
        elif w in TEENS:
            out.append(Tok(str(TEENS[w]), t.start, t.end, num=TEENS[w], spelled=True))
        elif w in UNITS and not (w == ONE and out and out[-1].norm in ONE_PRONOUN_BEFORE):
            out.append(Tok(str(UNITS[w]), t.start, t.end, num=UNITS[w], digit=True, spelled=True))
        else:
            out.append(t)
        i += 1
    return out


def _is_digit(t: Tok | None) -> TypeGuard[Tok]:
    return t is not None and t.digit


def _is_num(t: Tok | None) -> TypeGuard[Tok]:
    return t is not None and t.num is not None


def _homophone_is_number(w: str, prev: Tok | None, nxt: Tok | None, perio: bool) -> bool:
    """Whether the homophone ``w`` ("for", "ate", "won") is a number between these neighbours."""
    if w in FOUR_HOMOPHONES:
        return (_is_digit(nxt) and 1 <= (nxt.num or 0) <= 8 and not _is_digit(prev)) or (
            perio and _is_digit(prev) and not (_is_num(nxt) and (nxt.num or 0) >= 10)
        )
    if w in EIGHT_HOMOPHONES:
        return (
            _is_digit(nxt) or _is_digit(prev)
            or (prev is not None and prev.norm in BEFORE_A_TOOTH_NUMBER)
        )
    return _is_digit(nxt) or _is_digit(prev)


def _number_homophone(toks: list[Tok], i: int, out: list[Tok], perio: bool) -> Tok | None:
    """'won six' -> 16, 'for six' -> 46, 'three two for' -> 3 2 4 (perio)."""
    t = toks[i]
    if t.norm not in NUMBER_HOMOPHONES or t.num is not None:
        return None
    prev = out[-1] if out else None
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if perio:
        # "4, free, 5": while charting perio, a list of depths reads across Whisper's commas
        prev = next((x for x in reversed(out) if not x.punct), None) if prev is not None and prev.punct else prev
        nxt = next((x for x in toks[i + 1:] if not x.punct), None) if nxt is not None and nxt.punct else nxt
    if not _homophone_is_number(t.norm, prev, nxt, perio):
        return None
    value = NUMBER_HOMOPHONES[t.norm]
    return Tok(str(value), t.start, t.end, num=value, digit=True, spelled=True, repair=REPAIR_HOMOPHONE)


def _two_as_to(toks: list[Tok], i: int, out: list[Tok], perio: bool) -> Tok | None:
    """'two sixteen': Whisper wrote the preposition "to" as a number."""
    t = toks[i]
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if t.num == 2 and t.spelled and _is_num(nxt) and (nxt.num or 0) >= 10 and not nxt.digit:
        return Tok("to", t.start, t.end, repair=0.1)
    return None


def _to_as_two(toks: list[Tok], i: int, out: list[Tok], perio: bool) -> Tok | None:
    """'three to four' -> 3 2 4 while charting perio."""
    t = toks[i]
    prev = out[-1] if out else None
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if t.norm in TWO_HOMOPHONES and perio and _is_digit(prev) and _is_digit(nxt):
        return Tok("2", t.start, t.end, num=2, digit=True, spelled=True, repair=REPAIR_HOMOPHONE)
    return None


def _onto_as_on(toks: list[Tok], i: int, out: list[Tok], perio: bool) -> Tok | None:
    """'onto 14' -> 'on 14'."""
    t = toks[i]
    return Tok("on", t.start, t.end, repair=0.02) if t.norm == ON_SPELT_ONTO else None


def _sun_as_on(toks: list[Tok], i: int, out: list[Tok], perio: bool) -> Tok | None:
    """'sun 16' -> 'on 16'."""
    t = toks[i]
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    return Tok("on", t.start, t.end, repair=REPAIR_HOMOPHONE) if t.norm == ON_HEARD_AS_SUN and _is_num(nxt) else None


def _bleeding_misheard(toks: list[Tok], i: int, out: list[Tok], perio: bool) -> Tok | None:
    """'leading' -> 'bleeding' while charting perio."""
    t = toks[i]
    return Tok("bleeding", t.start, t.end, repair=0.05) if perio and t.norm in BLEEDING_MISHEARD else None


#: The homophone repairs, tried in order on each token; the first that applies replaces it.
_REPAIRS: tuple[Callable[[list[Tok], int, list[Tok], bool], Tok | None], ...] = (
    _number_homophone, _two_as_to, _to_as_two, _onto_as_on, _sun_as_on, _bleeding_misheard,
)


def repair(toks: list[Tok], perio: bool) -> list[Tok]:
    """Fix Whisper homophones where the neighbours make the meaning clear.

    'won six' -> 16, 'for six' -> 46, 'three two for' -> 3 2 4 (perio), 'two sixteen' -> 'to 16',
    'sun 16' / 'onto 14' -> 'on', 'three to four' -> 3 2 4 (perio), 'leading' -> 'bleeding' (perio).
    """
    out: list[Tok] = []
    for i, t in enumerate(toks):
        out.append(next((new for rule in _REPAIRS if (new := rule(toks, i, out, perio)) is not None), t))
    return out


def split_depth_runs(toks: list[Tok]) -> list[Tok]:
    """'546' -> 5 4 6 when charting perio: ASR writes a run of spoken depths as one number.

    Only 3- or 6-digit numbers without a zero: no tooth, depth or grade has three digits, so
    the split never changes a real number.
    """
    out: list[Tok] = []
    for t in toks:
        if t.num is not None and not t.spelled and len(t.norm) in (3, 6) and t.norm.isdigit() and "0" not in t.norm:
            # A near-certain repair in perio context: a small confidence cost, once per run.
            out += [Tok(d, t.start, t.end, num=int(d), digit=True, repair=0.02 if i == 0 else 0.0)
                    for i, d in enumerate(t.norm)]
        else:
            out.append(t)
    return out


def split_tooth_prefix(toks: list[Tok]) -> list[Tok]:
    """'231' / '2031' -> 31: ASR writes "tooth thirty one" as "two thirty one" (like "to sixteen").

    Only when the rest is a valid FDI tooth and the whole is not: no tooth, depth or grade has
    three or four digits, so a real number is never changed. Not used while charting perio,
    where a three-digit run is depths (see ``split_depth_runs``).
    """
    out: list[Tok] = []
    for t in toks:
        digits = t.norm if t.num is not None and not t.spelled and t.norm.isdigit() else ""
        rest = digits[1:] if len(digits) == 3 and digits[0] == "2" else digits[2:] if len(digits) == 4 and digits[:2] == "20" else ""
        if rest and is_valid_fdi(rest):
            out.append(Tok(rest, t.start, t.end, num=int(rest), repair=REPAIR_HOMOPHONE))
        else:
            out.append(t)
    return out


def join_split_words(toks: list[Tok]) -> list[Tok]:
    """'pre-molar' -> 'premolar'; 'upper, left second molar' -> no comma inside a tooth's name.

    ASR punctuates pauses: a comma between two words of a descriptive tooth name is a breath,
    not a boundary between commands.
    """
    toks = [t for i, t in enumerate(toks)
            if not (t.norm == "," and 0 < i < len(toks) - 1
                    and toks[i - 1].norm in TOOTH_NAME_WORDS and toks[i + 1].norm in TOOTH_NAME_WORDS)]
    out: list[Tok] = []
    for t in toks:
        if out and out[-1].norm == SPLIT_PREFIX and t.norm in SPLIT_PREFIX_WORDS:
            prev = out.pop()
            out.append(Tok("pre" + t.norm, prev.start, t.end))
        else:
            out.append(t)
    return out


def normalise(text: str, perio_mode: bool = False) -> list[Tok]:
    """Full normalisation pass: tokenise, numbers, then context-aware ASR repairs."""
    perio = perio_mode or has_perio_hint(text)
    toks = join_split_words(tokenize(text))
    return repair(split_depth_runs(toks) if perio else split_tooth_prefix(toks), perio)
