"""The sentences the recogniser is judged on, which its training must never contain.

Standard library only: both the data script (product venv) and the trainer (a PyTorch venv)
read it, so a data folder prepared before a split was written is filtered again at training.
"""

from __future__ import annotations

import json
from pathlib import Path

DATASETS = Path(__file__).resolve().parents[1] / "datasets"
HELD_OUT_FILES = ("voice_blind_untouched.jsonl", "voice_blind_tune.jsonl", "voice_blind_fresh.jsonl")
CONTROLS = "voice_blind_controls.jsonl"  # its rows carry their split: only "tune" may be trained on


def rows(name: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in (DATASETS / name).read_text().splitlines() if line.strip()]


def held_out_texts() -> set[str]:
    """Sentences of the held-out splits, lower-cased (compared, never read by a person)."""
    texts = {str(r["text"]).strip().lower() for name in HELD_OUT_FILES for r in rows(name)}
    texts |= {str(r["text"]).strip().lower() for r in rows(CONTROLS) if r.get("split") != "tune"}
    return texts
