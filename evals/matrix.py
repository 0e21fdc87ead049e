"""One table for the voice evals that matter together: datasets x listening conditions.

The issue-10 question is not "how good on one set" but "how good on phrasing nobody tuned
for, from speech, in a noisy surgery": the project's own set next to the blind set, as text,
spoken by Piper and espeak, clean and with clinic noise at 10 dB. Each cell is an ordinary
``run_eval`` (its full report is written beside the table), so ``eval compare`` works on any
cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals import report as reports
from evals.dataset import Dataset, builtin, load_dataset
from evals.solvers import AsrSolver, AudioSettings, RulesSolver, build_solvers, default_transcriber
from evals.task import run_eval

DEFAULT_DATASETS = ("voice_text.jsonl", "voice_blind_untouched.jsonl")
#: Piper clean and at 10 dB by tiny.en and by the dental-adapted tiny.en side by side (named, so the table
#: compares the two whichever is configured); espeak by the configured recogniser.
DEFAULT_CONDITIONS = ("text", "piper-joe/tiny.en", "piper-joe/tiny.en-dental", "piper-joe@10/tiny.en",
                      "piper-joe@10/tiny.en-dental", "espeak-us", "espeak-us@10")


@dataclass(frozen=True)
class Condition:
    """How the rows are heard: as text, or spoken by a voice with optional noise at an SNR, recognised by
    the configured recogniser or by the one named after "/" (``piper-joe@10/tiny.en``)."""

    name: str
    voice: str | None = None
    snr_db: float | None = None
    model: str | None = None

    @classmethod
    def parse(cls, spec: str) -> Condition:
        spec = spec.strip()
        if spec == "text":
            return cls("text")
        heard, _, model = spec.partition("/")
        voice, _, snr = heard.partition("@")
        try:
            return cls(spec, voice, float(snr) if snr else None, model.strip() or None)
        except ValueError:
            raise ValueError(f"condition {spec!r}: write text, VOICE, VOICE@SNR or VOICE@SNR/MODEL "
                             "(e.g. piper-joe@10/tiny.en)") from None


def transcriber_for(cond: Condition, cache: dict[str | None, Any]) -> Any:
    """The recogniser a condition names (None: the configured one), one per model for the whole matrix."""
    if cond.model not in cache:
        if cond.model is None:
            cache[None] = default_transcriber()
        else:
            from core_schema.settings import get_settings  # noqa: PLC0415
            from voice.asr import Transcriber  # noqa: PLC0415

            cache[cond.model] = Transcriber(model=cond.model, device=get_settings().asr_device)
    return cache[cond.model]


def run_matrix(datasets: Sequence[Path], conditions: Sequence[Condition], folder: Path, *, limit: int | None = None,
               progress: bool | None = None) -> dict[str, Any]:
    """Every dataset under every condition; each cell's report written to ``folder``."""
    cells: list[dict[str, Any]] = []
    transcribers: dict[str | None, Any] = {}
    for path in datasets:
        ds: Dataset = load_dataset(path).subset(limit=limit)
        for cond in conditions:
            solver: Any
            if cond.voice is None:
                (solver,) = build_solvers(["rules"])
            else:
                solver = AsrSolver(RulesSolver(), AudioSettings(cond.voice, cond.snr_db), transcriber_for(cond, transcribers))
            result = run_eval(ds, [solver], progress=progress)
            stem = f"matrix-{path.stem}-{cond.name.replace('@', '-at-').replace('/', '-by-')}"
            reports.write(result, folder, stem)
            m = result["solvers"][solver.name]["measures"]
            recogniser = solver.transcriber.model_name if cond.voice is not None else None
            cells.append({"dataset": path.name, "condition": cond.name, "recogniser": recogniser, "n": m.get("n"),
                          "report": f"{stem}.json",
                          **{k: m.get(k) for k in ("command_accuracy", "critical_term_error", "word_error_rate",
                                                   "doubtful_flagged", "critical_errors", "critical_errors_unflagged")},
                          "latency_ms": m.get("latency_ms", {})})
    return {"cells": cells}


def default_datasets() -> list[Path]:
    return [builtin(name) for name in DEFAULT_DATASETS]


def markdown(matrix: dict[str, Any]) -> str:
    """The table: one row per dataset and condition."""
    lines = ["| dataset | heard as | recogniser | n | command accuracy | critical-term error | WER | doubtful slots flagged "
             "| wrong tooth/diagnosis (unflagged) | ASR p50 / p95 ms | interpret p50 / p95 ms |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for c in matrix["cells"]:
        lat = c["latency_ms"]
        asr = lat.get("asr", {})
        it = lat.get("interpret", {})
        lines.append(" | ".join([
            f"| {c['dataset']}", c["condition"], c.get("recogniser") or "–", str(c["n"]), _pct(c["command_accuracy"]), _pct(c["critical_term_error"]),
            _pct(c["word_error_rate"]), _pct(c["doubtful_flagged"]),
            f"{c['critical_errors']} ({c['critical_errors_unflagged']})",
            f"{asr.get('p50', 0):.0f} / {asr.get('p95', 0):.0f}" if asr else "–",
            f"{it.get('p50', 0):.1f} / {it.get('p95', 0):.1f}" if it else "–",
        ]) + " |")
    return "\n".join(lines) + "\n"


def _pct(v: Any) -> str:
    return "–" if v is None else f"{v:.1%}"


__all__ = ["DEFAULT_CONDITIONS", "Condition", "default_datasets", "markdown", "run_matrix", "transcriber_for"]
