"""Scorers: small units that turn one solver's row results into measures.

Each scorer has a ``name`` and ``score(records) -> {measure: value}``; an eval picks the
scorers it needs, so an imaging or memory eval can reuse latency or accuracy as they are.
Per-row correctness is decided once (``judge``) and shared by every scorer.

Doubtful slots: what the expectation marks as not said plainly -- slots in ``missing``
(not said, nothing in context), slots in ``from_context`` (taken from the session, not the
words) and whole utterances that must be asked back (``clarify``). The share flagged is how
many of those the solver flagged the same way instead of silently filling them in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from core_schema.stats import percentile
from evals.asr_metrics import critical_errors, word_errors
from evals.dataset import PROPOSAL_FIELDS, Sample
from evals.solvers import SolverOutput
from evals.text_scoring import proposal_field_results, utterance_correct

# In audio evals a dictated note's free text matches at <= 25% word error (WER scores its words).
NOTE_TEXT_WER = 0.25


@dataclass(frozen=True)
class RowRecord:
    """One row as one solver did it."""

    sample: Sample
    output: SolverOutput
    correct: bool | None  # None: the row has no expectation (speech recognition only)


def judge(sample: Sample, output: SolverOutput) -> bool | None:
    """Right or wrong on the row's expectation; a solver error is wrong."""
    if sample.expected is None:
        return None
    if output.predicted is None:
        return False
    return utterance_correct(sample.expected, output.predicted, NOTE_TEXT_WER if output.asr else 0.0)


class Scorer(Protocol):
    name: str

    def score(self, records: Sequence[RowRecord]) -> dict[str, Any]: ...


def _judged(records: Sequence[RowRecord]) -> list[RowRecord]:
    return [r for r in records if r.correct is not None]


class CommandAccuracy:
    """Share of utterances whose kind and every expected proposal field are right."""

    name = "command_accuracy"

    def score(self, records: Sequence[RowRecord]) -> dict[str, Any]:
        rows = _judged(records)
        n = len(rows)
        kind_ok = sum((r.output.predicted or {}).get("kind") == r.sample.expected.get("kind") for r in rows)  # type: ignore[union-attr]  # a judged row's sample always has an expected dict
        return {"n": n, "command_accuracy": sum(bool(r.correct) for r in rows) / n if n else None,
                "kind_accuracy": kind_ok / n if n else None,
                "errors": sum(r.output.error is not None for r in records)}


class SlotAccuracy:
    """Per contract field: share of expected proposal slots predicted right (in spoken order)."""

    name = "slot_accuracy"

    def score(self, records: Sequence[RowRecord]) -> dict[str, Any]:
        hits: dict[str, list[int]] = {f: [0, 0] for f in PROPOSAL_FIELDS}
        for r in _judged(records):
            pred = (r.output.predicted or {}).get("proposals") or []
            wer_ok = NOTE_TEXT_WER if r.output.asr else 0.0
            for i, e in enumerate(r.sample.expected.get("proposals") or []):  # type: ignore[union-attr]  # a judged row's sample always has an expected dict
                p = pred[i] if i < len(pred) else None
                for f, ok in proposal_field_results(e, p, wer_ok).items():
                    hits[f][0] += ok
                    hits[f][1] += 1
        return {"slot_accuracy": {f: h / t for f, (h, t) in hits.items() if t}}


class ByTag:
    """Command accuracy per dataset tag (finding, perio, asr, injection, ...)."""

    name = "by_tag"

    def score(self, records: Sequence[RowRecord]) -> dict[str, Any]:
        tags: dict[str, list[int]] = {}
        for r in _judged(records):
            for t in r.sample.tags:
                tags.setdefault(t, [0, 0])
                tags[t][0] += bool(r.correct)
                tags[t][1] += 1
        return {"by_tag": {t: h / n for t, (h, n) in sorted(tags.items())}}


class WordErrorRate:
    """Micro-averaged WER of what the solver heard against the row's text (ASR rows only)."""

    name = "word_error_rate"

    def score(self, records: Sequence[RowRecord]) -> dict[str, Any]:
        words = errors = 0
        for r in records:
            if r.output.asr and r.sample.text is not None and r.output.transcript is not None:
                we = word_errors(r.sample.text, r.output.transcript)
                words += we.ref_words
                errors += we.errors
        return {"word_error_rate": errors / words if words else None}


