"""The dental correction pass: known tiny.en errors are fixed, correct text is left alone."""

from __future__ import annotations

import re

import pytest

from voice.asr import RULES, Rule, correct_transcript, correct_transcript_with_log


@pytest.mark.parametrize(
    ("heard", "meant"),
    [
        ("Buckle recession to millimeters on 24.", "Buccal recession two millimeters on 24."),
        ("Tooth 16 occlusal carries.", "Tooth 16 occlusal caries."),
        ("16 a clue sal caries", "16 occlusal caries"),
        ("Caries on the mesial and the blusal of 46.", "Caries on the mesial and the occlusal of 46."),
        ("Bleeding on the mesi-low buckle.", "Bleeding on the mesiobuccal."),
        ("Plan a route canal on 36.", "Plan a root canal on 36."),
        ("Irversible Popitis on 46.", "Irreversible Pulpitis on 46."),  # capitals kept
        ("scaling and re-planning lower left quadrant", "scaling and root planing lower left quadrant"),
        ("Periodical radiograph of 21.", "Periapical radiograph of 21."),
        ("The style carries on 27.", "Distal caries on 27."),
        ("Lingual carry on 35.", "Lingual caries on 35."),
        ("Meso caries on 15, planet composite.", "Mesial caries on 15, plan a composite."),
        ("Host and core on 25.", "Post and core on 25."),
        ("And plant crown on 46.", "Implant crown on 46."),
        ("Plan by dings.", "Plan bitewings."),
        ("Generalized, jingivitis.", "Generalized, gingivitis."),
        ("Crack tooth on 47.", "Cracked tooth on 47."),
        ("Impact at 38, plan a surgical extraction.", "Impacted 38, plan a surgical extraction."),
        ("Percation on the buccal of 46.", "Furcation on the buccal of 46."),
        ("Palatial recession on 23.", "Palatal recession on 23."),
        # voice controls, whole utterances only
        ("Except.", "Accept."),
        ("yep, except that", "yep, accept that"),
        ("Except all, please.", "Accept all, please."),
        ("Um, and do that please.", "Um, undo that please."),
        ("Confirmed that.", "Confirm that."),
        ("skip aching", "skip eighteen"),
        ("Delta forty-six lingual", "Go to forty-six lingual"),
        ("Put the extraction of aching first.", "Put the extraction of eighteen first."),
        ("has three has a crown", "hash three has a crown"),
        ("note to 36", "go to 36"),
        ("Read that.", "Read back."),
        ("um, no to thirty six lingual", "um, go to thirty six lingual"),
        ("Ash three symptomatic irreversible pulpitis", "Hash three symptomatic irreversible pulpitis"),
        ("okay, has 19 MO caries", "okay, hash 19 MO caries"),
    ],
)
def test_known_errors_are_fixed(heard: str, meant: str) -> None:
    assert correct_transcript(heard) == meant


@pytest.mark.parametrize(
    "text",
    [
        "Tooth 16 occlusal caries.",
        "Pocket depths 3 2 4.",
        "Mark 17 as missing.",
        "Bleeding on the mesio buccal.",
        "Mesio-occlusal caries on 46, disto occlusal on 45.",
        "Plan a root canal on 36, then a crown.",
        "Scaling and root planing in the lower left quadrant.",
        "Irreversible pulpitis on 46. Reversible pulpitis on 15.",
        "Apical abscess on 22, apical periodontitis on 36.",
        "Distal, carry on with the cleaning.",
        "The patient plans to travel; plant-based diet.",
        "Recession to the gingival margin.",
        "Sixteen, to sixteen, one six.",
        "Except the crown on 26, everything is sound.",
        "Everything except 36.",
        "Confirmed caries on 36.",
        "And do the crown on 46 next.",
        "Patient complains of aching on biting.",
        "Has the patient had x-rays?",
        "Note to self: order the crown.",
        "Read that back.",
        "Read that x-ray again later.",
        "No, to be honest it has not hurt.",
        "Number 3 has three canals.",
        "Hashimoto's, on levothyroxine.",
    ],
)
def test_correct_text_is_left_unchanged(text: str) -> None:
    corrected, log = correct_transcript_with_log(text)
    assert corrected == text
    assert log == []


def test_log_records_what_was_rewritten() -> None:
    text, log = correct_transcript_with_log("Buckle carries on 16")
    assert text == "Buccal caries on 16"
    assert [(c.heard, c.written) for c in log] == [("Buckle", "Buccal"), ("carries", "caries")]


def test_table_is_data_and_every_rule_compiles() -> None:
    assert len(RULES) > 20
    for rule in RULES:
        re.compile(rule.pattern)
        assert rule.why
    custom = (Rule(r"night\s+god", "night guard", "appliance"),)
    assert correct_transcript("plan a night god", custom) == "plan a night guard"
