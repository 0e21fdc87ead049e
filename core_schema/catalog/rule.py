"""The one rule that turns a procedure label + tooth + surfaces into a catalog code.

Every caller (the interpreter over the reference data, the resolver and the clinical tools
over the catalog rows in the database) hands its entries to ``select_code``, so the same words
can never get two different codes. The rule never guesses: it narrows the label's entries by
the tooth's class and the number of surfaces and answers with one code, several candidates
(not enough was said: a filling with no surfaces, a root canal with no tooth) or no fit
(the catalog has nothing for what was said: a sealant on an incisor).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from core_schema.dentition import tooth_class


class CatalogRow(Protocol):
    """What the rule reads of an entry: a static ``Procedure`` or a row loaded from the database."""

    @property
    def code(self) -> str: ...
    @property
    def label(self) -> str | None: ...
    @property
    def requires_tooth(self) -> bool: ...
    @property
    def requires_surface(self) -> bool: ...
    @property
    def tooth_classes(self) -> tuple[str, ...]: ...
    @property
    def min_surfaces(self) -> int: ...
    @property
    def max_surfaces(self) -> int | None: ...


E = TypeVar("E", bound=CatalogRow)


@dataclass(frozen=True)
class CodeChoice(Generic[E]):
    """The catalog's answer for what was said.

    ``entry`` is set when exactly one code fits. Otherwise ``no_fit`` says the catalog has no
    code for it (``candidates``: every entry of the label, to offer instead), and its absence
    says more must be said (``candidates``: the entries still in the running).
    """

    entry: E | None
    candidates: tuple[E, ...] = ()
    no_fit: bool = False

    @property
    def code(self) -> str | None:
        return self.entry.code if self.entry is not None else None

    @property
    def ambiguous(self) -> bool:
        """Several codes still fit: a tooth or the surfaces are missing."""
        return self.entry is None and not self.no_fit and bool(self.candidates)


def surface_count(surfaces: Iterable[str] | None) -> int:
    """Distinct surfaces said; items may be single letters or runs such as ``"MOD"``."""
    return len({ch for item in surfaces or () for ch in str(item).strip().upper()})


def fits(entry: CatalogRow, cls: str | None, count: int) -> bool:
    """Whether ``entry`` applies to a tooth of class ``cls`` (None: not said) with ``count`` surfaces (0: not said).

    What was not said does not rule an entry out: it leaves the choice open.
    """
    if cls is not None and entry.requires_tooth and entry.tooth_classes and cls not in entry.tooth_classes:
        return False
    if entry.requires_surface and count:
        if count < entry.min_surfaces:
            return False
        if entry.max_surfaces is not None and count > entry.max_surfaces:
            return False
    return True


def select_code(entries: Iterable[E], label: str | None, tooth: str | None,
                surfaces: Iterable[str] | None) -> CodeChoice[E]:
    """Narrow the entries of ``label`` (all ``entries`` when None) by the tooth's class and surface count.

    ``tooth`` is an FDI tooth number. The first fitting entry is returned when all fitting
    entries share one code (a clinic's own row listed before the shared one wins).
    """
    rows = tuple(e for e in entries if label is None or e.label == label)
    if not rows:
        return CodeChoice(None, (), no_fit=True)
    cls = tooth_class(tooth) if tooth else None
    count = surface_count(surfaces)
    fitting = tuple(e for e in rows if fits(e, cls, count))
    if not fitting:
        return CodeChoice(None, rows, no_fit=True)
    if len({e.code for e in fitting}) == 1:
        return CodeChoice(fitting[0], fitting)
    return CodeChoice(None, fitting)
