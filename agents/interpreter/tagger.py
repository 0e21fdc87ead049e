"""Tagging: normalised tokens -> typed items (teeth, surfaces, labels, cues, numbers as values).

Numbers are the hard part of dental dictation: the same "3" is a pocket depth, a mobility
grade, a millimetre, a list position or (Universal) a tooth. Values are claimed first by the
word before them ("grade 2", "item 3", "2 mm"), perio runs next, and only what is left is
read as a tooth in the active notation. Numbers that are not teeth there become ``bad_tooth``
items so the caller asks instead of guessing.
"""

from __future__ import annotations

from .descriptive import parse_descriptive
from .items import Item
from .lexicon import LEXICON, MAX_PHRASE, PUNCT_HARD, ROMAN, Entry
from .normalize import Tok
from .teeth import UNIVERSAL, is_valid_fdi, nearest_teeth, spoken_to_fdi, universal_letter_to_fdi

_SURFACE_LETTERS = frozenset("modblfp")
# Perio site abbreviations written in capitals ("ML four"): sites, even where the word is a unit (ml).
_SITE_ABBREVIATIONS = frozenset({"mb", "db", "ml", "dl", "mp", "dp"})
_LOWER_COMBOS = frozenset({"mo", "od", "mod", "ob", "dol", "mol", "mob", "modb", "modl", "mobl", "dob", "modbl"})
_NOT_SURFACE_AFTER_DO = frozenset(
    {
        "a",
        "an",
        "the",
        "you",
        "we",
        "i",
        "it",
        "that",
        "this",
        "not",
        "some",
        "so",
        "with",
        "your",
        "my",
        "what",
        "me",
        "us",
    }
)


# Letters as Whisper writes them when spoken alone ("tooth kay", "tooth cake")
_SPOKEN_LETTERS = {"ay": "a", "bee": "b", "cee": "c", "see": "c", "dee": "d", "ee": "e", "eff": "f", "gee": "g",
                   "aitch": "h", "jay": "j", "kay": "k", "cake": "k", "el": "l", "ell": "l", "em": "m", "en": "n",
                   "pea": "p", "pee": "p", "queue": "q", "are": "r", "ess": "s", "tee": "t", "tea": "t"}


def _universal_letter(t: Tok, items: list[Item], notation: str) -> Item | None:
    """'tooth K', 'letter L' in a Universal clinic: a primary tooth (A-T), even when the letter is
    also a surface's; a letter past T after "tooth" is no tooth (asked about, never guessed)."""
    if notation != UNIVERSAL or not items or items[-1].kind != "tmark":
        return None
    letter = _SPOKEN_LETTERS.get(t.norm, t.norm)  # "tooth cake": Whisper spelt the letter K as a word
    if len(letter) != 1 or not letter.isalpha():
        return None
    fdi = universal_letter_to_fdi(letter)
    if fdi:
        return Item("teeth", -1, -1, [fdi], said=letter.upper(), penalty=0.05 if letter != t.norm else 0.0)
    return Item("bad_tooth", -1, -1, [], said=letter.upper()) if t.upper else None


def _surface_letters(tok: Tok, nxt: Tok | None) -> list[str] | None:
    """'MOD' / 'mo' / 'DO' -> surface letters; None when the token is an ordinary word."""
    w = tok.norm
    if not w.isalpha() or not set(w) <= _SURFACE_LETTERS or len(set(w)) != len(w) or len(w) > 5:
        return None
    if tok.upper and len(w) >= 1 and ((w,) not in LEXICON or w in _SITE_ABBREVIATIONS):
        return [c.upper() for c in w]
    if w in _LOWER_COMBOS:
        return [c.upper() for c in w]
    if w == "do" and (nxt is None or nxt.norm not in _NOT_SURFACE_AFTER_DO):
        return ["D", "O"]
    return None


def _letter_run(toks: list[Tok], i: int) -> tuple[list[str], int] | None:
    """Spelled-out surface letters 'm o d' / 'M. O. D.' (two or more single letters)."""
    letters: list[str] = []
    j = i
    while j < len(toks):
        t = toks[j]
        if len(t.norm) == 1 and t.norm in _SURFACE_LETTERS and not t.punct:
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


