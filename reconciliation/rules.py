"""The rules: which sources disagree, in words, with the sources each disagreement rests on.

Deterministic: the same evidence gives the same findings in the same order. Each finding names
how a reviewer's approval resolves it (``resolution``):

| kind | when | resolution |
| --- | --- | --- |
| radiograph_vs_dictation | the radiograph shows a condition on a tooth a dictation called sound | chart the radiograph finding (pending) or record the review (already charted) |
| chart_vs_dictation | the chart holds a condition on a tooth a dictation called sound (no radiograph finding of it) | record the review |
| perio_without_diagnosis | a pocket of ``PERIO_DEPTH_MM`` or more, no periodontitis diagnosis | add the periodontitis diagnosis to the exam's visit (else record the review) |
| planned_on_restored | a crown or root canal planned on a tooth the radiograph or chart shows already crowned / treated | record the review |
| perio_on_missing | pockets probed on a tooth the chart holds missing or extracted | record the review |
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core_schema.dentition import is_valid_tooth
from reconciliation.sources import Evidence, RadiographFinding, Utterance, fingerprint
from voice.interpreter.normalize import normalise

PERIO_DEPTH_MM = 5  # AAP/EFP: interdental or buccal/lingual pockets >= 5 mm are a periodontitis sign
PERIODONTITIS_CODES = ("K05.3", "K05.2")  # chronic / aggressive periodontitis (ICD-10-CM K05.2x/K05.3x), not K05.22 pericoronitis
CROWN_CODES = ("D2740", "D2750", "D2751", "D2752", "D2790", "D6065")
ROOT_CANAL_CODES = ("D3310", "D3320", "D3330")
# Conditions a dictation of "sound" contradicts
CONDITIONS = ("caries", "periapical_radiolucency", "fracture", "bone_loss", "calculus")
GONE = ("missing", "extracted")

# Teeth said by name: "lower left first molar", "the upper right six" (quadrant, then position or its name)
_QUADRANTS = {("upper", "right"): 1, ("upper", "left"): 2, ("lower", "left"): 3, ("lower", "right"): 4}
_POSITIONS = {"central incisor": 1, "central": 1, "lateral incisor": 2, "lateral": 2, "canine": 3, "cuspid": 3,
              "first premolar": 4, "first bicuspid": 4, "second premolar": 5, "second bicuspid": 5,
              "first molar": 6, "second molar": 7, "third molar": 8, "wisdom tooth": 8}
_NAMED = re.compile(r"\b(upper|lower|maxillary|mandibular) (left|right) (?:(" + "|".join(
    sorted(_POSITIONS, key=len, reverse=True)) + r")|([1-8]))\b")
_SOUND = re.compile(
    r"\b(?:is|are|looks?|looked|seems?)\s+(?:sound|healthy|fine|ok|okay|normal|good|intact|caries[- ]free)\b"
    r"|\bno\s+(?:caries|decay|lesions?|problems?|issues?)\b|\bnothing\s+(?:to do|needed)\b|\bsound\b")
_FINDING_WORDS = re.compile(r"\b(?:caries|carious|decay|cavity|lesion|fracture|abscess|radiolucen\w*|bone loss)\b")
_NEGATED_FINDING = re.compile(r"\bno\s+(?:caries|decay|lesions?)\b")


class Kind(StrEnum):
    RADIOGRAPH_VS_DICTATION = "radiograph_vs_dictation"
    CHART_VS_DICTATION = "chart_vs_dictation"
    PERIO_WITHOUT_DIAGNOSIS = "perio_without_diagnosis"
    PLANNED_ON_RESTORED = "planned_on_restored"
    PERIO_ON_MISSING = "perio_on_missing"


class Resolution(StrEnum):
    CHART_RADIOGRAPH_FINDING = "chart_radiograph_finding"
    ADD_DIAGNOSIS = "add_diagnosis"
    RECORD_REVIEW = "record_review"


@dataclass(frozen=True)
class Source:
    type: str  # chart, radiograph, dictation, perio, plan, diagnosis
    id: str | None
    text: str

    def as_json(self) -> dict[str, Any]:
        return {"type": self.type, "id": self.id, "text": self.text}


@dataclass
class Disagreement:
    kind: Kind
    finding: str
    sources: list[Source]
    resolution: Resolution
    tooth: str | None = None
    label: str | None = None
    surfaces: list[str] = field(default_factory=list)
    prediction_id: str | None = None
    encounter_id: str | None = None

    def fingerprint(self) -> str:
        """The same disagreement on the same sources: decided once, never proposed again."""
        return fingerprint(self.kind.value, self.tooth, self.label, [s.id for s in self.sources])


def teeth_in(clause: str) -> list[str]:
    """The FDI teeth a clause names: "36", "thirty six", "two six", "lower left first molar", "the upper right six"."""
    toks = normalise(clause)
    found: list[str] = []
    for a, b in zip(toks, toks[1:], strict=False):  # "two six": quadrant digit then position digit
        if a.digit and b.digit and a.num is not None and b.num is not None and is_valid_tooth(f"{a.num}{b.num}"):
            found.append(f"{a.num}{b.num}")
    found += [str(t.num) for t in toks if t.num is not None and t.num >= 11 and is_valid_tooth(str(t.num))]
    text = " ".join(t.norm for t in toks).replace("maxillary", "upper").replace("mandibular", "lower")
    for arch, side, name, number in _NAMED.findall(text):
        quadrant = _QUADRANTS[(arch, side)]
        found.append(f"{quadrant}{_POSITIONS[name] if name else number}")
    return list(dict.fromkeys(found))


def sound_teeth(u: Utterance) -> list[str]:
    """Teeth a dictation calls sound: a clause naming teeth with a 'sound' phrase and no finding in it."""
    found: list[str] = []
    for clause in re.split(r"[.;,!?]|\bbut\b|\bwhile\b", u.text.lower()):
        if not _SOUND.search(clause):
            continue
        if _FINDING_WORDS.search(_NEGATED_FINDING.sub(" ", clause)):
            continue
        for t in teeth_in(clause):
            if t not in found:
                found.append(t)
    return found


def _radiograph_short(f: RadiographFinding) -> str:
    surfaces = f" {''.join(f.surfaces)}" if f.surfaces else ""
    return f"radiograph: {f.label.replace('_', ' ')} {f.tooth}{surfaces} at {f.confidence:.2f}"


def _radiograph_text(f: RadiographFinding) -> str:
    return f"{_radiograph_short(f)} ({f.review}, {f.model})"


def _dictated(u: Utterance, tooth: str) -> Source:
    return Source("dictation", u.utterance_id, f"dictated {u.said_at:%Y-%m-%d}: {tooth} sound")


def _chart_labels(chart: dict[str, Any], tooth: str) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    entry = (chart.get("teeth") or {}).get(tooth) or {}
    return entry.get("status", "present"), list(entry.get("conditions") or []), list(entry.get("restorations") or [])


def _charted(chart: dict[str, Any], f: RadiographFinding) -> bool:
    """The chart already holds the radiograph finding (same label on the tooth, its surfaces included)."""
    _, conditions, restorations = _chart_labels(chart, f.tooth or "")
    return any(c["label"] == f.label and set(f.surfaces) <= set(c.get("surfaces") or []) for c in conditions + restorations)


def reconcile(ev: Evidence, decided: frozenset[str] = frozenset()) -> list[Disagreement]:
    """Every disagreement of ``ev`` not ``decided`` before (fingerprints), in a fixed order (kind, then tooth)."""
    return [d for d in _all(ev) if d.fingerprint() not in decided]


def _all(ev: Evidence) -> list[Disagreement]:
    out: list[Disagreement] = []
    sound: dict[str, list[Utterance]] = {}
    for u in ev.dictations:
        for t in sound_teeth(u):
            sound.setdefault(t, []).append(u)

    # 1. the radiograph shows a condition where a dictation said sound
    covered: set[tuple[str, str]] = set()
    for f in ev.radiograph:
        if f.tooth is None or f.label not in CONDITIONS or f.tooth not in sound:
            continue
        said = sound[f.tooth][-1]  # the latest dictation of it
        dictated = _dictated(said, f.tooth)
        covered.add((f.tooth, f.label))
        charted = f.review == "confirmed" or _charted(ev.chart, f)
        out.append(Disagreement(
            Kind.RADIOGRAPH_VS_DICTATION, f"{_radiograph_short(f)}; dictated: {f.tooth} sound",
            [Source("radiograph", f.prediction_id, _radiograph_text(f)), dictated],
            Resolution.RECORD_REVIEW if charted else Resolution.CHART_RADIOGRAPH_FINDING,
            tooth=f.tooth, label=f.label, surfaces=list(f.surfaces), prediction_id=f.prediction_id))

    # 2. the chart holds a condition where a dictation said sound
    for tooth in sorted(sound):
        _, conditions, _ = _chart_labels(ev.chart, tooth)
        for c in conditions:
            if c["label"] not in CONDITIONS or (tooth, c["label"]) in covered:
                continue
            said = sound[tooth][-1]
            surfaces = "".join(c.get("surfaces") or [])
            chart_text = f"chart: {c['label'].replace('_', ' ')} {tooth}{' ' + surfaces if surfaces else ''}"
            out.append(Disagreement(
                Kind.CHART_VS_DICTATION, f"{chart_text}; dictated: {tooth} sound",
                [Source("chart", ev.snapshot_id, chart_text), _dictated(said, tooth)],
                Resolution.RECORD_REVIEW, tooth=tooth, label=c["label"], surfaces=list(c.get("surfaces") or [])))

    # 3. deep pockets and no periodontitis diagnosis
    deep = [p for p in ev.perio if p.depth_mm is not None and p.depth_mm >= PERIO_DEPTH_MM]
    diagnosed = [d for d in ev.diagnoses if d.code.startswith(PERIODONTITIS_CODES) and d.code != "K05.22"]
    if deep and not diagnosed:
        deepest = max(deep, key=lambda p: (p.depth_mm or 0, -int(p.tooth) if p.tooth.isdigit() else 0))
        others = len(deep) - 1
        finding = (f"perio {deepest.depth_mm} mm at {deepest.tooth} {deepest.site}"
                   + (f" (and {others} more site{'s' if others > 1 else ''} >= {PERIO_DEPTH_MM} mm)" if others else "")
                   + " but no periodontitis diagnosis")
        sources = [Source("perio", p.measurement_id, f"perio: {p.depth_mm} mm at {p.tooth} {p.site}") for p in deep[:6]]
        sources.append(Source("diagnosis", None, "diagnoses: none of periodontitis (K05.2x/K05.3x) on record"))
        out.append(Disagreement(
            Kind.PERIO_WITHOUT_DIAGNOSIS, finding, sources,
            Resolution.ADD_DIAGNOSIS if deepest.encounter_id else Resolution.RECORD_REVIEW,
            tooth=None, label="periodontitis", encounter_id=deepest.encounter_id))

    # 4. a crown / root canal planned on a tooth that already has one
    for item in ev.plan:
        if not item.tooth:
            continue
        wanted = "crown" if item.cdt_code in CROWN_CODES else "root_canal_treated" if item.cdt_code in ROOT_CANAL_CODES else None
        if wanted is None:
            continue
        what = "crown" if wanted == "crown" else "root canal"
        shown = "crowned" if wanted == "crown" else "root canal treated"
        sources = [Source("plan", item.item_id, f"plan: {item.cdt_code} {what} on {item.tooth}")]
        sources += [Source("radiograph", f.prediction_id, _radiograph_text(f)) for f in ev.radiograph
                    if f.tooth == item.tooth and f.label == wanted]
        _, _, restorations = _chart_labels(ev.chart, item.tooth)
        if any(r["label"] == wanted for r in restorations):
            sources.append(Source("chart", ev.snapshot_id, f"chart: {wanted.replace('_', ' ')} {item.tooth}"))
        if len(sources) > 1:
            by = "the radiograph" if sources[1].type == "radiograph" else "the chart"
            out.append(Disagreement(Kind.PLANNED_ON_RESTORED, f"{what} planned on {item.tooth} that {by} shows already {shown}",
                                    sources, Resolution.RECORD_REVIEW, tooth=item.tooth, label=wanted))

    # 5. pockets probed on a tooth the chart holds missing
    probed: dict[str, list[Any]] = {}
    for p in ev.perio:
        if p.depth_mm is not None:
            probed.setdefault(p.tooth, []).append(p)
    for tooth in sorted(probed):
        status, _, _ = _chart_labels(ev.chart, tooth)
        if status in GONE:
            sites = probed[tooth]
            out.append(Disagreement(
                Kind.PERIO_ON_MISSING, f"perio probed at {len(sites)} site{'s' if len(sites) > 1 else ''} of {tooth} that the chart holds {status}",
                [Source("perio", sites[0].measurement_id, f"perio: {sites[0].depth_mm} mm at {tooth} {sites[0].site}"),
                 Source("chart", ev.snapshot_id, f"chart: {tooth} {status}")],
                Resolution.RECORD_REVIEW, tooth=tooth, label=status))
    return out
