"""Dictated text is untrusted: escape codes, control bytes, size and the number of commands."""

from __future__ import annotations

import sys

import pytest

from core_schema.settings import get_settings
from voice.interpreter import interpret
from voice.interpreter.input_guard import DictationInputError, cap_proposals, clean_dictation_text
from voice.interpreter.normalize import normalise


def _teeth(text: str) -> list[str]:
    return [t for p in interpret(text).proposals for t in p.teeth]


@pytest.mark.parametrize("text", [
    "caries on \x1b[31m",                       # CSI colour code
    "caries on \x1b[31;1m\x1b[0m",              # CSI with parameters, then reset
    "caries on \x1b]0;31\x07",                  # OSC window title with a number
    "caries on \x9b31m",                        # 8-bit CSI
    "caries on \x1bP31\x1b\\",                  # DCS string
])
def test_terminal_escape_codes_never_become_teeth(text: str) -> None:
    assert "31" not in _teeth(text)
    assert "\x1b" not in interpret(text).transcript


def test_escape_codes_around_real_dictation_are_ignored() -> None:
    out = interpret("\x1b[1msixteen occlusal caries\x1b[0m and seventeen is missing")
    assert [(p.label, p.teeth) for p in out.proposals] == [("caries", ["16"]), ("missing", ["17"])]


def test_control_characters_are_dropped_and_line_breaks_become_spaces() -> None:
    assert clean_dictation_text("sixteen\tocclusal\ncaries\r\n\x00\x07\u200b!") == "sixteen occlusal caries  !"


def test_text_over_the_limit_is_refused_with_one_clear_line() -> None:
    limit = get_settings().max_dictation_chars
    assert len(clean_dictation_text("a" * limit)) == limit
    with pytest.raises(DictationInputError, match=rf"is {limit + 1} characters long; the limit is {limit}") as exc:
        interpret("a" * (limit + 1))
    assert "\n" not in str(exc.value)
    assert isinstance(exc.value, ValueError)


def test_the_longest_eval_utterance_is_far_below_the_limit() -> None:
    import json
    from pathlib import Path

    rows = Path(__file__).resolve().parents[2] / "evals" / "datasets" / "voice_text.jsonl"
    longest = max(len(json.loads(line)["text"]) for line in rows.read_text().splitlines() if line.strip())
    assert longest * 10 <= get_settings().max_dictation_chars


def test_more_commands_than_the_cap_become_one_clarify_question() -> None:
    cap = get_settings().max_proposals_per_dictation
    over = interpret(", ".join(["sixteen occlusal caries", "seventeen is missing"] * (cap // 2 + 1)))
    assert over.kind == "clarify" and over.proposals == []
    assert over.clarify is not None and f"at most {cap}" in over.clarify.question
    at_cap = interpret(", ".join(["sixteen occlusal caries", "seventeen is missing"] * (cap // 2)))
    assert at_cap.kind == "proposal" and len(at_cap.proposals) == cap


def test_cap_keeps_results_within_it_unchanged() -> None:
    result = interpret("sixteen occlusal caries")
    assert cap_proposals(result, max_proposals=1) is result
    assert cap_proposals(result, max_proposals=0).kind == "clarify"


def test_a_huge_digit_run_is_a_word_not_a_crash() -> None:
    toks = normalise("caries on " + "1" * 5000, False)
    assert all(t.num is None for t in toks)


def _lines_executed(text: str) -> int:
    """Python lines run to interpret ``text``: a deterministic measure of work (no timing)."""
    count = 0

    def tracer(frame, event, arg):  # noqa: ANN001, ANN202
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        interpret(text)
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize("phrase", [
    "sixteen occlusal caries ",          # one clause, many labels: every label used to rescan it
    "move it up ",                       # plan.item.move used to rescan the rest of its clause
    "caries on 16 17 ",                  # long lists of teeth after a preposition
    "root canal and crown on 36, ",      # many clauses with inherited plan/find side
    "pocket depths 3 2 3 bleeding ",     # one perio group growing without bound
])
def test_interpretation_work_grows_linearly_with_length(phrase: str) -> None:
    small = phrase * (450 // len(phrase))
    large = phrase * (8 * (450 // len(phrase)))
    assert len(large) <= get_settings().max_dictation_chars
    ratio = _lines_executed(large) / _lines_executed(small)
    assert ratio < 10, f"8x the text cost {ratio:.1f}x the work (quadratic would be ~64x)"
