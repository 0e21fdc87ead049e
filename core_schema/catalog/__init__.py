"""The procedure and diagnosis catalog: its reference data and the one code-selection rule.

``catalog.reference`` holds the codes every clinic is seeded with; ``catalog.rule`` picks the
code for a label, tooth and surfaces out of any list of entries (these, or the rows in the
database), so every layer codes the same words the same way.
"""

from core_schema.catalog.reference import (
    CDT_SYSTEM,
    DIAGNOSES,
    DIAGNOSIS_LABELS,
    ICD10_SYSTEM,
    PLAN_LABELS,
    PROCEDURES,
    Diagnosis,
    Procedure,
    diagnosis_for,
    procedures_for,
)
from core_schema.catalog.rule import CatalogRow, CodeChoice, fits, select_code, surface_count

__all__ = [
    "CDT_SYSTEM",
    "DIAGNOSES",
    "DIAGNOSIS_LABELS",
    "ICD10_SYSTEM",
    "PLAN_LABELS",
    "PROCEDURES",
    "CatalogRow",
    "CodeChoice",
    "Diagnosis",
    "Procedure",
    "diagnosis_for",
    "fits",
    "procedures_for",
    "select_code",
    "surface_count",
]
