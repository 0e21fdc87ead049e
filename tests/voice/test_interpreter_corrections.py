"""Corrections within an utterance (voice contract, "Exam sessions and voice control")."""

from __future__ import annotations

from voice.interpreter import InterpretContext, interpret


def _said(text: str, ctx: InterpretContext | None = None) -> list[tuple]:
    out = interpret(text, context=ctx)
    assert out.kind == "proposal", out
    return [(p.command, p.tooth, p.label, p.values) for p in out.proposals]


def test_depths_said_again_replace_the_first() -> None:
    ctx = InterpretContext(tooth="16", perio_mode=True)
    assert _said("three two four, sorry, three two five", ctx) == [
        ("perio.record", "16", None, {"depths_mm": {"MB": 3, "B": 2, "DB": 5}})]


def test_scratch_that_replaces_the_finding_and_keeps_the_tooth() -> None:
    assert _said("twenty eight is impacted, scratch that, missing") == [("chart.finding.add", "28", "missing", {})]
    assert _said("16 caries, scratch that, 17 missing") == [("chart.finding.add", "17", "missing", {})]
    assert interpret("16 caries, scratch that").kind == "no_command"


def test_scratch_that_last_one_drops_only_the_last_item() -> None:
    assert _said("16 occlusal caries and 17 missing, scratch that last one") == [
        ("chart.finding.add", "16", "caries", {})]
    said = _said("crown on 26, extract 18, scratch that last one, and a crown on 46")
    assert [(c, t, lab) for c, t, lab, _ in said] == [("plan.item.add", "26", "crown"), ("plan.item.add", "46", "crown")]
