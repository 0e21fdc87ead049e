"""Tagging: normalised tokens -> typed items (teeth, surfaces, labels, cues, numbers as values).

Numbers are the hard part of dental dictation: the same "3" is a pocket depth, a mobility
grade, a millimetre, a list position or (Universal) a tooth. Values are claimed first by the
word before them ("grade 2", "item 3", "2 mm"), perio runs next, and only what is left is
read as a tooth in the active notation. Numbers that are not teeth there become ``bad_tooth``
items so the caller asks instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .descriptive import parse_descriptive
from .items import Item
from .lexicon import (
    DO_AS_SURFACES,
    FIRST_WORDS,
    LEXICON,
    LOWER_SURFACE_COMBOS,
    MAX_PHRASE,
    NOT_SURFACE_AFTER_DO,
    OF,
    PUNCT_HARD,
    RANGE_TO,
    ROMAN,
    SITE_ABBREVIATIONS,
    SPOKEN_LETTERS,
    SURFACE_LETTERS,
    Entry,
)
from .normalize import Tok
from .teeth import UNIVERSAL, is_valid_fdi, nearest_teeth, spoken_to_fdi, universal_letter_to_fdi


def _universal_letter(t: Tok, items: list[Item], notation: str) -> Item | None:
    """'tooth K', 'letter L' in a Universal clinic: a primary tooth (A-T), even when the letter is
    also a surface's; a letter past T after "tooth" is no tooth (asked about, never guessed)."""
    if notation != UNIVERSAL or not items or items[-1].kind != "tmark":
        return None
    letter = SPOKEN_LETTERS.get(t.norm, t.norm)  # "tooth cake": Whisper spelt the letter K as a word
    if len(letter) != 1 or not letter.isalpha():
        return None
    fdi = universal_letter_to_fdi(letter)
    if fdi:
        return Item("teeth", -1, -1, [fdi], said=letter.upper(), penalty=0.05 if letter != t.norm else 0.0)
    return Item("bad_tooth", -1, -1, [], said=letter.upper()) if t.upper else None


def _surface_letters(tok: Tok, nxt: Tok | None) -> list[str] | None:
    """'MOD' / 'mo' / 'DO' -> surface letters; None when the token is an ordinary word."""
    w = tok.norm
    if not w.isalpha() or not set(w) <= SURFACE_LETTERS or len(set(w)) != len(w) or len(w) > 5:
        return None
    if tok.upper and len(w) >= 1 and ((w,) not in LEXICON or w in SITE_ABBREVIATIONS):
        return [c.upper() for c in w]
    if w in LOWER_SURFACE_COMBOS:
        return [c.upper() for c in w]
    if w == DO_AS_SURFACES and (nxt is None or nxt.norm not in NOT_SURFACE_AFTER_DO):
        return ["D", "O"]
    return None


def _letter_run(toks: list[Tok], i: int) -> tuple[list[str], int] | None:
    """Spelled-out surface letters 'm o d' / 'M. O. D.' (two or more single letters)."""
    letters: list[str] = []
    j = i
    while j < len(toks):
        t = toks[j]
        if len(t.norm) == 1 and t.norm in SURFACE_LETTERS and not t.punct:
            letters.append(t.norm.upper())
            j += 1
            while j < len(toks) and toks[j].norm == "." and j + 1 < len(toks) and len(toks[j + 1].norm) == 1:
                j += 1
            continue
        break
    if len(letters) >= 2 and len(set(letters)) == len(letters):
        # eat a trailing abbreviation dot ("M.O.D.")
        if j < len(toks) and toks[j].norm == "." and toks[j - 1].norm != ".":
            j += 1
        return letters, j
    return None


@dataclass
class _Tagging:
    """The tokens being tagged and the items read so far."""

    toks: list[Tok]
    words: list[str]
    notation: str
    items: list[Item] = field(default_factory=list)

    def nxt(self, i: int) -> Tok | None:
        return self.toks[i + 1] if i + 1 < len(self.toks) else None


_Read = tuple[Item, int] | None  # an item and the index after it, or None: the reader does not apply


def _read_punct(s: _Tagging, i: int) -> _Read:
    t = s.toks[i]
    return (Item("hard" if t.norm in PUNCT_HARD else "soft", i, i + 1, t.norm), i + 1) if t.punct else None


def _read_number(s: _Tagging, i: int) -> _Read:
    t = s.toks[i]
    return (Item("num", i, i + 1, t.num, t.repair, t.norm), i + 1) if t.num is not None else None


def _read_descriptive(s: _Tagging, i: int) -> _Read:
    """'upper right first molar', 'lower incisors' (or a name of several teeth, to ask about)."""
    d = parse_descriptive(s.toks, i, s.words)
    if d is None:
        return None
    if d.teeth:
        return Item("teeth", i, d.end, list(d.teeth), said=d.phrase, extra={"descriptive": True}), d.end
    return Item("ambiguous_tooth", i, d.end, list(d.options), said=d.phrase), d.end


