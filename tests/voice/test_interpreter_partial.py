"""Partial understanding (issue 19 defect e): the clear command is proposed, the unclear one asked."""

from __future__ import annotations

import pytest

from voice.interpreter import interpret


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("upper right premolar caries and plan a crown on forty six", ["14", "15"]),
        ("root canal on first molar and plan a crown on forty six", ["16", "26", "36", "46"]),
        ("sealant on 11 and plan a crown on forty six", ["D1351 Sealant, per tooth", "cancel"]),
    ],
)
def test_clear_command_kept_and_unclear_one_asked(text: str, options: list[str]) -> None:
    out = interpret(text)
    assert out.kind == "proposal"
    assert [(p.command, p.tooth, p.label) for p in out.proposals] == [("plan.item.add", "46", "crown")]
    assert out.clarify is not None and out.clarify.options == options


def test_a_number_that_is_no_tooth_is_still_asked_about_alone() -> None:
    """The contract: a number that is not a tooth makes the result clarify (never guessed)."""
    out = interpret("16 occlusal caries and 40 missing")
    assert out.kind == "clarify" and out.proposals == []


def test_unclear_alone_is_still_a_question() -> None:
    out = interpret("upper right premolar caries")
    assert out.kind == "clarify" and out.proposals == []
