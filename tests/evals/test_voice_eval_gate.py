"""The voice eval as a regression gate: the subset and thresholds come from evals/gate.toml."""

from __future__ import annotations

import json

import pytest

from evals.audio_synth import piper_available
from evals.gate import GATE_CONFIG, check, load_gates, run_gate
from evals.text_scoring import load_rows
from evals.voice_eval import spoken_rows

# an audio suite: the speech model dominates it, the mode adds nothing (tests/conftest.py)
pytestmark = pytest.mark.ci_embedded_only

GATES = load_gates(GATE_CONFIG)


def _minimum(gate: str, measure: str) -> float:
    op, value = GATES[gate].thresholds[measure]
    assert op == "min"
    return value


def test_gate_file_names_the_subsets_and_thresholds() -> None:
    assert {"text", "audio_clean"} <= set(GATES)
    text, audio = GATES["text"], GATES["audio_clean"]
    assert text.dataset.is_file() and text.solvers == ("rules",) and text.thresholds["command_accuracy"][0] == "min"
    assert audio.ids and len(audio.ids) >= 5 and audio.solvers == ("asr",) and "piper" in audio.needs
    assert audio.thresholds["critical_term_error"][0] == "max"


def test_gate_file_refuses_unknown_keys(tmp_path) -> None:
    bad = tmp_path / "gate.toml"
    bad.write_text('[gates.x]\ndataset = "voice_text.jsonl"\nminimum_accuracy = 0.5\n')
    with pytest.raises(ValueError, match="minimum_accuracy"):
        load_gates(bad)


def test_check_reports_each_missed_threshold() -> None:
    gate = GATES["text"]
    report = {"dataset": {"problems": []}, "solvers": {"rules": {"measures": {
        "n": 10, "command_accuracy": 0.5, "doubtful_flagged": 1.0, "errors": 2}}}}
    failures = check(report, gate)
    assert any("command_accuracy 0.5 is below" in f for f in failures)
    assert any("rows 10 is below" in f for f in failures) and any("errors 2 is above" in f for f in failures)
    assert not any("doubtful_flagged" in f for f in failures)


def test_text_gate_passes_from_the_cli(platform, tmp_path) -> None:
    result = platform.cli("eval", "gate", "--only", "text", "--report", str(tmp_path), "--junit", str(tmp_path / "j.xml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "gate text: passed" in result.stdout
    report = json.loads((tmp_path / "gate-text.json").read_text())
    measures = report["solvers"]["rules"]["measures"]
    assert measures["n"] >= _minimum("text", "rows")
    assert measures["command_accuracy"] >= _minimum("text", "command_accuracy")
    assert (tmp_path / "j-text.xml").read_text().count("<testcase") == measures["n"]


def test_text_gate_fails_when_a_threshold_is_missed(platform, tmp_path) -> None:
    strict = tmp_path / "gate.toml"
    strict.write_text(f'[gates.text]\ndataset = "{GATES["text"].dataset}"\nsolvers = ["rules"]\nmin_rows = 100000\n')
    result = platform.cli("eval", "gate", "--config", str(strict), "--report", str(tmp_path))
    assert result.returncode == 1 and "gate text: FAILED" in result.stdout and "rows" in result.stdout


def test_builtin_text_eval_meets_the_gate(platform, tmp_path) -> None:
    result = platform.cli("eval", "voice", "--report", str(tmp_path))
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "voice-text.json").read_text())
    assert report["n"] >= _minimum("text", "rows") and report["command_accuracy"] >= _minimum("text", "command_accuracy")
    assert set(report["slot_accuracy"]) >= {"command", "tooth", "surfaces", "label", "code", "values"}
    assert report["environment"]["git_commit"] and report["solvers"]["rules"]["config"]["interpreter"] == "rules"
    assert len(report["rows"]) == report["n"]
    assert "| command accuracy |" in (tmp_path / "voice-text.md").read_text()
    assert "command accuracy" in result.stdout


def test_spoken_subset_excludes_written_forms() -> None:
    rows = spoken_rows(load_rows())
    assert len(rows) >= 150
    assert not any("#" in r["text"] or "asr" in (r.get("tags") or []) for r in rows)


@pytest.mark.skipif(not piper_available(), reason="piper-tts voice not installed")
def test_audio_gate_clean_speech() -> None:
    gate = GATES["audio_clean"]
    report = run_gate(gate, progress=False)
    assert check(report, gate) == [], report["solvers"]["asr"]["measures"]
    measures = report["solvers"]["asr"]["measures"]
    assert measures["n"] == len(gate.ids) and measures["latency_ms"]["asr"]["p50"] > 0
    assert report["solvers"]["asr"]["models"]["asr"]  # the Whisper model is named in the report


def test_note_text_is_matched_by_word_error_only_when_asked() -> None:
    from evals.text_scoring import field_matches

    expected, heard = {"text": "patient reports sensitivity to cold"}, {"text": "patient report sensitivity to cold."}
    assert not field_matches("values", expected, heard)  # text evals: exact
    assert field_matches("values", expected, heard, free_text_wer=0.25)  # audio evals: WER-tolerant
    assert not field_matches("values", expected, {"text": "the crown came off"}, free_text_wer=0.25)