def _read_universal_letter(s: _Tagging, i: int) -> _Read:
    letter = _universal_letter(s.toks[i], s.items, s.notation)
    return (Item(letter.kind, i, i + 1, letter.value, letter.penalty, letter.said), i + 1) if letter is not None else None


def _read_capital_surfaces(s: _Tagging, i: int) -> _Read:
    """'MOD', 'DO' written in capitals."""
    t = s.toks[i]
    letters = _surface_letters(t, s.nxt(i)) if t.upper and len(t.norm) >= 2 else None
    return (Item("surf", i, i + 1, letters, said=t.norm), i + 1) if letters else None


def _read_letter_run(s: _Tagging, i: int) -> _Read:
    """'m o d', 'M. O. D.'."""
    run = _letter_run(s.toks, i) if len(s.toks[i].norm) == 1 else None
    return (Item("surf", i, run[1], run[0], said=" ".join(run[0])), run[1]) if run else None


def _read_capital_surface(s: _Tagging, i: int) -> _Read:
    """A lone capital 'M' / 'D' (not a Universal letter after "tooth")."""
    t = s.toks[i]
    if (
        t.upper
        and len(t.norm) == 1
        and t.norm in SURFACE_LETTERS
        and not (s.items and s.items[-1].kind == "tmark" and s.notation == UNIVERSAL)
    ):
        return Item("surf", i, i + 1, [t.norm.upper()], said=t.norm), i + 1
    return None


def _read_lexicon(s: _Tagging, i: int) -> _Read:
    """The longest lexicon phrase starting here."""
    matched = _match_lexicon(s.toks, i)
    if matched is None:
        return None
    entry, end = matched
    phrase = " ".join(x.norm for x in s.toks[i:end])
    penalty = entry.penalty + sum(x.repair for x in s.toks[i:end])
    return Item(entry.kind, i, end, entry.value, penalty, phrase), end


def _read_surfaces(s: _Tagging, i: int) -> _Read:
    """'mod', 'do' in lower case, when no lexicon word took them."""
    t = s.toks[i]
    letters = _surface_letters(t, s.nxt(i))
    return (Item("surf", i, i + 1, letters, said=t.norm), i + 1) if letters else None


def _read_universal_tooth_letter(s: _Tagging, i: int) -> _Read:
    """'tooth a' (Universal): a primary tooth's letter after "tooth"."""
    t = s.toks[i]
    if (
        s.notation == UNIVERSAL
        and len(t.norm) == 1
        and s.items
        and s.items[-1].kind == "tmark"
        and universal_letter_to_fdi(t.norm)
    ):
        return Item("teeth", i, i + 1, [universal_letter_to_fdi(t.norm)], said=t.norm.upper()), i + 1
    return None


def _read_roman_grade(s: _Tagging, i: int) -> _Read:
    """'grade ii'."""
    t = s.toks[i]
    if t.norm in ROMAN and s.items and s.items[-1].kind == "gmark":
        return Item("grade", i, i + 1, ROMAN[t.norm], said=t.norm), i + 1
    return None


#: Token readers in order: the first that applies makes the item; a token none reads is a plain word.
_READERS: tuple[Callable[[_Tagging, int], _Read], ...] = (
    _read_punct, _read_number, _read_descriptive, _read_universal_letter, _read_capital_surfaces,
    _read_letter_run, _read_capital_surface, _read_lexicon, _read_surfaces, _read_universal_tooth_letter,
    _read_roman_grade,
)


def tag(toks: list[Tok], notation: str, perio: bool) -> list[Item]:
    """Tokens -> items, then numbers resolved into teeth / values."""
    s = _Tagging(toks, [t.norm for t in toks], notation)
    i = 0
    while i < len(toks):
        read = next((r for reader in _READERS if (r := reader(s, i)) is not None), None)
        if read is None:
            t = toks[i]
            read = Item("word", i, i + 1, t.norm, t.repair, t.norm), i + 1
        s.items.append(read[0])
        i = read[1]
    return _resolve_numbers(s.items, toks, notation, perio)



def _match_lexicon(toks: list[Tok], i: int) -> tuple[Entry, int] | None:
    if toks[i].norm not in FIRST_WORDS:
        return None
    for size in range(min(MAX_PHRASE, len(toks) - i), 0, -1):
        key = tuple(t.norm for t in toks[i : i + size])
        entry = LEXICON.get(key)
        if entry is not None:
            return entry, i + size
    return None


