"""The voice eval: dataset in, accuracy and latency report out (JSON and Markdown).

Text mode scores the interpreter on every utterance of ``datasets/voice_text.jsonl``.
Audio mode synthesises the spoken subset offline (Piper neural voice by default, clean or
mixed with seeded noise at ``--snr`` dB), transcribes it with the local Whisper model
(biased, with the dental correction pass) and scores the whole chain: command accuracy,
per-field slot accuracy, word error rate, critical-term error rate and latency per stage.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.asr_metrics import score_corpus
from evals.text_scoring import DATASET_PATH, load_rows, percentile, rules_predict, score_dataset

# Rows whose text is written as a clinician would say it (not simulated ASR errors, not
# written-only forms such as "#16" or "MOD", not prompt-injection strings).
AUDIO_EXCLUDED_TAGS = {"asr", "injection", "repair"}
# In audio evals a dictated note's free text matches at <= 25% word error (WER scores its words).
NOTE_TEXT_WER = 0.25
TARGETS = {
    "text": {"command_accuracy": 0.98, "latency_p95_ms": 5.0},
    "audio_clean": {"command_accuracy": 0.95, "critical_term_error": 0.05},
    "audio_noisy": {"command_accuracy": 0.90, "critical_term_error": 0.10},
}


@dataclass(frozen=True)
class EvalOptions:
    audio: bool = False
    snr_db: float | None = None
    voice: str = "piper-joe"
    limit: int | None = None
    seed: int = 0


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


def run(options: EvalOptions, rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Score the dataset; returns the report (also what ``write_report`` writes)."""
    rows = rows if rows is not None else load_rows(DATASET_PATH)
    if not options.audio:
        rows = rows[: options.limit] if options.limit else rows
        scored = score_dataset(rows, rules_predict)
        return {"mode": "text", "dataset": str(DATASET_PATH.name), **_public(scored),
                "latency_ms": {"interpret": scored["latency_ms"]}, "targets": TARGETS["text"]}
    return _run_audio(options, spoken_rows(rows))


def _run_audio(options: EvalOptions, rows: list[dict[str, Any]]) -> dict[str, Any]:
    from agents.asr import Transcriber
    from agents.interpreter import InterpretContext, interpret
    from evals.audio_synth import synthesize

    rows = rows[: options.limit] if options.limit else rows
    transcriber = Transcriber()
    transcripts: dict[str, str] = {}
    asr_ms: dict[str, float] = {}

    def predict(row: dict[str, Any]) -> dict[str, Any]:
        samples = synthesize(row["text"], options.voice, snr_db=options.snr_db, seed=options.seed)
        result = transcriber.transcribe(samples)
        transcripts[row["id"]], asr_ms[row["id"]] = result.text, result.asr_ms
        ctx = row.get("context") or {}
        context = InterpretContext(tooth=ctx.get("tooth"), perio_mode=bool(ctx.get("perio_mode"))) if ctx else None
        t0 = time.perf_counter()
        out = interpret(result.text, row.get("notation") or "FDI", context).model_dump()
        out["_interpret_ms"] = (time.perf_counter() - t0) * 1000
        return out

    interpret_ms: list[float] = []

    def timed(row: dict[str, Any]) -> dict[str, Any]:
        out = predict(row)
        interpret_ms.append(out.pop("_interpret_ms"))
        return out

    scored = score_dataset(rows, timed, free_text_wer=NOTE_TEXT_WER)
    corpus = score_corpus((r["text"], transcripts[r["id"]]) for r in rows)
    asr = list(asr_ms.values())
    condition = "audio_clean" if options.snr_db is None else "audio_noisy"
    report = {
        "mode": "audio", "note_text_match": f"word error rate <= {NOTE_TEXT_WER:.0%}", "voice": options.voice, "snr_db": options.snr_db, "seed": options.seed,
        "model": transcriber.model_name, "device": transcriber.device, **_public(scored),
        "word_error_rate": corpus.wer, "critical_term_error": corpus.critical_error,
        "critical_terms": corpus.critical_terms,
        "latency_ms": {
            "asr": {"p50": percentile(asr, 50), "p95": percentile(asr, 95)},
            "interpret": {"p50": percentile(interpret_ms, 50), "p95": percentile(interpret_ms, 95)},
            "asr_plus_interpret": {"p50": scored["latency_ms"]["p50"], "p95": scored["latency_ms"]["p95"]},
        },
        "targets": TARGETS[condition],
        "transcripts": {r["id"]: {"reference": r["text"], "hypothesis": transcripts[r["id"]]} for r in rows},
    }
    return report


def _public(scored: dict[str, Any]) -> dict[str, Any]:
    keep = ("n", "command_accuracy", "kind_accuracy", "slot_accuracy", "by_tag", "failures")
    return {k: scored[k] for k in keep}


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
    lines = [f"# Voice eval ({title})", "", f"Utterances: {report['n']}", "", "| measure | value | target | met |",
             "| --- | --- | --- | --- |"]
    met = verdicts(report)
    lines.append(f"| command accuracy | {report['command_accuracy']:.1%} | "
                 f"{report['targets'].get('command_accuracy', 0):.0%} | {'yes' if met.get('command_accuracy') else 'no'} |")
    if report["mode"] == "audio":
        lines.append(f"| word error rate | {report['word_error_rate']:.1%} | | |")
        lines.append(f"| critical-term error | {report['critical_term_error']:.1%} | "
                     f"{report['targets']['critical_term_error']:.0%} | {'yes' if met['critical_term_error'] else 'no'} |")
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


def write_report(report: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    stem = "voice-text" if report["mode"] == "text" else (
        f"voice-audio-{report['voice']}-" + ("clean" if report["snr_db"] is None else f"snr{report['snr_db']:g}"))
    json_path, md_path = folder / f"{stem}.json", folder / f"{stem}.md"
    json_path.write_text(json.dumps(report, indent=2, default=str))
    md_path.write_text(markdown(report))
    return json_path, md_path
