"""Tooth numbering: FDI validity, Universal to FDI, tooth classes, perio order, nearest teeth.

Storage and output are always FDI strings; what a spoken number means depends on the
clinic's notation, so every conversion lives here.
"""

from __future__ import annotations

FDI = "FDI"
UNIVERSAL = "UNIVERSAL"

PERMANENT: tuple[str, ...] = tuple(f"{q}{p}" for q in (1, 2, 3, 4) for p in range(1, 9))
PRIMARY: tuple[str, ...] = tuple(f"{q}{p}" for q in (5, 6, 7, 8) for p in range(1, 6))
VALID_FDI: frozenset[str] = frozenset(PERMANENT + PRIMARY)

# Standard perio charting order (one continuous path, as a probe walks the mouth):
# upper arch from the upper right third molar to the upper left third molar (18..11, 21..28),
# then the lower arch from the lower left third molar to the lower right third molar (38..31, 41..48).
# Primary dentition follows the same path (55..51, 61..65, 75..71, 81..85).
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

_UNIVERSAL_LETTERS = "ABCDEFGHIJKLMNOPQRST"


def normalise_notation(notation: str | None) -> str:
    """'fdi'/'FDI' -> FDI, 'universal'/'US' -> UNIVERSAL; anything else is an error."""
    value = (notation or FDI).strip().upper()
    if value in ("FDI", "ISO", "ISO3950"):
        return FDI
    if value in ("UNIVERSAL", "US", "ADA"):
        return UNIVERSAL
    raise ValueError(f"unknown tooth notation: {notation!r} (expected FDI or UNIVERSAL)")


def is_valid_fdi(tooth: str) -> bool:
    """True for '11'..'48' and '51'..'85' (FDI permanent and primary)."""
    return tooth in VALID_FDI


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


def tooth_class(tooth: str) -> str:
    """'anterior', 'premolar' or 'molar' (catalog tooth classes) for an FDI tooth."""
    quadrant, position = int(tooth[0]), int(tooth[1])
    if position <= 3:
        return "anterior"
    if quadrant >= 5:
        return "molar"  # primary teeth have no premolars
    return "premolar" if position <= 5 else "molar"


def quadrant_teeth(quadrant: int) -> list[str]:
    """All teeth of an FDI quadrant (1..4 permanent, 5..8 primary), in FDI order."""
    last = 8 if quadrant <= 4 else 5
    return [f"{quadrant}{p}" for p in range(1, last + 1)]


def next_perio_tooth(tooth: str) -> str | None:
    """The tooth after ``tooth`` in the perio charting order, None at the end."""
    for order in (PERIO_ORDER, PERIO_ORDER_PRIMARY):
        if tooth in order:
            i = order.index(tooth)
            return order[i + 1] if i + 1 < len(order) else None
    return None


def nearest_teeth(n: int, notation: str) -> list[str]:
    """Plausible FDI teeth for a spoken number that is not a tooth (for clarify options).

    FDI: the same quadrant with the position clamped, the digits swapped, then the
    numerically nearest valid numbers; a bare position (e.g. "6") gives that position
    in every permanent quadrant. Universal: the nearest numbers 1..32.
    """
    options: list[str] = []

    def add(t: str | None) -> None:
        if t and t not in options:
            options.append(t)

    if notation == UNIVERSAL:
        if n < 1:
            return [t for t in (universal_to_fdi(1), universal_to_fdi(2)) if t]
        candidates = sorted(range(1, 33), key=lambda m: (abs(m - n), m))[:2]
        return [t for t in (universal_to_fdi(m) for m in candidates) if t]
    if 1 <= n <= 8:
        return [f"{q}{n}" for q in (1, 2, 3, 4)]
    if 10 <= n <= 99:
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
