"""FDI dentition facts every layer shares: valid teeth, tooth classes, quadrants, surfaces,
perio sites and the perio charting path. Storage is always FDI (ISO 3950) two-digit strings."""

from __future__ import annotations

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

# The probe's path round the mouth: upper right third molar to upper left third molar
# (18..11, 21..28), then lower left third molar to lower right third molar (38..31, 41..48).
# Primary teeth follow the same path (55..51, 61..65, 75..71, 81..85).
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


def quadrant_teeth(quadrant: int) -> list[str]:
    """Every tooth of an FDI quadrant (1-4 permanent, 5-8 primary), from the midline out."""
    if quadrant not in PERMANENT_QUADRANTS + PRIMARY_QUADRANTS:
        raise ValueError(f"{quadrant} is not an FDI quadrant (1-8)")
    last = 8 if quadrant in PERMANENT_QUADRANTS else 5
    return [f"{quadrant}{p}" for p in range(1, last + 1)]


def next_perio_tooth(tooth: str) -> str | None:
    """The tooth after ``tooth`` on the probe's path, None at the end of the path."""
    for order in (PERIO_ORDER, PERIO_ORDER_PRIMARY):
        if tooth in order:
            i = order.index(tooth)
            return order[i + 1] if i + 1 < len(order) else None
    return None
