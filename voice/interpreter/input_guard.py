"""Dictated text is untrusted input: bound its size, strip terminal escapes and control bytes,
and bound how many commands one dictation may propose.

Without this a pasted ``"\\x1b[31m"`` became tooth 31, a megabyte of text never finished, and
3.6 KB of text queued 150 approval requests.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TypeVar

from core_schema.errors import InvalidInput
from core_schema.settings import get_settings

from .models import Clarify, Interpretation

# ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), DCS/SOS/PM/APC
# strings (ESC P/X/^/_ ... ESC \), and two-byte escapes; plus the 8-bit CSI (0x9b ... final).
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
)
_Result = TypeVar("_Result", bound=Interpretation)
_SPACE_LIKE = frozenset("\n\r\t\v\f\x85\u2028\u2029")


class DictationInputError(InvalidInput):
    """A dictated text that is refused before anything is interpreted or written (413: too long)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="text_too_long", status=413)


def clean_dictation_text(text: str, max_chars: int | None = None) -> str:
    """The text with escape sequences and control characters removed (line breaks and tabs
    become spaces); raises ``DictationInputError`` when longer than ``max_dictation_chars``."""
    limit = max_chars if max_chars is not None else get_settings().max_dictation_chars
    if len(text) > limit:
        raise DictationInputError(
            f"the dictation text is {len(text)} characters long; the limit is {limit} "
            "(DENTALAGENT_MAX_DICTATION_CHARS): dictate it in shorter parts"
        )
    text = _ANSI.sub("", text)
    return "".join(
        " " if ch in _SPACE_LIKE else ch for ch in text if ch in _SPACE_LIKE or unicodedata.category(ch) not in ("Cc", "Cf")
    )


def cap_proposals(result: _Result, max_proposals: int | None = None) -> _Result:
    """More proposals than ``max_proposals_per_dictation`` become a clarify question (nothing to approve)."""
    cap = max_proposals if max_proposals is not None else get_settings().max_proposals_per_dictation
    if len(result.proposals) <= cap:
        return result
    question = (
        f"This dictation holds {len(result.proposals)} commands; at most {cap} are taken at once. "
        "Please dictate it in shorter parts."
    )
    return result.model_copy(update={"kind": "clarify", "proposals": [], "clarify": Clarify(question=question, options=["cancel"])})


__all__ = ["DictationInputError", "cap_proposals", "clean_dictation_text"]
