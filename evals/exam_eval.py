"""The exam-session eval: whole exams, utterance by utterance, as text or spoken, through the
exam's own cursor, grid and controls (``voice.exam``), scored on what the reviewer would get.

Measures: **site accuracy** (pocket depths that end up in the grid at the right tooth and site,
over the depths dictated), **bleeding sites right**, **controls recognised** (an utterance meant
as a control read as that control) and **false controls** (a clinical sentence holding control
words, "cancel the crown on 26", read as a control). Each exam row is a JSON line: ``mode``,
``missing`` teeth, ``utterances`` (``text`` and ``expect``: ``values``, ``ignored``,
``not_control`` or ``control:ACTION``) and ``expected_grid``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core_schema.stats import percentile
from evals.audio_synth import synthesize
from evals.solvers import default_transcriber, interpret_transcription
from voice.exam import controls, grid
from voice.exam.cursor import Row, exam_order
from voice.exam.state import ExamMode, ExamState
from voice.interpreter import InterpretContext, interpret

# (text, context) -> (what was heard, the interpretation as the contract's dict)
Hear = Callable[[str, InterpretContext], tuple[str, dict[str, Any]]]


def hear_text(text: str, context: InterpretContext) -> tuple[str, dict[str, Any]]:
    return text, interpret(text, "FDI", context).model_dump()


class SpeechHearing:
    """Each utterance spoken by a synthetic voice (optionally in clinic noise) and recognised, as the
    live exam hears it: the recogniser's close readings go to the interpreter."""

    def __init__(self, voice: str, snr_db: float | None = None, transcriber: Any = None, seed: int = 0) -> None:
        self.voice, self.snr_db, self.seed = voice, snr_db, seed
        self.transcriber = transcriber or default_transcriber()

    def __call__(self, text: str, context: InterpretContext) -> tuple[str, dict[str, Any]]:
        heard = self.transcriber.transcribe(synthesize(text, self.voice, snr_db=self.snr_db, seed=self.seed))
        return heard.text, interpret_transcription(heard, "FDI", context)


