"""The exam order and the cursor that walks it: which tooth, which row, what comes next.

The default order is the contract's: buccal 18 to 28, palatal 28 to 18, lingual 38 to 48,
buccal 48 to 38. Palatal and lingual are one row of sites (ML, L, DL). Teeth charted missing
or extracted are left out when the exam starts; a clinic may set its own order in
``clinical_workflow_options.perio_exam_order`` (a list of ``[row, [teeth...]]``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from core_schema.errors import InvalidInput


class Row(StrEnum):
    """A row of three probing sites."""

    BUCCAL = "buccal"
    LINGUAL = "lingual"


ROW_SITES: dict[Row, tuple[str, str, str]] = {Row.BUCCAL: ("MB", "B", "DB"), Row.LINGUAL: ("ML", "L", "DL")}
SITE_ROW: dict[str, Row] = {site: row for row, sites in ROW_SITES.items() for site in sites}
# The same position on the other row (the interpreter reads three depths as the buccal row).
OTHER_ROW_SITE: dict[str, str] = dict(zip(ROW_SITES[Row.BUCCAL], ROW_SITES[Row.LINGUAL], strict=True))

_UPPER = [str(t) for t in (*range(18, 10, -1), *range(21, 29))]
_LOWER = [str(t) for t in (*range(38, 30, -1), *range(41, 49))]
DEFAULT_ORDER: list[tuple[Row, list[str]]] = [
    (Row.BUCCAL, _UPPER), (Row.LINGUAL, _UPPER[::-1]), (Row.LINGUAL, _LOWER), (Row.BUCCAL, _LOWER[::-1]),
]

Position = tuple[str, Row]


def exam_order(missing: set[str], clinic_order: Any = None) -> list[Position]:
    """Every (tooth, row) of the exam in the order it is probed, teeth charted missing left out."""
    passes = _clinic_order(clinic_order) if clinic_order else DEFAULT_ORDER
    return [(tooth, row) for row, teeth in passes for tooth in teeth if tooth not in missing]


def _clinic_order(raw: Any) -> list[tuple[Row, list[str]]]:
    try:
        return [(Row(str(row).lower().replace("palatal", "lingual")), [str(t) for t in teeth]) for row, teeth in raw]
    except (TypeError, ValueError):
        raise InvalidInput("the clinic's perio_exam_order must be a list of [row, [teeth...]] (rows: buccal, lingual)") from None


class Cursor:
    """Where the exam is: an index into the order (``None`` past the end)."""

    def __init__(self, order: list[Position], index: int | None = 0) -> None:
        self.order = order
        self.index = index if order and index is not None and 0 <= index < len(order) else None

    @property
    def position(self) -> Position | None:
        return self.order[self.index] if self.index is not None else None

    @property
    def tooth(self) -> str | None:
        return self.position[0] if self.position else None

    @property
    def row(self) -> Row:
        return self.position[1] if self.position else Row.BUCCAL

    def as_dict(self) -> dict[str, Any]:
        """The contract's ``cursor``: the tooth in focus and the site row (null teeth once the exam is through)."""
        return {"tooth": self.tooth, "row": str(self.row), "sites": list(ROW_SITES[self.row]), "index": self.index}

    def advance(self) -> None:
        """The next position; past the last, nowhere."""
        if self.index is not None:
            self.index = self.index + 1 if self.index + 1 < len(self.order) else None

    def back(self) -> None:
        if self.index is None:
            self.index = len(self.order) - 1 if self.order else None
        elif self.index > 0:
            self.index -= 1

    def go(self, tooth: str, row: Row | None = None) -> bool:
        """Move to ``tooth`` (on ``row``, else the current row when the order has it there); False if not in the exam."""
        wanted = row or self.row
        for candidate in ((tooth, wanted), *((t, r) for t, r in self.order if t == tooth)):
            if candidate in self.order:
                self.index = self.order.index(candidate)
                return True
        return False

    def skip(self, tooth: str) -> None:
        """Leave ``tooth`` out from here on: past it when it is in focus, else dropped from the positions ahead."""
        if self.tooth == tooth:
            while self.tooth == tooth:
                self.advance()
            return
        start = self.index if self.index is not None else len(self.order)
        self.order = self.order[:start] + [p for p in self.order[start:] if p[0] != tooth]

    def next_tooth(self) -> None:
        """The next position on another tooth ("next tooth")."""
        current = self.tooth
        self.advance()
        while current is not None and self.tooth == current:
            self.advance()

    def side(self, row: Row) -> bool:
        """The same tooth on the other row."""
        return self.tooth is not None and self.go(self.tooth, row)