def _tooth_item(value: int, it: Item, notation: str, said: str, penalty: float, j: int | None = None) -> Item:
    fdi = spoken_to_fdi(value, notation)
    end = it.j if j is None else j
    if fdi is not None and is_valid_fdi(fdi):
        return Item("teeth", it.i, end, [fdi], penalty, said)
    return Item("bad_tooth", it.i, end, nearest_teeth(value, notation), penalty, said)


@dataclass
class _Numbers:
    """The items whose numbers get roles, and the items resolved so far."""

    items: list[Item]
    toks: list[Tok]
    notation: str
    perio: bool
    out: list[Item] = field(default_factory=list)

    def prev(self) -> Item | None:
        return self.out[-1] if self.out else None


_Resolved = tuple[list[Item], int] | None  # the items a number became and the index after it


def _as_unit(s: _Numbers, k: int) -> _Resolved:
    """'2 mm', '3 minutes': a measure or a quantity."""
    it = s.items[k]
    nxt = s.items[k + 1] if k + 1 < len(s.items) else None
    if nxt is not None and nxt.kind in ("unit_mm", "unit"):
        return [Item("measure" if nxt.kind == "unit_mm" else "quantity", it.i, nxt.j, it.value, it.penalty, it.said)], k + 2
    return None


def _as_grade(s: _Numbers, k: int) -> _Resolved:
    """'grade 2'."""
    it, prev = s.items[k], s.prev()
    return ([Item("grade", it.i, it.j, it.value, it.penalty, it.said)], k + 1) if prev is not None and prev.kind == "gmark" else None


def _as_mobility_grade(s: _Numbers, k: int) -> _Resolved:
    """'mobility 2': a grade (a Universal 4 after "mobility" may be a tooth)."""
    it, prev = s.items[k], s.prev()
    value: int = it.value
    if (
        prev is not None
        and prev.kind == "label"
        and prev.value.find == "mobility"
        and value <= 4
        and (s.notation != UNIVERSAL or value <= 3)
        and s.toks[it.i].digit
    ):
        return [Item("grade", it.i, it.j, value, it.penalty, it.said)], k + 1
    return None


def _as_recession(s: _Numbers, k: int) -> _Resolved:
    """'recession 2', 'recession of 3': millimetres."""
    it, prev, out = s.items[k], s.prev(), s.out
    if (
        prev is not None
        and prev.kind == "recession"
        or (
            prev is not None
            and prev.kind == "prep"
            and prev.said == OF
            and len(out) > 1
            and out[-2].kind == "recession"
        )
    ):
        run, k2 = _collect_run(s.items, s.toks, k) if s.perio else ([], k)
        if len(run) == 3:  # "recession two one two": the current row's three sites, in spoken order
            said = " ".join(x.said for x in run)
            return [Item("run", it.i, run[-1].j, [x.value for x in run], sum(x.penalty for x in run), said)], k2
        return [Item("measure", it.i, it.j, it.value, it.penalty, it.said)], k + 1
    return None


def _as_position(s: _Numbers, k: int) -> _Resolved:
    """'item 3', 'position 2'."""
    it, prev = s.items[k], s.prev()
    if prev is not None and prev.kind == "item_kw":
        return [Item("ordinal", it.i, it.j, it.value, it.penalty, it.said, extra={"slot": prev.value})], k + 1
    return None


def _as_tooth(s: _Numbers, k: int) -> _Resolved:
    """Outside perio (or after "tooth"): a tooth, two digits that pair into one, or a lone digit's word."""
    it, prev = s.items[k], s.prev()
    value: int = it.value
    after_mark = prev is not None and prev.kind == "tmark"
    if not (after_mark or not s.perio):
        return None
    pair = _pair(s.items, s.toks, k, s.notation, allow=True)
    if pair is not None:
        value2, j2, pen = pair
        return [_tooth_item(value2, it, s.notation, f"{it.said} {s.items[k + 1].said}", pen, j2)], k + 2
    if s.toks[it.i].digit and s.notation != UNIVERSAL and not after_mark:
        if prev is not None and prev.kind in ("prep",):
            return [Item("bad_tooth", it.i, it.j, nearest_teeth(value, s.notation), it.penalty, it.said)], k + 1
        return [Item("word", it.i, it.j, it.said, it.penalty, it.said)], k + 1
    return [_tooth_item(value, it, s.notation, it.said, it.penalty)], k + 1


def _as_perio(s: _Numbers, k: int) -> _Resolved:
    """A perio utterance: runs of single digits are pocket depths; bigger numbers are teeth."""
    it = s.items[k]
    if not s.toks[it.i].digit:
        return [_tooth_item(it.value, it, s.notation, it.said, it.penalty)], k + 1
    run, k2 = _collect_run(s.items, s.toks, k)
    return _split_run(run, s.items, s.toks, s.notation), k2


