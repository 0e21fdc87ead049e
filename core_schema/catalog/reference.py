"""The procedure catalog and diagnosis codes every clinic is given: reference data, not patient data.

The seed writes it into ``code_systems``, ``code_values``, ``procedure_catalog`` and
``fee_schedule_items``; the interpreter reads it from here and the tools and resolver read
the same rows back from the database. Each procedure names the spoken ``label`` of the voice
contract it serves and the tooth/surface conditions under which it applies, so that "a root
canal on a molar" can only ever become a code that exists here (``catalog.rule`` picks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core_schema.dentition import ANTERIOR, MOLAR, PREMOLAR

CDT_SYSTEM = "CDT"
ICD10_SYSTEM = "ICD-10-CM"

POSTERIOR = (PREMOLAR, MOLAR)
ANY_TOOTH = (ANTERIOR, PREMOLAR, MOLAR)


@dataclass(frozen=True)
class Procedure:
    """One billable procedure and when a spoken label maps to it."""

    code: str
    label: str
    display: str
    fee: Decimal
    procedure_type: str
    duration_min: int
    requires_tooth: bool
    requires_surface: bool = False
    tooth_classes: tuple[str, ...] = ANY_TOOTH
    min_surfaces: int = 0
    max_surfaces: int | None = None


@dataclass(frozen=True)
class Diagnosis:
    """A diagnosis the voice contract can add, with its ICD-10-CM code."""

    code: str
    label: str
    display: str


def _p(code: str, label: str, display: str, fee: str, ptype: str, minutes: int, **kw: object) -> Procedure:
    return Procedure(code, label, display, Decimal(fee), ptype, minutes, **kw)  # type: ignore[arg-type]  # kw: the Procedure fields the reference table names


PROCEDURES: tuple[Procedure, ...] = (
    # Diagnostic and preventive
    _p("D0220", "periapical_radiograph", "Periapical radiograph, first image", "35.00", "DIAGNOSTIC", 10, requires_tooth=True),
    _p("D0272", "bitewings", "Bitewing radiographs, two images", "55.00", "DIAGNOSTIC", 10, requires_tooth=False),
    _p("D1110", "prophylaxis", "Prophylaxis, adult", "110.00", "PREVENTIVE", 45, requires_tooth=False),
    _p("D1206", "fluoride_varnish", "Topical fluoride varnish", "40.00", "PREVENTIVE", 10, requires_tooth=False),
    _p("D1351", "sealant", "Sealant, per tooth", "55.00", "PREVENTIVE", 15, requires_tooth=True, tooth_classes=POSTERIOR),
    # Restorative: amalgam by surface count (posterior)
    _p("D2140", "amalgam", "Amalgam restoration, one surface", "140.00", "RESTORATIVE", 30, requires_tooth=True, requires_surface=True, tooth_classes=POSTERIOR, min_surfaces=1, max_surfaces=1),
    _p("D2150", "amalgam", "Amalgam restoration, two surfaces", "175.00", "RESTORATIVE", 40, requires_tooth=True, requires_surface=True, tooth_classes=POSTERIOR, min_surfaces=2, max_surfaces=2),
    _p("D2160", "amalgam", "Amalgam restoration, three surfaces", "210.00", "RESTORATIVE", 45, requires_tooth=True, requires_surface=True, tooth_classes=POSTERIOR, min_surfaces=3, max_surfaces=3),
    _p("D2161", "amalgam", "Amalgam restoration, four or more surfaces", "250.00", "RESTORATIVE", 50, requires_tooth=True, requires_surface=True, tooth_classes=POSTERIOR, min_surfaces=4),
    # Restorative: resin composite, anterior and posterior, by surface count
    _p("D2330", "composite", "Resin composite, anterior, one surface", "150.00", "RESTORATIVE", 30, requires_tooth=True, requires_surface=True, tooth_classes=(ANTERIOR,), min_surfaces=1, max_surfaces=1),
    _p("D2331", "composite", "Resin composite, anterior, two surfaces", "185.00", "RESTORATIVE", 40, requires_tooth=True, requires_surface=True, tooth_classes=(ANTERIOR,), min_surfaces=2, max_surfaces=2),
    _p("D2332", "composite", "Resin composite, anterior, three surfaces", "225.00", "RESTORATIVE", 45, requires_tooth=True, requires_surface=True, tooth_classes=(ANTERIOR,), min_surfaces=3, max_surfaces=3),
    _p("D2335", "composite", "Resin composite, anterior, four or more surfaces", "270.00", "RESTORATIVE", 55, requires_tooth=True, requires_surface=True, tooth_classes=(ANTERIOR,), min_surfaces=4),
    _p("D2391", "composite", "Resin composite, posterior, one surface", "165.00", "RESTORATIVE", 35, requires_tooth=True, requires_surface=True, tooth_classes=POSTERIOR, min_surfaces=1, max_surfaces=1),
    _p("D2392", "composite", "Resin composite, posterior, two surfaces", "215.00", "RESTORATIVE", 45, requires_tooth=True, requires_surface=True, tooth_classes=POSTERIOR, min_surfaces=2, max_surfaces=2),
    _p("D2393", "composite", "Resin composite, posterior, three surfaces", "260.00", "RESTORATIVE", 50, requires_tooth=True, requires_surface=True, tooth_classes=POSTERIOR, min_surfaces=3, max_surfaces=3),
    _p("D2394", "composite", "Resin composite, posterior, four or more surfaces", "310.00", "RESTORATIVE", 60, requires_tooth=True, requires_surface=True, tooth_classes=POSTERIOR, min_surfaces=4),
    # Crowns, veneers, posts
    _p("D2740", "crown", "Crown, porcelain/ceramic", "1150.00", "PROSTHODONTIC", 90, requires_tooth=True),
    _p("D2954", "post_and_core", "Prefabricated post and core", "320.00", "RESTORATIVE", 45, requires_tooth=True),
    _p("D2962", "veneer", "Labial veneer, porcelain laminate", "1050.00", "PROSTHODONTIC", 90, requires_tooth=True, tooth_classes=(ANTERIOR, PREMOLAR)),
    # Endodontics by tooth class
    _p("D3310", "root_canal", "Endodontic therapy, anterior tooth", "780.00", "ENDODONTIC", 75, requires_tooth=True, tooth_classes=(ANTERIOR,)),
    _p("D3320", "root_canal", "Endodontic therapy, premolar tooth", "920.00", "ENDODONTIC", 90, requires_tooth=True, tooth_classes=(PREMOLAR,)),
    _p("D3330", "root_canal", "Endodontic therapy, molar tooth", "1120.00", "ENDODONTIC", 120, requires_tooth=True, tooth_classes=(MOLAR,)),
    # Periodontics
    _p("D4341", "scaling_root_planing", "Scaling and root planing, four or more teeth per quadrant", "240.00", "PERIODONTIC", 60, requires_tooth=False),
    # Surgery
    _p("D7140", "extraction", "Extraction, erupted tooth or exposed root", "185.00", "ORAL_SURGERY", 30, requires_tooth=True),
    _p("D7210", "surgical_extraction", "Surgical extraction of erupted tooth", "330.00", "ORAL_SURGERY", 45, requires_tooth=True),
    # Implants
    _p("D6010", "implant", "Endosteal implant, surgical placement", "2100.00", "IMPLANT", 90, requires_tooth=True),
    _p("D6065", "implant_crown", "Implant-supported porcelain/ceramic crown", "1400.00", "IMPLANT", 60, requires_tooth=True),
)

DIAGNOSES: tuple[Diagnosis, ...] = (
    Diagnosis("K04.01", "reversible_pulpitis", "Reversible pulpitis"),
    Diagnosis("K04.02", "irreversible_pulpitis", "Irreversible pulpitis"),
    Diagnosis("K04.1", "pulp_necrosis", "Necrosis of pulp"),
    Diagnosis("K04.4", "apical_periodontitis", "Acute apical periodontitis of pulpal origin"),
    Diagnosis("K04.7", "apical_abscess", "Periapical abscess without sinus"),
    Diagnosis("K05.10", "gingivitis", "Chronic gingivitis, plaque induced"),
    Diagnosis("K05.30", "periodontitis", "Chronic periodontitis, unspecified"),
    Diagnosis("K05.22", "pericoronitis", "Acute pericoronitis"),
    Diagnosis("K03.81", "cracked_tooth", "Cracked tooth"),
    Diagnosis("K03.89", "dentin_hypersensitivity", "Dentin hypersensitivity"),
)

PLAN_LABELS: frozenset[str] = frozenset(p.label for p in PROCEDURES)
DIAGNOSIS_LABELS: frozenset[str] = frozenset(d.label for d in DIAGNOSES)


def procedures_for(label: str) -> tuple[Procedure, ...]:
    """All catalog entries a spoken procedure label can resolve to."""
    return tuple(p for p in PROCEDURES if p.label == label)


def diagnosis_for(label: str) -> Diagnosis | None:
    """The diagnosis entry for a spoken diagnosis label, or None."""
    return next((d for d in DIAGNOSES if d.label == label), None)
