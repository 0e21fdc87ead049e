"""The recogniser's training recipe never trains on the sentences it is judged on."""

from __future__ import annotations

import random

from evals.asr_training.grammar import sentences, spoken
from evals.asr_training.held_out import HELD_OUT_FILES, held_out_texts
from evals.asr_training.prepare import training_texts
from voice.interpreter.rules import interpret


def test_no_held_out_sentence_is_trained_on() -> None:
    banned = held_out_texts()
    assert "voice_blind_fresh.jsonl" in HELD_OUT_FILES and "voice_blind_untouched.jsonl" in HELD_OUT_FILES
    texts = training_texts(300, seed=23)
    assert len(texts) > 1000
    assert not {t.lower() for t in texts} & banned


def test_the_grammar_is_seeded() -> None:
    assert sentences(50, seed=7) == sentences(50, seed=7)
    assert sentences(50, seed=7) != sentences(50, seed=8)


def test_a_hash_tooth_is_read_both_ways() -> None:
    rng = random.Random(0)
    readings = {spoken("#3 MO composite", rng) for _ in range(20)}
    assert readings == {"number 3 MO composite", "hash 3 MO composite"}
    assert spoken("#3 has a crown") == "number 3 has a crown"


def test_the_grammar_speaks_every_command_of_the_contract() -> None:
    """Notes, views, procedure states and plan moves are trained on too, not only charting."""
    heard = {p.command for s in sentences(800, seed=3) for p in interpret(s, "fdi", None).proposals}
    assert heard >= {"chart.finding.add", "plan.item.add", "diagnosis.add", "perio.record", "note.add",
                     "history.show", "chart.show", "procedure.start", "procedure.complete", "plan.item.move"}
