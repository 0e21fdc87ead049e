"""WER and critical-term error on hand-made pairs."""

from __future__ import annotations

import pytest

from core_schema.stats import percentile
from evals.asr_metrics import (
    critical_errors,
    critical_term_error,
    normalize_words,
    score_corpus,
    wer,
    word_errors,
)


def test_normalisation_rules() -> None:
    assert normalize_words("Tooth #16: Occlusal caries!") == ["tooth", "16", "occlusal", "caries"]
    assert normalize_words("forty-six") == normalize_words("forty six") == normalize_words("46") == ["46"]
    assert normalize_words("3-2-4") == normalize_words("three two four") == ["3", "2", "4"]
    assert normalize_words("one six") == ["1", "6"]  # documented: not merged into 16
    assert normalize_words("mesiobuccal") == normalize_words("mesio-buccal") == ["mesio", "buccal"]
    assert normalize_words("2mm") == normalize_words("two millimeters") == ["2", "mm"]
    assert normalize_words("thirty") == ["30"] and normalize_words("twenty zero") == ["20", "0"]


def test_wer_counts_edits_after_normalisation() -> None:
    assert wer("tooth sixteen occlusal caries", "Tooth 16, occlusal caries.") == 0.0
    assert wer("tooth sixteen occlusal caries", "tooth 16 occlusal carries") == pytest.approx(0.25)
    we = word_errors("plan a root canal on thirty six", "plan route canal on 36 please")
    assert (we.substitutions, we.deletions, we.insertions) == (1, 1, 1)
    assert we.wer == pytest.approx(3 / 6)  # "thirty six" is one word: 36
    assert wer("", "") == 0.0 and wer("", "noise") == 1.0


def test_critical_term_error_uses_the_alignment() -> None:
    ref = "caries on the mesial and occlusal of forty six"
    assert critical_term_error(ref, "Caries on the mesial and occlusal of 46.") == 0.0
    ce = critical_errors(ref, "carries on the mesial and a clue sal of 46")
    assert ce.terms == 4  # caries, mesial, occlusal, 46
    assert set(ce.missed) == {"caries", "occlusal"} and ce.rate == 0.5
    # A wrong tooth number is a critical miss; filler words are not critical.
    assert critical_errors("mark seventeen as missing", "mark 70 is missing").missed == ("17",)
    # Critical words heard but never said are reported separately.
    assert "bleeding" in critical_errors("tooth sixteen", "bleeding tooth sixteen").inserted


def test_corpus_scores_are_micro_averaged() -> None:
    sc = score_corpus([("tooth sixteen caries", "tooth 16 caries"), ("pocket depths three two four", "pocket depths 3 2")])
    assert sc.ref_words == 8 and sc.wer == pytest.approx(1 / 8)
    assert sc.critical_terms == 6 and sc.critical_missed == 1  # 16 caries | pocket 3 2 4 ("tooth", "depths" are not)


def test_percentile_nearest_rank() -> None:
    xs = [float(x) for x in range(1, 101)]
    assert percentile(xs, 50) == 50 and percentile(xs, 95) == 95 and percentile([], 50) == 0.0
    # an observed value, never an interpolation; p0 is the minimum, p100 the maximum
    assert percentile([3.0, 1.0, 2.0, 10.0], 95) == 10 and percentile([1.0, 2.0], 50) == 1
    assert percentile([5.0, 1.0], 0) == 1 and percentile([5.0, 1.0], 100) == 5
    with pytest.raises(ValueError):
        percentile(xs, 0.95 * 200)
