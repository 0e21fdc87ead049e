"""The recogniser's training recipe never trains on the sentences it is judged on."""

from __future__ import annotations

import random
import re

from evals.asr_training.grammar import note_sentences, pulpitis_sentences, sentences, spoken
from evals.asr_training.held_out import HELD_OUT_FILES, held_out_texts
from evals.asr_training.prepare import REDUCED, espeak_text, training_texts
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


def test_pulpitis_sentences_say_both_polarities_and_are_seeded() -> None:
    said = pulpitis_sentences(60, seed=41)
    assert said == pulpitis_sentences(60, seed=41) and len(set(said)) == 60
    labels = {p.label for s in said for p in interpret(s, "fdi", None).proposals}
    assert {"reversible_pulpitis", "irreversible_pulpitis"} <= labels


def test_espeak_reads_some_irreversible_with_a_reduced_first_syllable() -> None:
    """The lost "ir-" is trained on: espeak reads it reduced, the target text still says "irreversible"."""
    rng = random.Random(4)
    readings = [espeak_text("Irreversible pulpitis on 36", rng) for _ in range(40)]
    reduced = [r for r in readings if r != "Irreversible pulpitis on 36"]
    assert 10 < len(reduced) < 40
    assert {r.removesuffix(" pulpitis on 36") for r in reduced} <= set(REDUCED["irreversible"])
    assert {espeak_text("reversible pulpitis on 36", rng) for _ in range(40)} == {"reversible pulpitis on 36"}


def test_note_sentences_are_notes_most_of_them_opened_by_note() -> None:
    said = note_sentences(40, seed=41)
    assert said == note_sentences(40, seed=41) and len(set(said)) == 40
    assert all(p.command == "note.add" for s in said for p in interpret(s, "fdi", None).proposals)
    assert sum(bool(re.match(r"(?:(?:um|uh|okay|right|so|and),? )?note\b", s)) for s in said) > 20


def test_espeak_reads_note_with_a_glottal_t_but_never_notes_or_no() -> None:
    rng = random.Random(5)
    readings = {espeak_text("note: patient reports pain, no swelling, see notes", rng) for _ in range(40)}
    assert {r.split(":")[0] for r in readings} == {"note", *REDUCED["note"]}
    assert all(r.endswith(": patient reports pain, no swelling, see notes") for r in readings)
