"""FDI tooth numbers, tooth classes, surfaces and perio sites, as the clinical tools check them.

Storage is always FDI (ISO 3950) two-digit strings. The tools refuse anything else with a
clear reason; they never guess a tooth. (The interpreter has its own notation handling for
spoken numbers; this module only validates what reaches the database.)
"""

from __future__ import annotations

from collections.abc import Iterable

from tools.context import ToolError

PERMANENT_QUADRANTS = (1, 2, 3, 4)
PRIMARY_QUADRANTS = (5, 6, 7, 8)

PERMANENT: tuple[str, ...] = tuple(f"{q}{p}" for q in PERMANENT_QUADRANTS for p in range(1, 9))
PRIMARY: tuple[str, ...] = tuple(f"{q}{p}" for q in PRIMARY_QUADRANTS for p in range(1, 6))
VALID_TEETH: frozenset[str] = frozenset(PERMANENT + PRIMARY)

ANTERIOR = "anterior"
PREMOLAR = "premolar"
MOLAR = "molar"

# Surfaces: mesial, occlusal, distal, buccal, lingual, incisal, facial/labial, palatal.
SURFACES: tuple[str, ...] = ("M", "O", "D", "B", "L", "I", "F", "P")
# Six-point perio charting sites, in charting order (buccal row, then lingual row).
PERIO_SITES: tuple[str, ...] = ("MB", "B", "DB", "ML", "L", "DL")

# The probe's path round the mouth: upper right third molar to upper left third molar,
# then lower left third molar to lower right third molar. Primary teeth follow the same path.
PERIO_ORDER: tuple[str, ...] = (
    tuple(f"1{p}" for p in range(8, 0, -1))
    + tuple(f"2{p}" for p in range(1, 9))
    + tuple(f"3{p}" for p in range(8, 0, -1))
    + tuple(f"4{p}" for p in range(1, 9))
)
PERIO_ORDER_PRIMARY: tuple[str, ...] = (
    tuple(f"5{p}" for p in range(5, 0, -1))
    + tuple(f"6{p}" for p in range(1, 6))
    + tuple(f"7{p}" for p in range(5, 0, -1))
    + tuple(f"8{p}" for p in range(1, 6))
)


def is_valid_tooth(tooth: str) -> bool:
    """True for FDI permanent 11-18, 21-28, 31-38, 41-48 and primary 51-55, 61-65, 71-75, 81-85."""
    return tooth in VALID_TEETH


def check_tooth(tooth: object) -> str:
    """The tooth as a canonical FDI string, or a ``ToolError`` naming what was wrong."""
    value = str(tooth).strip() if tooth is not None else ""
    if not is_valid_tooth(value):
        raise ToolError(f"tooth {value or '(empty)'} is not a valid FDI tooth "
                        "(permanent 11-18, 21-28, 31-38, 41-48; primary 51-55, 61-65, 71-75, 81-85)")
    return value


def tooth_class(tooth: str) -> str:
    """``anterior``, ``premolar`` or ``molar`` (the catalog's tooth classes).

    Permanent: positions 1-3 anterior, 4-5 premolar, 6-8 molar. Primary: 1-3 anterior,
    4-5 molar (primary teeth have no premolars).
    """
    quadrant, position = int(tooth[0]), int(tooth[1])
    if position <= 3:
        return ANTERIOR
    if quadrant in PRIMARY_QUADRANTS:
        return MOLAR
    return PREMOLAR if position <= 5 else MOLAR


def is_upper(tooth: str) -> bool:
    return int(tooth[0]) in (1, 2, 5, 6)


def is_primary(tooth: str) -> bool:
    return int(tooth[0]) in PRIMARY_QUADRANTS


def quadrant_teeth(quadrant: int) -> list[str]:
    """Every tooth of an FDI quadrant (1-4 permanent, 5-8 primary), from the midline out."""
    if quadrant not in PERMANENT_QUADRANTS + PRIMARY_QUADRANTS:
        raise ValueError(f"{quadrant} is not an FDI quadrant (1-8)")
    last = 8 if quadrant in PERMANENT_QUADRANTS else 5
    return [f"{quadrant}{p}" for p in range(1, last + 1)]


QUADRANTS: dict[int, list[str]] = {q: quadrant_teeth(q) for q in PERMANENT_QUADRANTS + PRIMARY_QUADRANTS}


def tooth_sort_key(tooth: str) -> tuple[int, int]:
    """Order teeth by FDI number (11, 12, ... 48, 51, ... 85)."""
    return (int(tooth[0]), int(tooth[1]))


def perio_index(tooth: str) -> int:
    """Position of a tooth in the perio charting order (permanent first, then primary)."""
    if tooth in PERIO_ORDER:
        return PERIO_ORDER.index(tooth)
    return len(PERIO_ORDER) + PERIO_ORDER_PRIMARY.index(tooth)


def next_perio_tooth(tooth: str) -> str | None:
    """The tooth after ``tooth`` on the probe's path, None at the end of the path."""
    for order in (PERIO_ORDER, PERIO_ORDER_PRIMARY):
        if tooth in order:
            i = order.index(tooth)
            return order[i + 1] if i + 1 < len(order) else None
    return None


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
