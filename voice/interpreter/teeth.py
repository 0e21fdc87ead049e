"""Tooth numbering: FDI validity, Universal to FDI, tooth classes, perio order, nearest teeth.

Storage and output are always FDI strings; what a spoken number means depends on the
clinic's notation, so every conversion lives here.
"""

from __future__ import annotations

from core_schema.dentition import (  # noqa: F401  (re-exported for the interpreter)
    PERIO_ORDER,
    PERIO_ORDER_PRIMARY,
    PERMANENT,
    PRIMARY,
    next_perio_tooth,
    quadrant_teeth,
    tooth_class,
)
from core_schema.dentition import VALID_TEETH as VALID_FDI
from core_schema.dentition import is_valid_tooth as is_valid_fdi  # noqa: F401  (re-exported)

FDI = "FDI"
UNIVERSAL = "UNIVERSAL"

_UNIVERSAL_LETTERS = "ABCDEFGHIJKLMNOPQRST"


def normalise_notation(notation: str | None) -> str:
    """'fdi'/'FDI' -> FDI, 'universal'/'US' -> UNIVERSAL; anything else is an error."""
    value = (notation or FDI).strip().upper()
    if value in ("FDI", "ISO", "ISO3950"):
        return FDI
    if value in ("UNIVERSAL", "US", "ADA"):
        return UNIVERSAL
    raise ValueError(f"unknown tooth notation: {notation!r} (expected FDI or UNIVERSAL)")




def universal_to_fdi(n: int) -> str | None:
    """Universal 1..32 -> FDI string, None when out of range."""
    if 1 <= n <= 8:
        return f"1{9 - n}"
    if 9 <= n <= 16:
        return f"2{n - 8}"
    if 17 <= n <= 24:
        return f"3{25 - n}"
    if 25 <= n <= 32:
        return f"4{n - 24}"
    return None


def universal_letter_to_fdi(letter: str) -> str | None:
    """Universal primary A..T -> FDI 55..51, 61..65, 75..71, 81..85."""
    idx = _UNIVERSAL_LETTERS.find(letter.upper()) if len(letter) == 1 else -1
    if idx < 0:
        return None
    quadrant, offset = divmod(idx, 5)
    if quadrant in (0, 2):  # A..E and K..O run from the distal end towards the midline
        return f"{quadrant + 5}{5 - offset}"
    return f"{quadrant + 5}{offset + 1}"


def fdi_to_universal(tooth: str) -> str | None:
    """FDI -> Universal label (for messages only)."""
    for n in range(1, 33):
        if universal_to_fdi(n) == tooth:
            return str(n)
    for letter in _UNIVERSAL_LETTERS:
        if universal_letter_to_fdi(letter) == tooth:
            return letter
    return None


def spoken_to_fdi(n: int, notation: str) -> str | None:
    """A spoken tooth number in the active notation -> FDI, None when it is not a tooth."""
    if notation == UNIVERSAL:
        return universal_to_fdi(n)
    s = str(n)
    return s if s in VALID_FDI else None








def _nearest_universal(n: int) -> list[str]:
    """The nearest Universal numbers 1..32, as FDI."""
    if n < 1:
        return [t for t in (universal_to_fdi(1), universal_to_fdi(2)) if t]
    candidates = sorted(range(1, 33), key=lambda m: (abs(m - n), m))[:2]
    return [t for t in (universal_to_fdi(m) for m in candidates) if t]


def _nearest_fdi_pair(n: int) -> list[str]:
    """A two-digit number that is no FDI tooth: the quadrant with the position clamped, the digits
    swapped, then the numerically nearest valid numbers."""
    options: list[str] = []

    def add(t: str | None) -> None:
        if t and t not in options:
            options.append(t)

    q, p = divmod(n, 10)
    if 1 <= q <= 8:
        last = 8 if q <= 4 else 5
        add(f"{q}{min(max(p, 1), last)}")
    add(f"{p}{q}" if f"{p}{q}" in VALID_FDI else None)
    below = next((m for m in range(n - 1, 10, -1) if str(m) in VALID_FDI), None)
    above = next((m for m in range(n + 1, 90) if str(m) in VALID_FDI), None)
    near = sorted([m for m in (below, above) if m is not None], key=lambda m: abs(m - n))
    for m in near:
        if abs(m - n) <= 5:
            add(str(m))
    return options[:4]


def nearest_teeth(n: int, notation: str) -> list[str]:
    """Plausible FDI teeth for a spoken number that is not a tooth (for clarify options).

    FDI: the same quadrant with the position clamped, the digits swapped, then the
    numerically nearest valid numbers; a bare position (e.g. "6") gives that position
    in every permanent quadrant. Universal: the nearest numbers 1..32.
    """
    if notation == UNIVERSAL:
        return _nearest_universal(n)
    if 1 <= n <= 8:
        return [f"{q}{n}" for q in (1, 2, 3, 4)]
    if 10 <= n <= 99:
        return _nearest_fdi_pair(n)
    return []
