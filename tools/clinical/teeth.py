"""FDI tooth numbers, tooth classes, surfaces and perio sites, as the clinical tools check them.

Storage is always FDI (ISO 3950) two-digit strings. The tools refuse anything else with a
clear reason; they never guess a tooth. (The interpreter has its own notation handling for
spoken numbers; this module only validates what reaches the database.)
"""

from __future__ import annotations

from collections.abc import Iterable

from core_schema.dentition import (  # noqa: F401  (re-exported for the tools)
    ANTERIOR,
    MOLAR,
    PERIO_ORDER,
    PERIO_ORDER_PRIMARY,
    PERIO_SITES,
    PERMANENT,
    PERMANENT_QUADRANTS,
    PREMOLAR,
    PRIMARY,
    PRIMARY_QUADRANTS,
    SURFACES,
    VALID_TEETH,
    is_valid_tooth,
    next_perio_tooth,
    quadrant_teeth,
    tooth_class,
)
from tools.context import ToolError


def check_tooth(tooth: object) -> str:
    """The tooth as a canonical FDI string, or a ``ToolError`` naming what was wrong."""
    value = str(tooth).strip() if tooth is not None else ""
    if not is_valid_tooth(value):
        raise ToolError(f"tooth {value or '(empty)'} is not a valid FDI tooth "
                        "(permanent 11-18, 21-28, 31-38, 41-48; primary 51-55, 61-65, 71-75, 81-85)")
    return value




def is_upper(tooth: str) -> bool:
    return int(tooth[0]) in (1, 2, 5, 6)


def is_primary(tooth: str) -> bool:
    return int(tooth[0]) in PRIMARY_QUADRANTS




QUADRANTS: dict[int, list[str]] = {q: quadrant_teeth(q) for q in PERMANENT_QUADRANTS + PRIMARY_QUADRANTS}


def tooth_sort_key(tooth: str) -> tuple[int, int]:
    """Order teeth by FDI number (11, 12, ... 48, 51, ... 85)."""
    return (int(tooth[0]), int(tooth[1]))


def perio_index(tooth: str) -> int:
    """Position of a tooth in the perio charting order (permanent first, then primary)."""
    if tooth in PERIO_ORDER:
        return PERIO_ORDER.index(tooth)
    return len(PERIO_ORDER) + PERIO_ORDER_PRIMARY.index(tooth)




def normalise_surfaces(surfaces: Iterable[str], tooth: str | None = None) -> list[str]:
    """Surfaces as unique upper-case letters in M O D B L I F P order, checked against the tooth.

    Items may be single letters or runs such as ``"MOD"``. With a tooth, a surface it does not
    have is refused: occlusal on an anterior tooth, incisal on a posterior one, palatal on a
    lower tooth.
    """
    letters: list[str] = []
    for item in surfaces:
        text = str(item).strip().upper()
        if not text:
            continue
        for letter in text:
            if letter not in SURFACES:
                raise ToolError(f"surface {item!r} is not valid (use M, O, D, B, L, I, F, P)")
            if letter not in letters:
                letters.append(letter)
    ordered = [s for s in SURFACES if s in letters]
    if tooth is not None:
        cls = tooth_class(tooth)
        if cls == ANTERIOR and "O" in ordered:
            raise ToolError(f"tooth {tooth} is an anterior tooth: it has no occlusal (O) surface; use I (incisal)")
        if cls != ANTERIOR and "I" in ordered:
            raise ToolError(f"tooth {tooth} is a posterior tooth: it has no incisal (I) surface; use O (occlusal)")
        if not is_upper(tooth) and "P" in ordered:
            raise ToolError(f"tooth {tooth} is a lower tooth: it has no palatal (P) surface; use L (lingual)")
    return ordered


def check_perio_site(site: object) -> str:
    value = str(site).strip().upper() if site is not None else ""
    if value not in PERIO_SITES:
        raise ToolError(f"perio site {value or '(empty)'} is not valid (use MB, B, DB, ML, L, DL)")
    return value
