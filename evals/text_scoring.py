"""Scoring of text interpretation (utterance -> proposals) against a labelled dataset.

An utterance is correct when the kind matches and the proposals match one to one, in spoken
order, on every field the expected proposal names (command, tooth, teeth, surfaces, label,
code, values, and missing / from_context when given). Teeth and surfaces compare as sets
(spoken order of "MO" vs "OM" is not a clinical difference); values compare exactly.
Expected clarify rows may list options that the question must offer; expected control rows
(``kind: "control"``) name the control object, compared exactly.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from core_schema.stats import percentile
from evals.asr_metrics import wer
from evals.dataset import PROPOSAL_FIELDS

_SET_FIELDS = frozenset({"teeth", "surfaces", "missing", "from_context"})

DATASET_PATH = Path(__file__).resolve().parent / "datasets" / "voice_text.jsonl"


def load_rows(path: str | Path = DATASET_PATH) -> list[dict[str, Any]]:
    """Rows of a JSONL dataset (blank lines skipped)."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def field_matches(field: str, expected: Any, predicted: Any, free_text_wer: float = 0.0) -> bool:
    """One slot: sets for teeth/surfaces/missing/from_context, equality otherwise.

    ``free_text_wer`` > 0 (audio evals): a note's free text matches when its word error rate
    against the expected text is at most that much; its words are scored by WER already.
    """
    if field in _SET_FIELDS:
        return sorted(expected or []) == sorted(predicted or [])
    if (free_text_wer and field == "values" and isinstance(expected, dict) and isinstance(predicted, dict)
            and "text" in expected and "text" in predicted):

        rest_equal = {k: v for k, v in expected.items() if k != "text"} == {k: v for k, v in predicted.items() if k != "text"}
        return rest_equal and wer(expected["text"], predicted["text"]) <= free_text_wer
    return expected == predicted


def proposal_field_results(expected: dict[str, Any], predicted: dict[str, Any] | None,
                           free_text_wer: float = 0.0) -> dict[str, bool]:
    """Per-field outcome for the fields the expected proposal names."""
    out: dict[str, bool] = {}
    for field in PROPOSAL_FIELDS:
        if field in expected:
            out[field] = predicted is not None and field_matches(field, expected[field], predicted.get(field), free_text_wer)
    return out


def utterance_correct(expected: dict[str, Any], predicted: dict[str, Any], free_text_wer: float = 0.0) -> bool:
    """Kind, then the control object (when named), then every expected proposal (in order, same
    count), then clarify options."""
    if predicted.get("kind") != expected.get("kind"):
        return False
    if "control" in expected and predicted.get("control") != expected["control"]:
        return False
    exp_props = expected.get("proposals") or []
    pred_props = predicted.get("proposals") or []
    if len(exp_props) != len(pred_props):
        return False
    for e, p in zip(exp_props, pred_props, strict=True):
        if not all(proposal_field_results(e, p, free_text_wer).values()):
            return False
    wanted = expected.get("clarify_options_include") or []
    if wanted:
        options = ((predicted.get("clarify") or {}).get("options")) or []
        if not set(wanted) <= set(options):
            return False
    return True


def score_dataset(
    rows: Iterable[dict[str, Any]], predict: Callable[[dict[str, Any]], dict[str, Any]], free_text_wer: float = 0.0
) -> dict[str, Any]:
    """Run ``predict(row) -> output JSON`` on each row and report accuracy and latency.

    Returns ``n``, ``command_accuracy``, ``kind_accuracy``, ``slot_accuracy`` (per field),
    ``by_tag`` accuracy, ``latency_ms`` (p50/p95/max/mean of wall time per call) and ``failures``.
    """
    n = correct = kind_ok = 0
    slot_hits: dict[str, list[int]] = {f: [0, 0] for f in PROPOSAL_FIELDS}
    by_tag: dict[str, list[int]] = {}
    latencies: list[float] = []
    failures: list[dict[str, Any]] = []
    for row in rows:
        expected = row["expected"]
        started = time.perf_counter()
        predicted = predict(row)
        latencies.append((time.perf_counter() - started) * 1000)
        n += 1
        ok = utterance_correct(expected, predicted, free_text_wer)
        correct += ok
        kind_ok += predicted.get("kind") == expected.get("kind")
        pred_props = predicted.get("proposals") or []
        for idx, e in enumerate(expected.get("proposals") or []):
            p = pred_props[idx] if idx < len(pred_props) else None
            for field, hit in proposal_field_results(e, p, free_text_wer).items():
                slot_hits[field][0] += hit
                slot_hits[field][1] += 1
        for tag in row.get("tags") or []:
            stats = by_tag.setdefault(tag, [0, 0])
            stats[0] += ok
            stats[1] += 1
        if not ok:
            failures.append(
                {"id": row.get("id"), "text": row.get("text"), "expected": expected, "predicted": predicted}
            )
    return {
        "n": n,
        "command_accuracy": correct / n if n else 0.0,
        "kind_accuracy": kind_ok / n if n else 0.0,
        "slot_accuracy": {f: hits / total for f, (hits, total) in slot_hits.items() if total},
        "by_tag": {t: hits / total for t, (hits, total) in sorted(by_tag.items())},
        "latency_ms": {
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "max": max(latencies) if latencies else 0.0,
            "mean": sum(latencies) / len(latencies) if latencies else 0.0,
        },
        "failures": failures,
    }


def rules_predict(row: dict[str, Any]) -> dict[str, Any]:
    """Predict with the deterministic rules interpreter (the default)."""
    from voice.interpreter import InterpretContext, interpret  # noqa: PLC0415 - evals import agents lazily

    ctx = InterpretContext.model_validate(row["context"]) if row.get("context") else None
    return interpret(row["text"], row.get("notation") or "FDI", ctx).model_dump()


if __name__ == "__main__":  # python -m evals.text_scoring
    rows = load_rows()
    rules_predict(rows[0])  # warm-up: imports are not latency
    report = score_dataset(rows, rules_predict)
    failures = report.pop("failures")
    print(json.dumps(report, indent=2))
    for f in failures:
        print(json.dumps(f))