#: Number roles in order: the word before a number claims it first, a tooth or a depth run last.
_NUMBER_ROLES: tuple[Callable[[_Numbers, int], _Resolved], ...] = (
    _as_unit, _as_grade, _as_mobility_grade, _as_recession, _as_position, _as_tooth, _as_perio,
)


def _resolve_numbers(items: list[Item], toks: list[Tok], notation: str, perio: bool) -> list[Item]:
    """Give every number a role: grade, measure, list position, perio depth run or tooth."""
    s = _Numbers(items, toks, notation, perio)
    k = 0
    while k < len(items):
        if items[k].kind != "num":
            s.out.append(items[k])
            k += 1
            continue
        made, k = next(r for role in _NUMBER_ROLES if (r := role(s, k)) is not None)
        s.out.extend(made)
    return _ranges(s.out, s.notation)


def _pair(items: list[Item], toks: list[Tok], k: int, notation: str, allow: bool) -> tuple[int, int, float] | None:
    """'one six' -> 16 when two single spoken digits sit side by side and make a tooth number."""
    if not allow or k + 1 >= len(items):
        return None
    a, b = items[k], items[k + 1]
    if b.kind != "num" or b.i != a.j:
        return None
    ta, tb = toks[a.i], toks[b.i]
    if not (ta.digit and tb.digit):
        return None
    value = ta.num * 10 + tb.num  # type: ignore[operator]  # digit tokens always carry num
    if notation == UNIVERSAL:
        if not (ta.spelled and tb.spelled) or not (1 <= value <= 32) or ta.num == 0:
            return None
    elif not (1 <= (ta.num or 0) <= 9):
        return None
    return value, b.j, a.penalty + b.penalty + 0.02


def _collect_run(items: list[Item], toks: list[Tok], k: int) -> tuple[list[Item], int]:
    """Consecutive single-digit numbers, allowing commas and 'and' between them."""
    run: list[Item] = []
    while k < len(items):
        it = items[k]
        if it.kind == "num" and toks[it.i].digit:
            run.append(it)
            k += 1
            continue
        if (
            it.kind in ("soft", "conj")
            and run
            and k + 1 < len(items)
            and items[k + 1].kind == "num"
            and toks[items[k + 1].i].digit
        ):
            k += 1
            continue
        break
    return run, k


def _split_run(run: list[Item], items: list[Item], toks: list[Tok], notation: str) -> list[Item]:
    """A perio digit run: maybe a leading tooth ('one six three two four'), then depths."""
    out: list[Item] = []
    n = len(run)
    if notation != UNIVERSAL and n in (2, 5, 8) and run[1].i == run[0].j:
        value = run[0].value * 10 + run[1].value
        if is_valid_fdi(str(value)):
            out.append(
                Item(
                    "teeth",
                    run[0].i,
                    run[1].j,
                    [str(value)],
                    run[0].penalty + run[1].penalty + 0.02,
                    f"{run[0].said} {run[1].said}",
                )
            )
            run = run[2:]
    elif notation == UNIVERSAL and n in (4, 7):
        out.append(_tooth_item(run[0].value, run[0], notation, run[0].said, run[0].penalty))
        run = run[1:]
    if run:
        out.append(
            Item(
                "run",
                run[0].i,
                run[-1].j,
                [r.value for r in run],
                sum(r.penalty for r in run),
                " ".join(r.said for r in run),
            )
        )
    return out


def _ranges(items: list[Item], notation: str) -> list[Item]:
    """'14 through 17' -> 14, 15, 16, 17 (same quadrant / consecutive Universal numbers)."""
    out: list[Item] = []
    k = 0
    while k < len(items):
        it = items[k]
        if (
            it.kind == "teeth"
            and k + 2 < len(items)
            and items[k + 1].kind in ("range", "prep")
            and (items[k + 1].kind == "range" or items[k + 1].said == RANGE_TO)
            and items[k + 2].kind == "teeth"
            and len(it.value) == 1
            and len(items[k + 2].value) == 1
            and not it.extra.get("descriptive")
            and not items[k + 2].extra.get("descriptive")
        ):
            a, b = it.value[0], items[k + 2].value[0]
            if a[0] == b[0] and a[1] < b[1]:
                teeth = [f"{a[0]}{p}" for p in range(int(a[1]), int(b[1]) + 1)]
            elif a[0] == b[0] and a[1] > b[1]:
                teeth = [f"{a[0]}{p}" for p in range(int(a[1]), int(b[1]) - 1, -1)]
            else:
                teeth = []
            if teeth:
                out.append(
                    Item(
                        "teeth",
                        it.i,
                        items[k + 2].j,
                        teeth,
                        it.penalty + items[k + 2].penalty,
                        f"{it.said} to {items[k + 2].said}",
                    )
                )
                k += 3
                continue
        out.append(it)
        k += 1
    return out
