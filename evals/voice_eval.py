"""The built-in voice eval: the project's own dataset, one solver, the long-standing report.

Text mode scores the rules interpreter on every utterance of ``datasets/voice_text.jsonl``.
Audio mode synthesises the spoken subset offline (Piper neural voice by default, clean or
mixed with seeded noise at ``--snr`` dB), transcribes it with the local Whisper model
(biased, with the dental correction pass) and scores the whole chain: command accuracy,
per-field slot accuracy, word error rate, critical-term error rate and latency per stage.

It runs on the same Dataset / Solver / Scorer structure as ``--dataset`` evals
(``evals.task``), so a clinic's recordings of the same sentences give the same figures;
this module only adds the flat report shape (and its targets) that existing readers expect.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.dataset import Dataset, from_rows, load_dataset
from evals.scorers import NOTE_TEXT_WER
from evals.task import run_eval
from evals.text_scoring import DATASET_PATH

# Rows whose text is written as a clinician would say it (not simulated ASR errors, not
# written-only forms such as "#16" or "MOD", not prompt-injection strings).
AUDIO_EXCLUDED_TAGS = {"asr", "injection", "repair"}
TARGETS = {
    "text": {"command_accuracy": 0.98, "latency_p95_ms": 5.0},
    "audio_clean": {"command_accuracy": 0.95, "critical_term_error": 0.05},
    "audio_noisy": {"command_accuracy": 0.90, "critical_term_error": 0.10},
}

__all__ = ["NOTE_TEXT_WER", "EvalOptions", "run", "spoken_rows", "markdown", "verdicts", "write_report"]


@dataclass(frozen=True)
class EvalOptions:
    audio: bool = False
    snr_db: float | None = None
    voice: str = "piper-joe"
    limit: int | None = None
    seed: int = 0
    progress: bool | None = None  # None: a bar when stderr is a terminal


def spoken_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows that make sense as audio: spoken wording, no simulated recognition errors."""
    out = []
    for row in rows:
        text = row["text"]
        if AUDIO_EXCLUDED_TAGS & set(row.get("tags") or []):
            continue
        if any(ch in text for ch in "#/") or any(w.isupper() and len(w) > 1 for w in text.split()):
            continue  # "#16", "MOD": written forms, not speech
        out.append(row)
    return out


def run(options: EvalOptions, rows: list[dict[str, Any]] | None = None, *, transcriber: Any = None) -> dict[str, Any]:
    """Score the dataset; returns the report (also what ``write_report`` writes)."""
    from evals.solvers import AsrSolver, AudioSettings, RulesSolver  # noqa: PLC0415

    dataset = load_dataset(DATASET_PATH) if rows is None else from_rows(rows, DATASET_PATH.name)
    if not options.audio:
        report = run_eval(dataset.subset(limit=options.limit), [RulesSolver()], progress=options.progress)
        return _flat(report, "rules", {"mode": "text"}, TARGETS["text"])
    spoken = {r["id"] for r in spoken_rows([_row(s) for s in dataset.samples])}
    audio_ds = Dataset(dataset.name, dataset.path, [s for s in dataset.samples if s.id in spoken], dataset.problems,
                       dataset.sha256).subset(limit=options.limit)
    solver = AsrSolver(RulesSolver(), AudioSettings(options.voice, options.snr_db, options.seed), transcriber)
    report = run_eval(audio_ds, [solver], progress=options.progress)
    condition = "audio_clean" if options.snr_db is None else "audio_noisy"
    flat = _flat(report, "asr", {"mode": "audio", "note_text_match": f"word error rate <= {NOTE_TEXT_WER:.0%}",
                                 "voice": options.voice, "snr_db": options.snr_db, "seed": options.seed,
                                 "model": solver.transcriber.model_name, "device": solver.transcriber.device},
                 TARGETS[condition])
    measures = report["solvers"]["asr"]["measures"]
    flat.update(word_error_rate=measures["word_error_rate"], critical_term_error=measures["critical_term_error"],
                critical_terms=measures["critical_terms"],
                transcripts={r["id"]: {"reference": r["text"], "hypothesis": r["results"]["asr"]["transcript"]}
                             for r in report["rows"]})
    return flat


def _row(sample: Any) -> dict[str, Any]:
    return {"id": sample.id, "text": sample.text or "", "tags": list(sample.tags)}


