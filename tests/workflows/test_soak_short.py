"""The short soak: dictation and approvals against workers killed with SIGKILL, Redis flushed
once and killed-and-restarted once; the books must balance afterwards (benchmarks/soak.py
prints and checks them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_short_soak_with_chaos_reconciles() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DENTALAGENT_REDIS_PREFIX", "DENTALAGENT_HOME")}
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.soak", "--seconds", "12", "--clinicians", "2", "--reviewers", "1",
         "--workers", "2", "--kill-every", "3", "--settle", "90"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=400,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "reconciled: yes" in out
    assert "Redis flushed 1x, killed and restarted 1x" in out
    books = dict(item.split("=") for item in out.split("books: ")[1].splitlines()[0].split(", "))
    assert int(books["approved"]) > 0
    assert int(books["approved"]) == int(books["applied"]) + int(books["refused_after_approval"])
    assert int(books["applied"]) - int(books["applied_without_change"]) == int(books["action_history"]) == int(books["audit"])
    assert books["running_without_lease"] == "0" and books["redis_queued"] == books["pending_all"]
