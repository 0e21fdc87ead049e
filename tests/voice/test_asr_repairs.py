"""Repairs of what tiny.en really wrote in the audio eval: correction pass + interpreter.

Each case is a transcript seen in the eval (heard) and what the chain must make of it.
"""

from __future__ import annotations

import pytest

from voice.asr import correct_transcript
from voice.interpreter import InterpretContext, interpret

CASES = [
    # heard, context, expected (command, teeth, label, values-subset)
    ("Pulp necrosis, 2021.", None, ("diagnosis.add", ["21"], "pulp_necrosis", {})),
    ("Crack 237.", None, ("diagnosis.add", ["37"], "cracked_tooth", {})),
    ("231 has great 3 mobility.", None, ("chart.finding.add", ["31"], "mobility", {"grade": 3})),
    ("Access on 11.", None, ("diagnosis.add", ["11"], "apical_abscess", {})),
    ("Crime on 36 is complete.", None, ("procedure.complete", ["36"], "crown", {})),
    ("Up a right first molar fracture.", None, ("chart.finding.add", ["16"], "fracture", {})),
    ("Lower left second pre-molar has a fractured buccal cuss.", None, ("chart.finding.add", ["35"], "fracture", {})),
    ("Extraction 38 and 48, iduings.", None, ("plan.item.add", ["38"], "extraction", {})),
    ("546 lingual.", {"tooth": "16", "perio_mode": True}, ("perio.record", ["16"], None, {"depths_mm": {"ML": 5, "L": 4, "DL": 6}})),
    ("445 and 334.", {"tooth": "46", "perio_mode": True},
     ("perio.record", ["46"], None, {"depths_mm": {"MB": 4, "B": 4, "DB": 5, "ML": 3, "L": 3, "DL": 4}})),
    ("Dystobical 6 with bleeding.", {"tooth": "36", "perio_mode": True}, ("perio.record", ["36"], None, {"depths_mm": {"DB": 6}})),
]


@pytest.mark.parametrize(("heard", "context", "expected"), CASES, ids=[c[0] for c in CASES])
def test_heard_transcript_becomes_the_right_command(heard, context, expected) -> None:
    ctx = InterpretContext(**context) if context else None
    out = interpret(correct_transcript(heard), "FDI", ctx).model_dump()
    assert out["kind"] == "proposal", out
    first = out["proposals"][0]
    command, teeth, label, values = expected
    assert (first["command"], first["teeth"], first["label"]) == (command, teeth, label)
    assert all(first["values"].get(k) == v for k, v in values.items())


@pytest.mark.parametrize("text", ["the property of the clinic is large", "I have no pain", "it was great to see you"])
def test_everyday_sentences_are_left_alone(text) -> None:
    assert correct_transcript(text) == text


def test_a_real_three_digit_number_in_perio_is_depths_not_a_tooth() -> None:
    out = interpret("pocket depths 231 on 16", "FDI").model_dump()
    assert out["proposals"][0]["values"]["depths_mm"] == {"MB": 2, "B": 3, "DB": 1}
