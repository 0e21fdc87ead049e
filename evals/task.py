"""An eval = dataset + solvers + scorers; ``run_eval`` runs every solver on every row.

The report keeps one column per solver (configuration, model versions, measures) and one
line per row with each solver's verdict, prediction, transcript and error, so two reports
can be compared utterance by utterance (``evals.report.compare``).
"""

from __future__ import annotations

import platform as _platform
import subprocess
import sys
from collections.abc import Sequence
from contextlib import nullcontext
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from evals.dataset import Dataset
from evals.scorers import DEFAULT_SCORERS, RowRecord, Scorer, judge
from evals.solvers import run_one

REPORT_VERSION = 1
_ROOT = Path(__file__).resolve().parents[1]


def run_eval(dataset: Dataset, solvers: Sequence[Any], scorers: Sequence[Scorer] = DEFAULT_SCORERS, *,
             name: str = "voice", progress: bool | None = None) -> dict[str, Any]:
    """Run each solver over the dataset (row-major, so the bar moves evenly) and score it."""
    records: dict[str, list[RowRecord]] = {s.name: [] for s in solvers}
    bar = _progress(len(dataset.samples) * len(solvers), name, progress)
    try:
        with bar as live:
            task = live.add_task(f"eval {name}", total=len(dataset.samples) * len(solvers)) if live else None
            for sample in dataset.samples:
                for solver in solvers:
                    out = run_one(solver, sample)
                    records[solver.name].append(RowRecord(sample, out, judge(sample, out)))
                    if live:
                        live.update(task, advance=1, description=f"{solver.name} {sample.id}")
    finally:
        for solver in solvers:
            close = getattr(solver, "close", None)
            if close:
                close()
    columns = {}
    for solver in solvers:
        measures: dict[str, Any] = {}
        for scorer in scorers:
            measures.update(scorer.score(records[solver.name]))
        columns[solver.name] = {"config": solver.config(), "models": solver.models(), "measures": measures}
    rows = []
    for i, sample in enumerate(dataset.samples):
        results = {}
        for solver in solvers:
            rec = records[solver.name][i]
            results[solver.name] = {
                "correct": rec.correct, "error": rec.output.error, "transcript": rec.output.transcript,
                "predicted": rec.output.predicted,
                "latency_ms": {k: round(v, 3) for k, v in rec.output.latency_ms.items()},
            }
        rows.append({**sample.public(), "tags": list(sample.tags), "expected": sample.expected, "results": results})
    return {
        "report_version": REPORT_VERSION, "eval": name, "created_at": datetime.now(timezone.utc).isoformat(),
        "environment": environment(), "dataset": dataset.describe(),
        "solvers": columns, "rows": rows,
    }


def environment() -> dict[str, Any]:
    """Git commit (and whether the tree had changes), Python and platform: what produced the numbers."""
    return {"git_commit": _git("rev-parse", "HEAD"), "git_dirty": bool(_git("status", "--porcelain", "-uno")),
            "python": sys.version.split()[0], "platform": _platform.platform()}


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=_ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _progress(total: int, name: str, wanted: bool | None) -> Any:
    """A rich progress bar on stderr when it is a terminal (or when asked); else nothing."""
    show = sys.stderr.isatty() if wanted is None else wanted
    if not show or total == 0:
        return nullcontext(None)
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=Console(stderr=True), transient=True)
