"""Catalog codes: a procedure label + tooth + surfaces -> one CDT code from the seeded catalog.

The interpreter never invents a code: it narrows the catalog entries for a label by what was
said and returns a code only when exactly one remains. "No entry fits" (a sealant on an
incisor) is reported so the caller can ask; "not enough said yet" (a filling with no
surfaces) simply leaves the code empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from core_schema.seed.catalog import Procedure, diagnosis_for, procedures_for

from .teeth import tooth_class


@dataclass(frozen=True)
class CodeResult:
    """The code when determined; ``no_fit`` when the catalog has nothing for what was said."""

    code: str | None
    no_fit: bool = False
    candidates: tuple[Procedure, ...] = ()


def procedure_code(label: str | None, tooth: str | None, surfaces: list[str] | None) -> CodeResult:
    """Narrow the catalog entries of ``label`` by tooth class and surface count."""
    if not label:
        return CodeResult(None)
    procs = procedures_for(label)
    if not procs:
        return CodeResult(None, no_fit=True)
    cls = tooth_class(tooth) if tooth else None
    count = len(set(surfaces or []))
    fits = []
    for p in procs:
        if cls is not None and p.requires_tooth and cls not in p.tooth_classes:
            continue
        if p.requires_surface and count:
            if count < p.min_surfaces or (p.max_surfaces is not None and count > p.max_surfaces):
                continue
        fits.append(p)
    if not fits:
        return CodeResult(None, no_fit=True, candidates=procs)
    codes = {p.code for p in fits}
    if len(codes) == 1:
        return CodeResult(fits[0].code, candidates=tuple(fits))
    return CodeResult(None, candidates=tuple(fits))


def diagnosis_code(label: str | None) -> str | None:
    """ICD-10-CM code of a diagnosis label from the catalog, or None."""
    d = diagnosis_for(label) if label else None
    return d.code if d else None
