"""The exam-session eval: its dataset is frozen, text reaches every site through the exam's own
cursor and controls, and the scorer catches what goes wrong (a wrong site, a false control)."""

from __future__ import annotations

import hashlib

from evals.exam_eval import DATASET, evaluate, hear_text, run_exam
from voice.interpreter import InterpretContext

FROZEN_SHA256 = "1b3bb89bacc39a2e721fdcf94595fb5810e6ff9fab144df2b0a8404abebec475"


def test_the_exam_dataset_is_frozen() -> None:
    assert hashlib.sha256(DATASET.read_bytes()).hexdigest() == FROZEN_SHA256


def test_as_text_every_site_lands_and_every_control_is_read() -> None:
    total = evaluate(DATASET, hear_text)["total"]
    assert total["sites"] == 186 and total["site_accuracy"] == 1.0 and total["bleeding_sites_right"] == 1.0
    assert total["controls_recognised"] == 1.0 and total["false_controls"] == 0.0
    assert total["dictation_read_as_control"] == {}


def test_the_scorer_counts_wrong_sites_and_false_controls() -> None:
    row = {"mode": "perio", "missing": [], "expected_grid": {"18": {"depths_mm": {"MB": 3, "B": 2, "DB": 4}}},
           "utterances": [{"text": "three two four", "expect": "values"}, {"text": "cancel the crown on 26", "expect": "not_control"}]}

    def mishear(text: str, context: InterpretContext):
        said = {"three two four": "three two five", "cancel the crown on 26": "read back"}[text]
        return hear_text(said, context)

    exam, score = run_exam(row, mishear)
    assert score.sites_right == 2 and score.sites == 3 and score.false_controls == 1 and score.clinical == 1
    assert exam.grid["18"]["depths_mm"] == {"MB": 3, "B": 2, "DB": 5}


def test_dictated_values_read_as_a_control_are_counted_by_action() -> None:
    """A depth triplet heard as "pause" loses every value after it: the eval says which control, not what was said."""
    row = {"mode": "perio", "missing": [], "expected_grid": {"18": {"depths_mm": {"MB": 3, "B": 2, "DB": 4}}},
           "utterances": [{"text": "three two four", "expect": "values"}]}
    exam, score = run_exam(row, lambda text, context: hear_text("pause", context))
    assert score.measures()["dictation_read_as_control"] == {"pause": 1}
    assert score.sites_right == 0 and exam.paused