@dataclass
class ExamScore:
    sites_right: int = 0
    sites: int = 0
    bleeding_right: int = 0
    bleeding: int = 0
    controls_right: int = 0
    controls: int = 0
    false_controls: int = 0
    clinical: int = 0
    #: dictated values (and other non-control utterances) read as a control, by action: a false "pause"
    #: drops every value after it in this eval (no one says "resume"); actions only, never what was said
    dictation_controls: dict[str, int] = field(default_factory=dict)
    latency_ms: list[float] = field(default_factory=list)
    misses: list[dict[str, Any]] = field(default_factory=list)

    def add(self, other: ExamScore) -> None:
        for name in ("sites_right", "sites", "bleeding_right", "bleeding", "controls_right", "controls", "false_controls", "clinical"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for action, n in other.dictation_controls.items():
            self.dictation_controls[action] = self.dictation_controls.get(action, 0) + n
        self.latency_ms += other.latency_ms
        self.misses += other.misses

    def measures(self) -> dict[str, Any]:
        def ratio(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None
        return {"site_accuracy": ratio(self.sites_right, self.sites), "sites": self.sites,
                "bleeding_sites_right": ratio(self.bleeding_right, self.bleeding),
                "controls_recognised": ratio(self.controls_right, self.controls), "controls": self.controls,
                "false_controls": ratio(self.false_controls, self.clinical), "clinical_sentences": self.clinical,
                "dictation_read_as_control": dict(sorted(self.dictation_controls.items())),
                "latency_ms": {"p50": round(percentile(self.latency_ms, 50), 1), "p95": round(percentile(self.latency_ms, 95), 1)}
                if self.latency_ms else {}}


def run_exam(row: dict[str, Any], hear: Hear) -> tuple[ExamState, ExamScore]:
    """One exam through the exam's own rules; its final grid and the utterance-level scores."""
    mode = ExamMode(row["mode"])
    order = exam_order(set(row.get("missing") or []))
    if mode == ExamMode.CHARTING:
        order = [(t, Row.BUCCAL) for t in dict.fromkeys(t for t, _ in order)]
    exam, score = ExamState(mode=mode, order=order), ExamScore()
    for n, utterance in enumerate(row["utterances"]):
        context = InterpretContext(tooth=exam.cursor.tooth or (exam.said[-1]["tooth"] if exam.said else None),
                                   perio_mode=mode == ExamMode.PERIO)
        t0 = time.perf_counter()
        heard, out = hear(utterance["text"], context)
        score.latency_ms.append((time.perf_counter() - t0) * 1000)
        control = (out.get("control") or {}) if out["kind"] == "control" else None
        _score_utterance(score, utterance, heard, control)
        if control is not None:
            _carry_out(exam, control)
        elif not exam.paused and mode == ExamMode.PERIO:
            for proposal in out.get("proposals") or []:
                if grid.is_grid_proposal(proposal):
                    grid.fold(exam, proposal, f"u{n}")
    _score_grid(score, exam, row.get("expected_grid") or {})
    return exam, score


def _score_utterance(score: ExamScore, utterance: dict[str, Any], heard: str, control: dict[str, Any] | None) -> None:
    expect = utterance["expect"]
    if expect.startswith("control:"):
        score.controls += 1
        if control is not None and control.get("action") == expect.split(":", 1)[1]:
            score.controls_right += 1
        else:
            score.misses.append({"said": utterance["text"], "heard": heard, "expected": expect, "got": control})
    elif expect != "not_control":
        if control is not None:
            action = str(control.get("action"))
            score.dictation_controls[action] = score.dictation_controls.get(action, 0) + 1
    elif expect == "not_control":
        score.clinical += 1
        if control is not None:
            score.false_controls += 1
            score.misses.append({"said": utterance["text"], "heard": heard, "expected": expect, "got": control})


def _carry_out(exam: ExamState, control: dict[str, Any]) -> None:
    """The controls that change the exam's grid or cursor (accept and undo act on the chart, not here)."""
    action = control.get("action")
    if action in ("pause", "resume"):
        exam.paused = action == "pause"
    elif exam.paused:
        return
    elif action == "goto":
        controls.move(exam, control)
    elif action == "cancel_last" and exam.log:
        controls.scratch(exam)


def _score_grid(score: ExamScore, exam: ExamState, expected: dict[str, Any]) -> None:
    for tooth, want in expected.items():
        got = exam.grid.get(tooth) or {}
        for site, depth in (want.get("depths_mm") or {}).items():
            score.sites += 1
            if (got.get("depths_mm") or {}).get(site) == depth:
                score.sites_right += 1
            else:
                score.misses.append({"tooth": tooth, "site": site, "expected": depth, "got": (got.get("depths_mm") or {}).get(site)})
        wanted = set(want.get("bleeding_sites") or [])
        row_sites = set(want.get("depths_mm") or {})
        for site in row_sites:
            score.bleeding += 1
            if (site in wanted) == (site in set(got.get("bleeding_sites") or [])):
                score.bleeding_right += 1


def load_exams(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def evaluate(path: Path, hear: Hear, *, split: str | None = None) -> dict[str, Any]:
    """Every exam of the file (or of one split); per exam and all together."""
    total, per_exam = ExamScore(), []
    for row in load_exams(path):
        if split and row.get("split") != split:
            continue
        _, score = run_exam(row, hear)
        per_exam.append({"id": row["id"], "split": row.get("split"), **score.measures(), "misses": score.misses[:20]})
        total.add(score)
    return {"dataset": path.name, "exams": per_exam, "total": total.measures()}


DATASET = Path(__file__).parent / "datasets" / "exam_sessions.jsonl"


def markdown(rows: list[tuple[str, dict[str, Any]]]) -> str:
    """One line per listening condition: the exams' totals."""
    lines = ["| exam sessions heard as | sites | site accuracy | bleeding sites right | controls recognised "
             "| false controls in clinical sentences | dictation read as a control | p50 / p95 ms per utterance |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for condition, result in rows:
        t = result["total"]
        lat = t.get("latency_ms") or {}
        lines.append(f"| {condition} | {t['sites']} | {_pct(t['site_accuracy'])} | {_pct(t['bleeding_sites_right'])} | "
                     f"{_pct(t['controls_recognised'])} ({t['controls']}) | {_pct(t['false_controls'])} ({t['clinical_sentences']}) | "
                     f"{_actions(t.get('dictation_read_as_control') or {})} | {lat.get('p50', 0):.0f} / {lat.get('p95', 0):.0f} |")
    return "\n".join(lines) + "\n"


def _actions(counts: dict[str, int]) -> str:
    return ", ".join(f"{action} {n}" for action, n in counts.items()) or "0"


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v:.1%}"


__all__ = ["DATASET", "ExamScore", "SpeechHearing", "evaluate", "hear_text", "load_exams", "markdown", "run_exam"]
