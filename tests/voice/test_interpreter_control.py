"""Voice control of an exam session (voice contract, "Exam sessions and voice control")."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from voice.interpreter import InterpretContext, interpret

PERIO_16 = InterpretContext(tooth="16", perio_mode=True)


@pytest.mark.parametrize(
    ("text", "control"),
    [
        ("accept", {"action": "accept"}),
        ("confirm that", {"action": "accept"}),
        ("Yes, chart it.", {"action": "accept"}),
        ("scratch that", {"action": "cancel_last"}),
        ("cancel that", {"action": "cancel_last"}),
        ("delete that", {"action": "cancel_last"}),
        ("scratch that last one", {"action": "cancel_last"}),
        ("undo that", {"action": "undo_last"}),
        ("go to 36", {"action": "goto", "tooth": "36"}),
        ("go to thirty six", {"action": "goto", "tooth": "36"}),
        ("go to forty six lingual", {"action": "goto", "tooth": "46", "side": "lingual"}),
        ("next tooth", {"action": "goto", "direction": "next"}),
        ("back", {"action": "goto", "direction": "back"}),
        ("back one tooth", {"action": "goto", "direction": "back"}),
        ("skip 18", {"action": "goto", "skip": "18"}),
        ("lingual side", {"action": "goto", "side": "lingual"}),
        ("okay, palatal side now", {"action": "goto", "side": "palatal"}),
        ("read back", {"action": "read_back"}),
        ("repeat that", {"action": "read_back"}),
        ("stop listening", {"action": "pause"}),
        ("hold on, pause", {"action": "pause"}),
        ("resume", {"action": "resume"}),
    ],
)
def test_voice_controls(text: str, control: dict) -> None:
    out = interpret(text).model_dump()
    assert out["kind"] == "control"
    assert out["control"] == control
    assert out["proposals"] == []


def test_goto_reads_the_clinics_notation() -> None:
    out = interpret("go to number 3", "UNIVERSAL").model_dump()
    assert out["control"] == {"action": "goto", "tooth": "16"}


def test_next_tooth_is_a_control_not_a_card_without_a_cursor() -> None:
    """Defect: a card read "Tooth ? · Perio.next tooth"."""
    assert interpret("next tooth").kind == "control"
    assert interpret("next tooth", context=InterpretContext(tooth="16")).kind == "control"
    # perio charting with a tooth in focus keeps the registry's perio.next_tooth (the frozen sets pin it)
    out = interpret("next tooth", context=PERIO_16)
    assert out.kind == "proposal" and out.proposals[0].values == {"next_tooth": "15"}


@pytest.mark.parametrize(
    "text",
    ["cancel the crown on 26", "delete the caries on 16", "accept a crown on 26", "go to the chart",
     "can you pause the suction for a second"],
)
def test_control_words_inside_a_clinical_sentence_are_not_controls(text: str) -> None:
    out = interpret(text).model_dump()
    assert out["kind"] != "control"
    assert "control" not in out


def test_session_mode_in_the_context_is_perio_mode() -> None:
    assert InterpretContext.model_validate({"tooth": "16", "mode": "perio"}).perio_mode
    assert not InterpretContext.model_validate({"tooth": "16", "mode": "charting"}).perio_mode


def test_output_keys_unchanged_for_non_control_text() -> None:
    """``control`` is an added key: it appears only on a control, so other outputs keep their keys."""
    keys = {"kind", "proposals", "clarify", "transcript", "interpreter", "latency_ms"}
    for text in ("16 occlusal caries", "good morning", "caries", "scratch that, 17 missing"):
        assert set(interpret(text).model_dump()) == keys
        assert set(json.loads(interpret(text).model_dump_json())) == keys
    assert set(interpret("pause").model_dump()) == keys | {"control"}


def test_cli_json_for_non_control_text_has_no_control_key() -> None:
    run = subprocess.run([sys.executable, "-c", "from api.cli import main; main()", "interpret", "--text",
                          "Sixteen occlusal caries", "--json"], capture_output=True, text=True, check=True)
    out = json.loads(run.stdout)
    assert "control" not in out
    assert out["kind"] == "proposal" and out["proposals"][0]["label"] == "caries"


def test_skip_alone_skips_the_cursor_tooth() -> None:
    ctx = InterpretContext(tooth="26", perio_mode=True)
    assert interpret("skip this tooth", context=ctx).control == {"action": "goto", "skip": "26"}
    assert interpret("skip").kind == "no_command"  # no cursor: nothing to skip