class CriticalTermError:
    """Share of critical reference terms (numbers, clinical words) misheard (ASR rows only)."""

    name = "critical_term_error"

    def score(self, records: Sequence[RowRecord]) -> dict[str, Any]:
        terms = missed = 0
        for r in records:
            if r.output.asr and r.sample.text is not None and r.output.transcript is not None:
                ce = critical_errors(r.sample.text, r.output.transcript)
                terms += ce.terms
                missed += ce.errors
        return {"critical_term_error": missed / terms if terms else None, "critical_terms": terms,
                "critical_missed": missed}


class DoubtfulFlagged:
    """Share of doubtful slots (missing, from context, must-ask) the solver flagged as such."""

    name = "doubtful_flagged"

    def score(self, records: Sequence[RowRecord]) -> dict[str, Any]:
        doubtful = flagged = 0
        for r in _judged(records):
            exp, pred = r.sample.expected or {}, r.output.predicted or {}
            if exp.get("kind") == "clarify":
                doubtful += 1
                flagged += pred.get("kind") == "clarify"
                continue
            pred_props = pred.get("proposals") or []
            for i, e in enumerate(exp.get("proposals") or []):
                p = pred_props[i] if i < len(pred_props) else {}
                for key in ("missing", "from_context"):
                    for slot in e.get(key) or []:
                        doubtful += 1
                        flagged += slot in (p.get(key) or [])
        return {"doubtful_flagged": flagged / doubtful if doubtful else None, "doubtful_slots": doubtful}


class CriticalErrorsFlagged:
    """Wrong teeth and wrong diagnoses (polarity included) proposed: how many carried a doubt flag.

    The issue's bar is zero unflagged: a wrong tooth or a flipped diagnosis may reach the
    reviewer only marked as doubtful (or as a question instead of a proposal; a tooth taken from
    the session's context is shown as such, so it counts as marked). A proposal is
    wrong when no expected proposal of its command (and label) names its tooth, or when it
    diagnoses a tooth with a label the row does not expect there; a proposal the row simply
    lacks (an omission) is not counted here: command accuracy counts it.
    """

    name = "critical_errors"

    def score(self, records: Sequence[RowRecord]) -> dict[str, Any]:
        wrong = flagged = 0
        for r in _judged(records):
            exp, pred = r.sample.expected or {}, r.output.predicted or {}
            if pred.get("kind") != "proposal":
                continue
            expected = exp.get("proposals") or []
            for p in pred.get("proposals") or []:
                if critical_error(p, expected):
                    wrong += 1
                    flagged += bool(p.get("doubt")) or "tooth" in (p.get("from_context") or [])
        return {"critical_errors": wrong, "critical_errors_unflagged": wrong - flagged,
                "critical_errors_flagged": flagged / wrong if wrong else None}


def critical_error(p: dict[str, Any], expected: list[dict[str, Any]]) -> bool:
    """A proposed tooth no expected proposal of that kind names, or a diagnosis the tooth should not get."""
    same = [e for e in expected if e.get("command") == p.get("command")]
    if p.get("command") == "diagnosis.add":
        at_tooth = [e for e in same if "label" in e and (not e.get("tooth") or e.get("tooth") == p.get("tooth"))]
        if at_tooth and p.get("label") not in {e["label"] for e in at_tooth}:
            return True
    same = [e for e in same if "label" not in e or e["label"] == p.get("label")]
    told = [e for e in same if e.get("tooth")]
    return bool(p.get("tooth")) and bool(told) and len(told) == len(same) and all(
        e["tooth"] != p["tooth"] for e in told)


class StageLatency:
    """p50 / p95 / max wall time per stage the solver reports (asr, interpret, workflow, ...)."""

    name = "latency_ms"

    def score(self, records: Sequence[RowRecord]) -> dict[str, Any]:
        stages: dict[str, list[float]] = {}
        for r in records:
            for stage, ms in r.output.latency_ms.items():
                stages.setdefault(stage, []).append(float(ms))
        return {"latency_ms": {s: {"p50": percentile(v, 50), "p95": percentile(v, 95), "max": max(v), "n": len(v)}
                               for s, v in stages.items()}}


DEFAULT_SCORERS: tuple[Scorer, ...] = (
    CommandAccuracy(), SlotAccuracy(), ByTag(), WordErrorRate(), CriticalTermError(), DoubtfulFlagged(),
    CriticalErrorsFlagged(), StageLatency(),
)

#: Measures where a larger value is better (compare and the gate read these).
HIGHER_IS_BETTER = frozenset({"command_accuracy", "kind_accuracy", "doubtful_flagged", "critical_errors_flagged"})
LOWER_IS_BETTER = frozenset({"word_error_rate", "critical_term_error", "errors", "critical_errors_unflagged"})
