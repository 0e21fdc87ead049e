"""Voice control of an exam session: a whole utterance that drives the session, not the chart.

"accept", "scratch that", "undo that", "go to 36", "next tooth", "back", "skip 18", "lingual
side", "read back", "pause", "resume" -> ``{"action": ..., ...}`` (``kind: "control"``). Only a
whole utterance is a control (fillers such as "okay" and "please" aside): control words inside a
clinical sentence ("cancel the crown on 26") are read by the grammar as before.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .lexicon import (
    CONTROL_FILLERS,
    CONTROL_GOTO_LEADS,
    CONTROL_PHRASES,
    CONTROL_SIDE_FORMS,
    CONTROL_SIDES,
    CONTROL_SKIP_HERE,
    PUNCT_HARD,
    PUNCT_SOFT,
)
from .models import InterpretContext
from .normalize import Tok, normalise
from .tagger import tag


def _key(text: str) -> str:
    """A phrase as the normaliser writes it ("back one tooth" -> "back 1 tooth")."""
    return " ".join(t.norm for t in normalise(text, False) if t.norm not in PUNCT_HARD | PUNCT_SOFT)


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, tuple[str, dict[str, str]]], dict[str, str], dict[str, str], frozenset[str]]:
    phrases = {_key(p): v for p, v in CONTROL_PHRASES.items()}
    sides = {_key(form.format(word)): side for word, side in CONTROL_SIDES.items() for form in ("{}", *CONTROL_SIDE_FORMS)}
    leads = {_key(p): v for p, v in CONTROL_GOTO_LEADS.items()}
    return phrases, sides, leads, frozenset(_key(f) for f in CONTROL_FILLERS)


@lru_cache(maxsize=1)
def _skip_here() -> frozenset[str]:
    return frozenset(_key(p) for p in CONTROL_SKIP_HERE)


def _strip_fillers(words: list[Tok], fillers: frozenset[str]) -> list[Tok]:
    changed = True
    while changed and words:
        changed = False
        for n in (2, 1):
            if len(words) > n and " ".join(t.norm for t in words[:n]) in fillers:
                words, changed = words[n:], True
                break
            if len(words) > n and " ".join(t.norm for t in words[-n:]) in fillers:
                words, changed = words[:-n], True
                break
    return words


def _words(toks: list[Tok]) -> list[Tok]:
    """The utterance's words without punctuation and without fillers at either end."""
    words = [t for t in toks if t.norm not in PUNCT_HARD and t.norm not in PUNCT_SOFT]
    return _strip_fillers(words, _tables()[3])


def _one_tooth(toks: list[Tok], notation: str) -> str | None:
    """The single tooth ``toks`` name (in the clinic's notation), else None."""
    items = [it for it in tag(toks, notation, False) if it.kind not in ("tmark", "soft")]
    if len(items) == 1 and items[0].kind == "teeth" and len(items[0].value) == 1:
        return str(items[0].value[0])
    return None


def _trailing_side(words: list[Tok]) -> tuple[list[Tok], str | None]:
    """'go to 46 lingual': the side said after the tooth."""
    sides = _tables()[1]
    for n in (3, 2, 1):
        if len(words) > n and " ".join(t.norm for t in words[-n:]) in sides:
            return words[:-n], sides[" ".join(t.norm for t in words[-n:])]
    return words, None


def _goto_tooth(words: list[Tok], notation: str) -> dict[str, Any] | None:
    """'go to 36' / 'skip 18' / 'go to 46 lingual' (the longest lead that leaves exactly one tooth)."""
    leads = _tables()[2]
    for n in (3, 2, 1):
        key = leads.get(" ".join(t.norm for t in words[:n]))
        if key is None or len(words) <= n:
            continue
        rest, side = _trailing_side(words[n:])
        tooth = _one_tooth(rest, notation)
        if tooth is not None:
            return {"action": "goto", key: tooth} | ({"side": side} if side and key == "tooth" else {})
    return None


def control_of(text: str, notation: str, ctx: InterpretContext) -> dict[str, Any] | None:
    """The control object a whole utterance says, or None when it is not a control."""
    toks = normalise(text, ctx.perio_mode)
    words = _words(toks)
    if not words:
        return None
    phrases, sides, _, _ = _tables()
    said = " ".join(t.norm for t in words)
    if said in phrases:
        action, extra = phrases[said]
        if extra.get("direction") == "next" and ctx.perio_mode and ctx.tooth:
            return None  # perio charting with a tooth in focus: the registry's perio.next_tooth (values.next_tooth)
        return {"action": action, **extra}
    if said in _skip_here() and ctx.tooth:
        return {"action": "goto", "skip": ctx.tooth}
    if said in sides:
        return {"action": "goto", "side": sides[said]}
    return _goto_tooth(words, notation)


__all__ = ["control_of"]
