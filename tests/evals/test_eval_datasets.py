"""Datasets as JSONL files: the project's own sets load cleanly, bad rows are reported by line."""

from __future__ import annotations

import json

from evals.asr_metrics import DEV_SENTENCES, FRESH_SENTENCES, HELDOUT_SENTENCES
from evals.audio_synth import wav_bytes
from evals.dataset import DATASETS_DIR, load_dataset

GOOD = {"id": "ok-1", "text": "Sixteen occlusal caries.",
        "expected": {"kind": "proposal", "proposals": [{"command": "chart.finding.add", "tooth": "16", "label": "caries"}]}}


def test_project_sets_are_jsonl_files_without_bad_rows() -> None:
    voice = load_dataset(DATASETS_DIR / "voice_text.jsonl")
    assert len(voice.samples) == 375 and voice.problems == []
    sizes = {}
    for name in ("dev", "heldout", "fresh"):
        ds = load_dataset(DATASETS_DIR / f"asr_{name}.jsonl")
        assert ds.problems == [] and all(s.text and s.expected is None for s in ds.samples)
        sizes[name] = [s.text for s in ds.samples]
    # evals/asr_metrics.py reads its three sentence sets from these files (nothing hard-coded).
    assert (tuple(sizes["dev"]), tuple(sizes["heldout"]), tuple(sizes["fresh"])) == (
        DEV_SENTENCES, HELDOUT_SENTENCES, FRESH_SENTENCES)
    assert (len(DEV_SENTENCES), len(HELDOUT_SENTENCES), len(FRESH_SENTENCES)) == (40, 12, 16)


def test_datasets_and_gate_ship_with_the_package() -> None:
    import tomllib
    from pathlib import Path

    doc = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    patterns = doc["tool"]["setuptools"]["package-data"]["evals"]
    assert "datasets/*.jsonl" in patterns and "gate.toml" in patterns


def test_malformed_rows_are_reported_by_line_and_the_run_goes_on(platform, tmp_path) -> None:
    (tmp_path / "rec").mkdir()
    (tmp_path / "rec" / "present.txt").write_bytes(wav_bytes(_tone()))  # audio, but not named as audio
    lines = [
        json.dumps(GOOD),                                                                       # 1 fine
        '{"id": "broken", "text": "Caries on 46"',                                              # 2 bad JSON
        json.dumps({"id": "gone", "audio": "rec/missing.wav", "text": "Crown on 26."}),         # 3 no such file
        json.dumps({"id": "cmd", "text": "Crown on 26.",                                        # 4 unknown command
                    "expected": {"kind": "proposal", "proposals": [{"command": "chart.crown.polish"}]}}),
        "",                                                                                     # 5 blank: skipped
        json.dumps({"id": "kind", "text": "x", "expected": {"kind": "maybe"}}),                 # 6 unknown kind
        json.dumps({"id": "ok-2", "text": "Caries on 40.", "expected": {"kind": "clarify"}}),   # 7 fine
        json.dumps({"id": "ok-1", "text": "Crown on 26."}),                                     # 8 duplicate id
        json.dumps({"id": "fmt", "audio": "rec/present.txt", "text": "x"}),                     # 9 not audio
    ]
    path = tmp_path / "clinic.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = platform.cli("eval", "voice", "--dataset", str(path), "--solver", "rules", "--report", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "out" / "eval-clinic-rules.json").read_text())
    problems = {p["line"]: p for p in report["dataset"]["problems"]}
    assert sorted(problems) == [2, 3, 4, 6, 8, 9]
    assert "not valid JSON" in problems[2]["error"]
    assert "audio file not found: rec/missing.wav" in problems[3]["error"] and problems[3]["id"] == "gone"
    assert "unknown command 'chart.crown.polish'" in problems[4]["error"]
    assert "expected.kind" in problems[6]["error"] and "duplicate id" in problems[8]["error"]
    assert "not a WAV" in problems[9]["error"]
    # The good rows were still scored.
    assert [r["id"] for r in report["rows"]] == ["ok-1", "ok-2"] and [r["line"] for r in report["rows"]] == [1, 7]
    assert report["solvers"]["rules"]["measures"]["command_accuracy"] == 1.0
    for line in (2, 3, 4):
        assert f"dataset line {line}:" in result.stderr
    assert "## Refused rows" in (tmp_path / "out" / "eval-clinic-rules.md").read_text()


def test_missing_dataset_file_is_one_line_error(platform, tmp_path) -> None:
    result = platform.cli("eval", "voice", "--dataset", str(tmp_path / "nope.jsonl"))
    assert result.returncode == 2 and "no such dataset" in result.stderr and "Traceback" not in result.stderr


def _tone():  # a short real audio file, enough to exist on disk
    import numpy as np

    return (0.1 * np.sin(np.arange(8000) / 5)).astype("float32")
