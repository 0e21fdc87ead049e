"""Catalog codes for the interpreter: a procedure label + tooth + surfaces -> one CDT code.

The interpreter never invents a code: ``catalog.select_code`` narrows the reference entries
for a label by what was said and gives a code only when exactly one remains. "No entry fits"
(a sealant on an incisor) is reported so the caller can ask; "not enough said yet" (a filling
with no surfaces) simply leaves the code empty.
"""

from __future__ import annotations

from core_schema.catalog import PROCEDURES, CodeChoice, Procedure, diagnosis_for, select_code


def procedure_code(label: str | None, tooth: str | None, surfaces: list[str] | None) -> CodeChoice[Procedure]:
    """The catalog's answer for ``label`` on ``tooth`` with ``surfaces`` (nothing when no label was said)."""
    if not label:
        return CodeChoice(None)
    return select_code(PROCEDURES, label, tooth, surfaces)


def diagnosis_code(label: str | None) -> str | None:
    """ICD-10-CM code of a diagnosis label from the catalog, or None."""
    d = diagnosis_for(label) if label else None
    return d.code if d else None
