"""The dental words speech recognition must get right, as plain data.

One place for the vocabulary so that the recogniser's biasing prompt, the correction pass and
the eval's critical-term metric all agree on what "a clinical word" is. Catalog labels
(procedures, diagnoses) are added at run time from ``catalog``.
"""

from __future__ import annotations

from typing import Iterable

from voice.interpreter.lexicon import NUMBER_TEENS, NUMBER_TENS, NUMBER_UNITS, SURFACE_WORDS

# The number words, the interpreter's lexicon's (one list): 1-9, 10-19 and the tens, in order.
UNITS: tuple[str, ...] = tuple(w for w, n in NUMBER_UNITS.items() if n)
TEENS: tuple[str, ...] = tuple(NUMBER_TEENS)
TENS: tuple[str, ...] = tuple(NUMBER_TENS)


def number_words(n: int) -> str:
    """0..99 as spoken English words ("forty six"); what clinicians say for tooth numbers."""
    if n == 0:
        return "zero"
    if n < 10:
        return UNITS[n - 1]
    if n < 20:
        return TEENS[n - 10]
    tens, unit = divmod(n, 10)
    return TENS[tens - 2] + ("" if unit == 0 else " " + UNITS[unit - 1])


#: FDI permanent teeth, the numbers heard most in an FDI clinic.
FDI_PERMANENT: tuple[str, ...] = tuple(f"{q}{t}" for q in range(1, 5) for t in range(1, 9))

SURFACES: tuple[str, ...] = SURFACE_WORDS  # one list, the interpreter's lexicon's
SURFACE_COMBINATIONS: tuple[str, ...] = (
    "mesio-occlusal", "disto-occlusal", "mesio-occlusal-distal", "mesiobuccal", "distobuccal",
    "mesiolingual", "distolingual", "mesiopalatal", "distopalatal", "MOD",
)
PERIO_TERMS: tuple[str, ...] = (
    "pocket depths", "probing depth", "bleeding on probing", "bleeding", "recession", "mobility",
    "furcation", "plaque", "calculus", "suppuration", "attachment loss", "gingival margin",
    "perio", "periodontal", "millimeters",
)
FINDINGS: tuple[str, ...] = (
    "caries", "fracture", "restoration", "crown", "missing", "watch", "mobility",
    "root canal treated", "impacted", "implant", "sealant", "filling", "decay", "abrasion",
    "erosion", "attrition",
)
# Diagnoses and procedures the catalog may lack a spoken form for, or says differently.
EXTRA_DIAGNOSES: tuple[str, ...] = ("abscess", "necrosis", "hypersensitivity")
EXTRA_PROCEDURES: tuple[str, ...] = (
    "root canal", "extraction", "scaling and root planing", "prophylaxis", "bitewings",
    "periapical radiograph", "post and core",
)
#: Catalog label -> how it is said, where the two differ.
SPOKEN_LABELS: dict[str, str] = {"scaling root planing": "scaling and root planing"}
#: Findings worth space in the recogniser's prompt (the rest are everyday words tiny.en already spells right).
PROMPT_FINDINGS: frozenset[str] = frozenset({"caries", "fracture", "restoration", "impacted", "implant", "sealant"})
#: Clinical words passed as faster-whisper hotwords (with the catalog labels) when hotwords are on.
HOTWORDS: tuple[str, ...] = ("mesial", "distal", "buccal", "lingual", "occlusal", "palatal", "caries", "pulpitis")
LOCATION_TERMS: tuple[str, ...] = ("upper", "lower", "left", "right", "quadrant", "molar", "premolar", "incisor", "canine")


def spoken_label(label: str) -> str:
    """A catalog label ("scaling_root_planing") as clinicians say it."""
    words = label.replace("_", " ").strip()
    return SPOKEN_LABELS.get(words, words)


def catalog_terms() -> tuple[list[str], list[str]]:
    """Spoken forms of the seeded catalog: (procedure labels, diagnosis labels).

    Imported lazily: the catalog module pulls in the ORM package and the recogniser should
    not pay for that unless it builds a prompt.
    """
    from core_schema.catalog import DIAGNOSES, PROCEDURES

    procs = list(dict.fromkeys(spoken_label(p.label) for p in PROCEDURES))
    diags = list(dict.fromkeys(spoken_label(d.label) for d in DIAGNOSES))
    return procs, diags


def _words(phrases: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for phrase in phrases:
        for w in phrase.lower().replace("-", " ").split():
            out.add(w)
    return out


# Words that appear in these phrases but carry no clinical meaning on their own.
# ("tooth" and units carry no information: the number after them does, and numbers are critical.)
_NOT_CRITICAL = {
    "and", "on", "of", "the", "a", "loss", "treated", "margin", "depth", "depths", "probing",
    "tooth", "millimeters",
}


def critical_words(extra: Iterable[str] = ()) -> frozenset[str]:
    """Single lowercase words whose misrecognition changes the chart (for metrics and review).

    Digits are critical too but are handled by the metric itself, not listed here.
    """
    try:
        procs, diags = catalog_terms()
    except Exception:  # pragma: no cover - catalog unavailable: the static lexicon still applies
        procs, diags = [], []
    phrases = [
        *SURFACES, *SURFACE_COMBINATIONS, *PERIO_TERMS, *FINDINGS, *EXTRA_DIAGNOSES,
        *EXTRA_PROCEDURES, *LOCATION_TERMS, *procs, *diags, *extra,
        "mesio", "disto", "pocket", "pulpitis",
    ]
    return frozenset(_words(phrases) - _NOT_CRITICAL)
