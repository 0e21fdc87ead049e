"""n-best rescoring and doubt: a doubtful critical word never becomes a confident proposal."""

from __future__ import annotations

from voice.interpreter.doubt import Heard, HeardWord, interpret_heard, word_slot


def test_a_close_reading_that_parses_beats_a_best_reading_that_does_not() -> None:
    out = interpret_heard([Heard("Hot 36.", -0.20), Heard("PA of 36.", -0.30)])
    (p,) = out.proposals
    assert (out.kind, p.tooth, p.label) == ("proposal", "36", "periapical_radiograph")
    assert out.transcript == "PA of 36."


def test_a_reading_judged_not_a_command_stands() -> None:
    assert interpret_heard([Heard("Is 36 missing?", -0.2), Heard("36 missing.", -0.3)]).kind == "no_command"
    out = interpret_heard([Heard("16 occlusal caries and 40 missing.", -0.2), Heard("16 occlusal caries and 14 missing.", -0.3)])
    assert out.kind == "clarify"


def test_a_far_reading_is_not_taken_even_if_it_parses() -> None:
    out = interpret_heard([Heard("pass me the mirror", -0.10), Heard("twenty six occlusal caries", -1.50)])
    assert out.kind == "no_command"


def test_close_readings_that_disagree_on_the_tooth_flag_it_with_the_alternative() -> None:
    out = interpret_heard([Heard("caries on 36", -0.20), Heard("caries on 46", -0.25)])
    (p,) = out.proposals
    assert p.tooth == "36" and [(d.slot, d.alternatives) for d in p.doubt] == [("tooth", [["46"]])]
    assert p.confidence < interpret_heard([Heard("caries on 36", -0.2)]).proposals[0].confidence


def test_a_low_probability_tooth_word_flags_the_tooth() -> None:
    words = [HeardWord("Caries", 0.95), HeardWord("on", 0.9), HeardWord("thirty-six", 0.2)]
    (p,) = interpret_heard([Heard("Caries on thirty-six", -0.2)], words).proposals
    assert [(d.slot, d.word_probability) for d in p.doubt] == [("tooth", 0.2)]
    sure = [HeardWord("Caries", 0.95), HeardWord("on", 0.9), HeardWord("thirty-six", 0.9)]
    assert interpret_heard([Heard("Caries on thirty-six", -0.2)], sure).proposals[0].doubt == []


def test_doubtful_polarity_is_asked_never_proposed() -> None:
    heard = interpret_heard([Heard("reversible pulpitis on 36", -0.2), Heard("irreversible pulpitis on 36", -0.22)])
    assert heard.kind == "clarify" and heard.proposals == []
    assert {"irreversible_pulpitis", "reversible_pulpitis"} <= set(heard.clarify.options)
    words = [HeardWord("reversible", 0.3), HeardWord("pulpitis", 0.9), HeardWord("on", 0.9), HeardWord("36", 0.9)]
    assert interpret_heard([Heard("reversible pulpitis on 36", -0.2)], words).kind == "clarify"


def test_nothing_heard_is_no_command() -> None:
    assert interpret_heard([]).kind == "no_command"


def test_word_slots() -> None:
    assert [word_slot(w) for w in ("six", "26", "Occlusal,", "caries", "irreversible", "the", "please")] == [
        "tooth", "tooth", "surfaces", "label", "label", None, None]


def test_a_reading_that_says_nothing_is_replaced_and_the_reviewer_is_told() -> None:
    out = interpret_heard([Heard("And plan on 36.", -0.25), Heard("implant on 36.", -0.65)])
    (p,) = out.proposals
    assert (p.command, p.label, p.tooth) == ("plan.item.add", "implant", "36")
    assert [(d.slot, d.alternatives) for d in p.doubt] == [("command", ["And plan on 36."])]


def test_a_safety_question_is_never_traded_for_a_reading_that_parses() -> None:
    out = interpret_heard([Heard("Symptomatic reversible pulpitis on 46.", -0.35),
                           Heard("Symptomatic your reversible pulpitis on 46.", -0.38)])
    assert out.kind == "clarify"


