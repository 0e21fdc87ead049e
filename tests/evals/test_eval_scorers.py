"""Scorers as small reusable units, and the progress bar only where someone watches."""

from __future__ import annotations

from rich.progress import Progress

from evals.dataset import Sample
from evals.scorers import (
    CommandAccuracy,
    CriticalErrorsFlagged,
    CriticalTermError,
    DoubtfulFlagged,
    RowRecord,
    SlotAccuracy,
    StageLatency,
    WordErrorRate,
    judge,
)
from evals.solvers import SolverOutput
from evals.task import _progress

P = {"command": "plan.item.add", "tooth": "46", "label": "root_canal"}


def _rec(expected, predicted, *, text="add a root canal", transcript=None, asr=False, latency=None, error=None):
    sample = Sample("x", 1, text=text, expected=expected)
    out = SolverOutput(predicted, transcript, latency or {}, error, asr)
    return RowRecord(sample, out, judge(sample, out))


def test_solver_error_is_wrong_and_counted() -> None:
    recs = [_rec({"kind": "proposal", "proposals": [P]}, {"kind": "proposal", "proposals": [P]}),
            _rec({"kind": "proposal", "proposals": [P]}, None, error="LLMInterpreterError: down")]
    m = CommandAccuracy().score(recs)
    assert (m["n"], m["command_accuracy"], m["errors"]) == (2, 0.5, 1)
    assert SlotAccuracy().score(recs)["slot_accuracy"] == {"command": 0.5, "tooth": 0.5, "label": 0.5}


def test_doubtful_slots_flagged_share() -> None:
    exp = {"kind": "proposal", "proposals": [{**P, "missing": ["tooth"], "tooth": None}]}
    flagged = _rec(exp, {"kind": "proposal", "proposals": [{**P, "tooth": None, "missing": ["tooth"]}]})
    guessed = _rec(exp, {"kind": "proposal", "proposals": [{**P, "missing": []}]})  # filled in silently
    ask = _rec({"kind": "clarify"}, {"kind": "clarify", "proposals": []})
    m = DoubtfulFlagged().score([flagged, guessed, ask])
    assert (m["doubtful_slots"], m["doubtful_flagged"]) == (3, 2 / 3)
    assert DoubtfulFlagged().score([_rec({"kind": "no_command"}, {"kind": "no_command"})])["doubtful_flagged"] is None


def test_speech_measures_only_where_speech_was_recognised() -> None:
    heard = _rec(None, None, text="caries on forty six", transcript="carries on 46", asr=True)
    typed = _rec(None, None, text="caries on forty six", transcript="caries on forty six")
    assert WordErrorRate().score([heard, typed])["word_error_rate"] == 1 / 3
    ce = CriticalTermError().score([heard, typed])
    assert (ce["critical_terms"], ce["critical_missed"]) == (2, 1)
    assert WordErrorRate().score([typed])["word_error_rate"] is None
    assert heard.correct is None and CommandAccuracy().score([heard])["command_accuracy"] is None


def test_stage_latency_percentiles() -> None:
    recs = [_rec(None, None, latency={"asr": float(i), "interpret": 1.0}) for i in range(1, 21)]
    lat = StageLatency().score(recs)["latency_ms"]
    assert lat["asr"]["p50"] == 10 and lat["asr"]["p95"] == 19 and lat["asr"]["max"] == 20 and lat["interpret"]["n"] == 20


def test_progress_bar_only_on_a_terminal_or_when_asked() -> None:
    assert not isinstance(_progress(100, "voice", None), Progress)  # pytest's stderr is not a terminal
    assert isinstance(_progress(100, "voice", True), Progress)
    assert not isinstance(_progress(100, "voice", False), Progress)


def test_wrong_teeth_and_diagnoses_count_as_unflagged_unless_doubt_is_shown() -> None:
    dx = {"command": "diagnosis.add", "tooth": "36", "label": "irreversible_pulpitis"}
    exp = {"kind": "proposal", "proposals": [dx]}
    recs = [
        _rec(exp, {"kind": "proposal", "proposals": [{**dx, "label": "reversible_pulpitis"}]}),  # flipped, silent
        _rec(exp, {"kind": "proposal", "proposals": [{**dx, "tooth": "46", "doubt": [{"slot": "tooth"}]}]}),  # flagged
        _rec(exp, {"kind": "clarify", "proposals": []}),  # asked: no proposal, no error
        _rec(exp, {"kind": "proposal", "proposals": [dx]}),  # right
    ]
    m = CriticalErrorsFlagged().score(recs)
    assert (m["critical_errors"], m["critical_errors_unflagged"], m["critical_errors_flagged"]) == (2, 1, 0.5)


def test_an_omitted_tooth_is_not_a_wrong_tooth_but_a_proposed_other_tooth_is() -> None:
    exp = {"kind": "proposal", "proposals": [{"command": "plan.item.add", "tooth": "18", "label": "extraction"},
                                             {"command": "plan.item.add", "tooth": "28", "label": "extraction"}]}
    omitted = _rec(exp, {"kind": "proposal", "proposals": [{"command": "plan.item.add", "tooth": "28", "label": "extraction"}]})
    other = _rec(exp, {"kind": "proposal", "proposals": [{"command": "plan.item.add", "tooth": "17", "label": "extraction"}]})
    m = CriticalErrorsFlagged().score([omitted, other])
    assert (m["critical_errors"], m["critical_errors_unflagged"]) == (1, 1)


def test_a_tooth_shown_as_taken_from_context_counts_as_marked() -> None:
    exp = {"kind": "proposal", "proposals": [{"command": "perio.record", "tooth": "14"}]}
    ctx = _rec(exp, {"kind": "proposal", "proposals": [{"command": "perio.record", "tooth": "15", "from_context": ["tooth"]}]})
    assert CriticalErrorsFlagged().score([ctx])["critical_errors_unflagged"] == 0


def test_control_rows_are_scored_on_their_control_object() -> None:
    from evals.dataset import check_expected
    from evals.text_scoring import utterance_correct

    expected = {"kind": "control", "control": {"action": "goto", "tooth": "36"}}
    check_expected(expected)
    assert utterance_correct(expected, {"kind": "control", "control": {"action": "goto", "tooth": "36"}, "proposals": []})
    assert not utterance_correct(expected, {"kind": "control", "control": {"action": "goto", "tooth": "37"}, "proposals": []})
    assert not utterance_correct(expected, {"kind": "no_command", "proposals": []})
