"""eval voice --matrix: datasets x listening conditions in one table, a full report per cell."""

from __future__ import annotations

import json

import pytest

from evals.dataset import builtin
from evals.matrix import DEFAULT_CONDITIONS, Condition, markdown, run_matrix


def test_conditions_parse_and_bad_ones_say_how_to_write_them() -> None:
    assert Condition.parse("text") == Condition("text")
    assert Condition.parse("espeak-us@10") == Condition("espeak-us@10", "espeak-us", 10.0)
    assert Condition.parse("piper-joe@10/tiny.en") == Condition("piper-joe@10/tiny.en", "piper-joe", 10.0, "tiny.en")
    assert Condition.parse("piper-joe/tiny.en-dental") == Condition("piper-joe/tiny.en-dental", "piper-joe", None,
                                                                     "tiny.en-dental")
    with pytest.raises(ValueError, match="VOICE@SNR"):
        Condition.parse("piper-joe@loud")


def test_text_cells_of_both_sets_with_a_report_each(tmp_path) -> None:
    sets = [builtin("voice_text.jsonl"), builtin("voice_blind_untouched.jsonl")]
    matrix = run_matrix(sets, [Condition("text")], tmp_path, limit=5, progress=False)
    assert [(c["dataset"], c["condition"], c["n"]) for c in matrix["cells"]] == [
        ("voice_text.jsonl", "text", 5), ("voice_blind_untouched.jsonl", "text", 5)]
    for cell in matrix["cells"]:
        report = json.loads((tmp_path / cell["report"]).read_text())
        assert len(report["rows"]) == 5 and report["solvers"]["rules"]["measures"]["n"] == 5
    table = markdown(matrix)
    assert table.count("\n| voice_") == 2 and "wrong tooth/diagnosis" in table


def test_default_matrix_hears_piper_by_tiny_en_beside_the_dental_tiny_en() -> None:
    conds = [Condition.parse(c) for c in DEFAULT_CONDITIONS]
    for model in ("tiny.en", "tiny.en-dental"):
        assert {(c.voice, c.snr_db) for c in conds if c.model == model} == {("piper-joe", None), ("piper-joe", 10.0)}


def test_a_named_recogniser_is_the_one_a_cell_reports(tmp_path) -> None:
    sets = [builtin("voice_blind_untouched.jsonl")]
    matrix = run_matrix(sets, [Condition.parse("piper-joe/tiny.en"), Condition.parse("piper-joe/tiny.en-dental")],
                        tmp_path, limit=1, progress=False)
    assert [c["recogniser"] for c in matrix["cells"]] == ["tiny.en", "tiny.en-dental"]
    assert "| tiny.en-dental |" in markdown(matrix)