def test_whispers_usual_mishearings_are_repaired_with_less_confidence() -> None:
    pa = interpret_heard([Heard("DA on 21.", -0.3)]).proposals[0]
    assert (pa.label, pa.tooth) == ("periapical_radiograph", "21") and pa.confidence < 0.9
    k = interpret_heard([Heard("Extract tooth cake.", -0.3)], notation="UNIVERSAL").proposals[0]
    assert k.tooth == "75"


def test_a_polarity_word_needs_to_be_heard_surely() -> None:
    words = [HeardWord("Asymptomatic", 0.9), HeardWord("reversible", 0.6), HeardWord("pulpitis", 0.9)]
    assert interpret_heard([Heard("Asymptomatic reversible pulpitis on 47.", -0.3)], words).kind == "clarify"
    sure = [HeardWord("Asymptomatic", 0.9), HeardWord("reversible", 0.97), HeardWord("pulpitis", 0.9)]
    assert interpret_heard([Heard("Asymptomatic reversible pulpitis on 47.", -0.3)], sure).kind == "proposal"


def test_whispers_way_of_writing_perio_lists() -> None:
    p = interpret_heard([Heard("46, buccal 546, bleeding distobuccal.", -0.3)]).proposals[0]
    assert p.values == {"depths_mm": {"MB": 5, "B": 4, "DB": 6}, "bleeding_sites": ["DB"]}
    from voice.interpreter import InterpretContext
    ctx = InterpretContext(tooth="17", perio_mode=True)
    p = interpret_heard([Heard("4, free, 5, bleeding, distal, buccal.", -0.3)], context=ctx).proposals[0]
    assert p.values == {"depths_mm": {"MB": 4, "B": 3, "DB": 5}, "bleeding_sites": ["DB"]}


def test_a_slot_resting_on_a_repaired_word_is_flagged() -> None:
    (p,) = interpret_heard([Heard("won six occlusal carries", -0.3)]).proposals
    assert {d.slot for d in p.doubt} == {"tooth", "label"}
    (sure,) = interpret_heard([Heard("16 occlusal caries", -0.3)]).proposals
    assert sure.doubt == []


def test_irreversible_is_trusted_sooner_than_reversible() -> None:
    """A recogniser swallows "ir-", it does not invent it: "irreversible" stands at any probability (the
    first word's is split between its cased spellings), "reversible" at 0.6 is asked."""
    said = [HeardWord("irreversible", 0.6), HeardWord("pulpitis", 0.95), HeardWord("on", 0.9), HeardWord("36", 0.95)]
    (p,) = interpret_heard([Heard("irreversible pulpitis on 36", -0.2)], said).proposals
    assert (p.label, p.tooth, p.doubt) == ("irreversible_pulpitis", "36", [])
    first_word = [HeardWord("irreversible", 0.18), *said[1:]]
    readings = [Heard("irreversible pulpitis on 36", -0.2), Heard("Irreversible pulpitis on 36", -0.24)]
    (q,) = interpret_heard(readings, first_word).proposals
    assert (q.label, q.doubt) == ("irreversible_pulpitis", [])
    rev = [HeardWord("reversible", 0.6), *said[1:]]
    assert interpret_heard([Heard("reversible pulpitis on 36", -0.2)], rev).kind == "clarify"


def test_a_close_reading_that_lost_the_ir_is_no_doubt() -> None:
    """Best "irreversible", close "reversible": the close reading swallowed the syllable; the best stands.
    The other way round ("reversible" best, "irreversible" close) is still asked (above)."""
    words = [HeardWord("irreversible", 0.8), HeardWord("pulpitis", 0.95), HeardWord("on", 0.9), HeardWord("36", 0.95)]
    readings = [Heard("irreversible pulpitis on 36", -0.2), Heard("reversible pulpitis on 36", -0.22)]
    (p,) = interpret_heard(readings, words).proposals
    assert (p.label, p.tooth, p.doubt) == ("irreversible_pulpitis", "36", [])
    swallowed = [HeardWord("reversible", 0.95), *words[1:]]
    assert interpret_heard(readings[::-1], swallowed).kind == "clarify"
    other_tooth = [*readings, Heard("irreversible pulpitis on 26", -0.23)]
    (q,) = interpret_heard(other_tooth, words).proposals
    assert [d.slot for d in q.doubt] == ["tooth"]