def _flat(report: dict[str, Any], solver: str, head: dict[str, Any], targets: dict[str, float]) -> dict[str, Any]:
    """The long-standing flat keys on top of the structured report (rows, solvers: for compare)."""
    m = report["solvers"][solver]["measures"]
    failures = [{"id": r["id"], "text": r.get("text"), "expected": r["expected"],
                 "predicted": r["results"][solver]["predicted"] or {"error": r["results"][solver]["error"]}}
                for r in report["rows"] if r["results"][solver]["correct"] is False]
    return {**head, **report, "n": m["n"], "command_accuracy": m["command_accuracy"],
            "kind_accuracy": m["kind_accuracy"], "slot_accuracy": m["slot_accuracy"], "by_tag": m["by_tag"],
            "doubtful_flagged": m["doubtful_flagged"], "failures": failures,
            "latency_ms": {k: {"p50": v["p50"], "p95": v["p95"], "max": v["max"]} for k, v in m["latency_ms"].items()},
            "targets": targets}


def verdicts(report: dict[str, Any]) -> dict[str, bool]:
    """Which targets the report meets."""
    out = {}
    for name, target in report["targets"].items():
        if name == "latency_p95_ms":
            out[name] = report["latency_ms"]["interpret"]["p95"] <= target
        elif name == "critical_term_error":
            out[name] = report["critical_term_error"] <= target
        else:
            out[name] = report[name] >= target
    return out


def markdown(report: dict[str, Any]) -> str:
    """The report for people."""
    title = "text" if report["mode"] == "text" else (
        f"audio, {report['voice']}, " + ("clean" if report["snr_db"] is None else f"{report['snr_db']:g} dB SNR"))
    env = report.get("environment") or {}
    lines = [f"# Voice eval ({title})", "", f"Utterances: {report['n']}. Git commit: `{env.get('git_commit')}`.", "",
             "| measure | value | target | met |", "| --- | --- | --- | --- |"]
    met = verdicts(report)
    lines.append(f"| command accuracy | {report['command_accuracy']:.1%} | "
                 f"{report['targets'].get('command_accuracy', 0):.0%} | {'yes' if met.get('command_accuracy') else 'no'} |")
    if report["mode"] == "audio":
        lines.append(f"| word error rate | {report['word_error_rate']:.1%} | | |")
        lines.append(f"| critical-term error | {report['critical_term_error']:.1%} | "
                     f"{report['targets']['critical_term_error']:.0%} | {'yes' if met['critical_term_error'] else 'no'} |")
    if report.get("doubtful_flagged") is not None:
        lines.append(f"| doubtful slots flagged | {report['doubtful_flagged']:.1%} | | |")
    for stage, values in report["latency_ms"].items():
        target = report["targets"].get("latency_p95_ms") if stage == "interpret" and report["mode"] == "text" else None
        lines.append(f"| {stage} latency p50 / p95 | {values['p50']:.2f} / {values['p95']:.2f} ms | "
                     f"{f'p95 ≤ {target:g} ms' if target else ''} | {('yes' if met.get('latency_p95_ms') else 'no') if target else ''} |")
    lines += ["", "## Slot accuracy", "", "| field | accuracy |", "| --- | --- |"]
    lines += [f"| {k} | {v:.1%} |" for k, v in report["slot_accuracy"].items()]
    lines += ["", "## Accuracy by tag", "", "| tag | accuracy |", "| --- | --- |"]
    lines += [f"| {k} | {v:.1%} |" for k, v in report["by_tag"].items()]
    if report["failures"]:
        lines += ["", "## Failures", ""]
        for f in report["failures"][:50]:
            heard = report.get("transcripts", {}).get(f["id"], {}).get("hypothesis")
            lines.append(f"- `{f['id']}` {f['text']!r}" + (f" heard as {heard!r}" if heard else "")
                         + f": expected {f['expected'].get('kind')}, got {f['predicted'].get('kind')}")
    return "\n".join(lines) + "\n"


def report_stem(report: dict[str, Any]) -> str:
    return "voice-text" if report["mode"] == "text" else (
        f"voice-audio-{report['voice']}-" + ("clean" if report["snr_db"] is None else f"snr{report['snr_db']:g}"))


def write_report(report: dict[str, Any], folder: Path, junit_path: Path | None = None) -> tuple[Path, Path]:
    from evals.report import junit  # noqa: PLC0415

    folder.mkdir(parents=True, exist_ok=True)
    stem = report_stem(report)
    json_path, md_path = folder / f"{stem}.json", folder / f"{stem}.md"
    json_path.write_text(json.dumps(report, indent=2, default=str))
    md_path.write_text(markdown(report))
    if junit_path is not None:
        junit_path.parent.mkdir(parents=True, exist_ok=True)
        junit_path.write_text(junit(report))
    return json_path, md_path