def tag(toks: list[Tok], notation: str, perio: bool) -> list[Item]:
    """Tokens -> items, then numbers resolved into teeth / values."""
    items: list[Item] = []
    i = 0
    n = len(toks)
    words = [t.norm for t in toks]
    while i < n:
        t = toks[i]
        if t.punct:
            items.append(Item("hard" if t.norm in PUNCT_HARD else "soft", i, i + 1, t.norm))
            i += 1
            continue
        if t.num is not None:
            items.append(Item("num", i, i + 1, t.num, t.repair, t.norm))
            i += 1
            continue
        d = parse_descriptive(toks, i, words)
        if d is not None:
            if d.teeth:
                items.append(Item("teeth", i, d.end, list(d.teeth), said=d.phrase, extra={"descriptive": True}))
            else:
                items.append(Item("ambiguous_tooth", i, d.end, list(d.options), said=d.phrase))
            i = d.end
            continue
        nxt = toks[i + 1] if i + 1 < n else None
        letter = _universal_letter(t, items, notation)
        if letter is not None:
            items.append(Item(letter.kind, i, i + 1, letter.value, letter.penalty, letter.said))
            i += 1
            continue
        if t.upper and len(t.norm) >= 2:
            letters = _surface_letters(t, nxt)
            if letters:
                items.append(Item("surf", i, i + 1, letters, said=t.norm))
                i += 1
                continue
        run = _letter_run(toks, i) if len(t.norm) == 1 else None
        if run:
            items.append(Item("surf", i, run[1], run[0], said=" ".join(run[0])))
            i = run[1]
            continue
        if (
            t.upper
            and len(t.norm) == 1
            and t.norm in "modblfp"
            and not (items and items[-1].kind == "tmark" and notation == UNIVERSAL)
        ):
            items.append(Item("surf", i, i + 1, [t.norm.upper()], said=t.norm))
            i += 1
            continue
        matched = _match_lexicon(toks, i)
        if matched is not None:
            entry, end = matched
            phrase = " ".join(x.norm for x in toks[i:end])
            penalty = entry.penalty + sum(x.repair for x in toks[i:end])
            items.append(Item(entry.kind, i, end, entry.value, penalty, phrase))
            i = end
            continue
        letters = _surface_letters(t, nxt)
        if letters:
            items.append(Item("surf", i, i + 1, letters, said=t.norm))
            i += 1
            continue
        if (
            notation == UNIVERSAL
            and len(t.norm) == 1
            and items
            and items[-1].kind == "tmark"
            and universal_letter_to_fdi(t.norm)
        ):
            items.append(Item("teeth", i, i + 1, [universal_letter_to_fdi(t.norm)], said=t.norm.upper()))
            i += 1
            continue
        if t.norm in ROMAN and items and items[-1].kind == "gmark":
            items.append(Item("grade", i, i + 1, ROMAN[t.norm], said=t.norm))
            i += 1
            continue
        items.append(Item("word", i, i + 1, t.norm, t.repair, t.norm))
        i += 1
    return _resolve_numbers(items, toks, notation, perio)


_FIRST_WORDS = frozenset(k[0] for k in LEXICON)


def _match_lexicon(toks: list[Tok], i: int) -> tuple[Entry, int] | None:
    if toks[i].norm not in _FIRST_WORDS:
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


def _resolve_numbers(items: list[Item], toks: list[Tok], notation: str, perio: bool) -> list[Item]:
    """Give every number a role: grade, measure, list position, perio depth run or tooth."""
    out: list[Item] = []
    k = 0
    n = len(items)

    def sig_prev() -> Item | None:
        return out[-1] if out else None

    while k < n:
        it = items[k]
        if it.kind != "num":
            out.append(it)
            k += 1
            continue
        value: int = it.value
        tok = toks[it.i]
        prev = sig_prev()
        nxt = items[k + 1] if k + 1 < n else None
        if nxt is not None and nxt.kind in ("unit_mm", "unit"):
            out.append(
                Item("measure" if nxt.kind == "unit_mm" else "quantity", it.i, nxt.j, value, it.penalty, it.said)
            )
            k += 2
            continue
        if prev is not None and prev.kind == "gmark":
            out.append(Item("grade", it.i, it.j, value, it.penalty, it.said))
            k += 1
            continue
        if (
            prev is not None
            and prev.kind == "label"
            and prev.value.find == "mobility"
            and value <= 4
            and (notation != UNIVERSAL or value <= 3)
            and tok.digit
        ):
            out.append(Item("grade", it.i, it.j, value, it.penalty, it.said))
            k += 1
            continue
        if (
            prev is not None
            and prev.kind == "recession"
            or (
                prev is not None
                and prev.kind == "prep"
                and prev.said == "of"
                and len(out) > 1
                and out[-2].kind == "recession"
            )
        ):
            out.append(Item("measure", it.i, it.j, value, it.penalty, it.said))
            k += 1
            continue
        if prev is not None and prev.kind == "item_kw":
            out.append(Item("ordinal", it.i, it.j, value, it.penalty, it.said, extra={"slot": prev.value}))
            k += 1
            continue
        after_mark = prev is not None and prev.kind == "tmark"
        pair = _pair(items, toks, k, notation, allow=after_mark or not perio)
        if after_mark or (not perio):
            if pair is not None:
                value2, j2, pen = pair
                out.append(_tooth_item(value2, it, notation, f"{it.said} {items[k + 1].said}", pen, j2))
                k += 2
                continue
            if tok.digit and notation != UNIVERSAL and not after_mark:
                before = prev is not None and prev.kind in ("prep",)
                if before:
                    out.append(Item("bad_tooth", it.i, it.j, nearest_teeth(value, notation), it.penalty, it.said))
                else:
                    out.append(Item("word", it.i, it.j, it.said, it.penalty, it.said))
                k += 1
                continue
            out.append(_tooth_item(value, it, notation, it.said, it.penalty))
            k += 1
            continue
        # perio utterance: runs of single digits are pocket depths; bigger numbers are teeth
        if not tok.digit:
            out.append(_tooth_item(value, it, notation, it.said, it.penalty))
            k += 1
            continue
        run, k2 = _collect_run(items, toks, k)
        out.extend(_split_run(run, items, toks, notation))
        k = k2
    return _ranges(out, notation)


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
            and (items[k + 1].kind == "range" or items[k + 1].said == "to")
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
