"""What the voice contract gained in issue 10: planned vs existing, context references,
single-site perio, doubt asked about rather than guessed, UK tooth names, history asks."""

from __future__ import annotations

from typing import Any

import pytest

from voice.interpreter import InterpretContext, interpret


def run(text: str, notation: str = "FDI", context: dict[str, Any] | None = None) -> dict[str, Any]:
    ctx = InterpretContext.model_validate(context) if context else None
    return interpret(text, notation, ctx).model_dump()


def one(out: dict[str, Any]) -> dict[str, Any]:
    assert out["kind"] == "proposal" and len(out["proposals"]) == 1, out
    return out["proposals"][0]


@pytest.mark.parametrize(
    ("text", "command", "label"),
    [
        ("crown on 26", "plan.item.add", "crown"),
        ("implant on 36", "plan.item.add", "implant"),
        ("fissure sealant on 46", "plan.item.add", "sealant"),
        ("crown on 26 is planned", "plan.item.add", "crown"),
        ("26 has a crown", "chart.finding.add", "crown"),
        ("existing crown on 26", "chart.finding.add", "crown"),
        ("36 is an implant", "chart.finding.add", "implant"),
        ("there is an amalgam on 36", "chart.finding.add", "restoration"),
        ("26 is crowned", "chart.finding.add", "crown"),
        ("mark 17 as missing", "chart.finding.add", "missing"),
        ("18 is impacted", "chart.finding.add", "impacted"),
        ("recurrent caries under the crown on 26", "chart.finding.add", "caries"),
    ],
)
def test_planned_or_existing_follows_verbs_of_state(text: str, command: str, label: str) -> None:
    p = run(text)["proposals"][0]
    assert (p["command"], p["label"]) == (command, label)


def test_a_filling_to_do_leaves_the_material_to_the_reviewer() -> None:
    p = one(run("filling on 46"))
    assert p["command"] == "plan.item.add" and p["label"] is None and p["missing"] == ["label"] and p["code"] is None


def test_caries_under_a_crown_charts_the_crown_as_there() -> None:
    commands = [(p["command"], p["label"]) for p in run("recurrent caries under the crown on 26")["proposals"]]
    assert commands == [("chart.finding.add", "caries"), ("chart.finding.add", "crown")]


LAST = {"last_item": {"command": "plan.item.add", "label": "root_canal", "tooth": "36", "surfaces": []}}


@pytest.mark.parametrize(("text", "command"), [("complete it", "procedure.complete"), ("okay, start it", "procedure.start"),
                                               ("mark it as complete", "procedure.complete")])
def test_it_refers_to_the_last_item(text: str, command: str) -> None:
    p = one(run(text, context=LAST))
    assert (p["command"], p["label"], p["tooth"], p["code"]) == (command, "root_canal", "36", "D3330")
    assert sorted(p["from_context"]) == ["label", "tooth"] and p["missing"] == []


def test_without_context_a_reference_is_still_the_command_with_its_slots_missing() -> None:
    p = one(run("complete it"))
    assert p["command"] == "procedure.complete" and sorted(p["missing"]) == ["label", "tooth"]
    assert p["from_context"] == [] and p["tooth"] is None


def test_move_it_before_another_item_names_the_reference_point_not_a_second_command() -> None:
    p = one(run("move it before the filling", context=LAST))
    assert (p["command"], p["label"], p["tooth"]) == ("plan.item.move", "root_canal", "36")
    assert p["values"] == {"relative_to": "filling"} and "position" not in p["missing"]


def test_same_on_another_tooth_repeats_the_last_item() -> None:
    ctx = {"last_item": {"command": "chart.finding.add", "label": "caries", "tooth": "16", "surfaces": ["O"]}}
    p = one(run("same on 17", context=ctx))
    assert (p["command"], p["label"], p["tooth"], p["surfaces"]) == ("chart.finding.add", "caries", "17", ["O"])
    assert sorted(p["from_context"]) == ["label", "surfaces"]
    assert run("same on 17")["kind"] == "no_command"  # nothing to repeat: not guessed


def test_add_afterwards_takes_the_last_items_tooth() -> None:
    p = one(run("add a crown afterwards", context=LAST))
    assert (p["command"], p["label"], p["tooth"], p["from_context"]) == ("plan.item.add", "crown", "36", ["tooth"])


@pytest.mark.parametrize(
    ("text", "notation", "tooth", "depths"),
    [
        ("26 buccal 3 millimetres", "FDI", "26", {"B": 3}),
        ("distolingual 6 mm on 47", "FDI", "47", {"DL": 6}),
        ("twenty-four buccal, 4 millimetres", "FDI", "24", {"B": 4}),
        ("tooth 30 distolingual 5 millimeters", "UNIVERSAL", "46", {"DL": 5}),
        ("upper left first molar, mesiobuccal 5", "FDI", "26", {"MB": 5}),
    ],
)
def test_one_site_one_depth_is_a_perio_record(text: str, notation: str, tooth: str, depths: dict[str, int]) -> None:
    p = one(run(text, notation))
    assert (p["command"], p["tooth"], p["values"]) == ("perio.record", tooth, {"depths_mm": depths})


def test_a_recession_measurement_after_a_site_stays_recession() -> None:
    assert one(run("buccal recession 3 mm on 33"))["values"] == {"recession_mm": 3}


@pytest.mark.parametrize(
    "text",
    ["occlusal composite on 11", "incisal caries on 36", "symptomatic reversible pulpitis on 36", "MOD on 22"],
)
def test_impossible_or_contradictory_statements_are_asked_about(text: str) -> None:
    out = run(text)
    assert out["kind"] == "clarify" and out["proposals"] == [] and out["clarify"]["options"]


def test_uk_quadrant_and_number_is_one_tooth_but_a_measurement_is_not() -> None:
    assert one(run("implant on the upper left six"))["teeth"] == ["26"]
    assert one(run("extract the lower right eight"))["teeth"] == ["48"]
    assert len(one(run("SRP upper right quadrant"))["teeth"]) == 8


@pytest.mark.parametrize("text", ["show the last visit", "what did we do at the previous appointment"])
def test_history_asks_are_read_only_views(text: str) -> None:
    assert one(run(text))["command"] == "history.show"


def test_a_number_that_is_no_tooth_is_asked_about_even_without_a_command() -> None:
    out = run("MOD on tooth ten")
    assert out["kind"] == "clarify" and "11" in out["clarify"]["options"]


def test_a_depth_with_its_unit_then_more_depths_is_one_row() -> None:
    p = one(run("three millimetres, three, four", context={"tooth": "44", "perio_mode": True}))
    assert p["values"] == {"depths_mm": {"MB": 3, "B": 3, "DB": 4}} and p["from_context"] == ["tooth"]


def test_putting_a_planned_item_first_is_a_move() -> None:
    p = one(run("put the extraction of eighteen first"))
    assert (p["command"], p["label"], p["tooth"], p["values"]) == ("plan.item.move", "extraction", "18", {"position": 1})
    assert one(run("put a crown on 26"))["command"] == "plan.item.add"


def test_said_doubt_is_asked_about_with_every_tooth_said() -> None:
    out = run("root canal on thirty-six, no, forty-six, actually I'm not sure which")
    assert out["kind"] == "clarify" and {"36", "cancel"} <= set(out["clarify"]["options"])


def test_a_tooth_cannot_be_missing_and_carious_at_once() -> None:
    out = run("forty-six is missing and has distal caries")
    assert out["kind"] == "clarify" and out["clarify"]["options"][:2] == ["missing", "caries"]


def test_each_clause_of_a_fast_list_says_its_own_state() -> None:
    out = run("eighteen missing, seventeen has an MO amalgam, sixteen crown")
    assert [(p["command"], p["label"]) for p in out["proposals"]] == [
        ("chart.finding.add", "missing"), ("chart.finding.add", "restoration"), ("plan.item.add", "crown")]


@pytest.mark.parametrize(("text", "command", "label"), [
    ("RCT on thirty-six", "plan.item.add", "root_canal"),
    ("36 has an old RCT", "chart.finding.add", "root_canal_treated"),
    ("ext one eight", "plan.item.add", "extraction"),
    ("two six, existing PFM crown", "chart.finding.add", "crown"),
])
def test_shorthand(text: str, command: str, label: str) -> None:
    p = one(run(text))
    assert (p["command"], p["label"], p["surfaces"]) == (command, label, [])


def test_corrections_in_perio_and_after_number() -> None:
    perio = one(run("four, three, sorry, two, five", context={"tooth": "24", "perio_mode": True}))
    assert perio["values"] == {"depths_mm": {"MB": 4, "B": 2, "DB": 5}}
    tooth = one(run("caries on the mesial of number five, um, sorry, number four", "UNIVERSAL"))
    assert (tooth["tooth"], tooth["surfaces"]) == ("15", ["M"])


def test_a_pocket_at_a_named_site_with_bleeding() -> None:
    p = one(run("forty-seven, six millimetre pocket distobuccal with bleeding"))
    assert p["values"] == {"depths_mm": {"DB": 6}, "bleeding_sites": ["DB"]}


def test_do_the_same_and_let_me_see_the_history() -> None:
    ctx = {"last_item": {"command": "plan.item.add", "label": "crown", "tooth": "26"}}
    assert one(run("do the same on twenty-seven", context=ctx))["tooth"] == "27"
    view = one(run("let me see the history of the upper left six"))
    assert (view["command"], view["tooth"]) == ("history.show", "26")


@pytest.mark.parametrize("text", [
    "if 46 gets worse we might need a root canal down the line",
    "last year we did a root canal on 36 and she was fine afterwards",
    "your crown will be ready next week, we'll fit it then",
    "bill the insurance for the crown",
    "number 3 looked fine on the x-ray last time, nothing to do there",
])
def test_dental_words_said_about_another_time_or_to_someone_else_are_not_dictation(text: str) -> None:
    assert run(text, "UNIVERSAL" if "number 3" in text else "FDI")["kind"] == "no_command"


def test_history_asks_about_the_past_stay_views() -> None:
    assert one(run("what did we do last visit on 36"))["command"] == "history.show"


def test_a_corrected_label_replaces_the_first() -> None:
    p = one(run("irreversible pulpitis, sorry, reversible pulpitis on 24"))
    assert (p["label"], p["tooth"]) == ("reversible_pulpitis", "24")
    assert one(run("irreversible pulpitis on 16, no wait, on 17"))["tooth"] == "17"


def test_it_refers_to_what_the_sentence_just_named() -> None:
    assert one(run("done with the crown on 26, complete it"))["label"] == "crown"
    start = run("plan a crown on 26 and start it")["proposals"]
    assert [(p["command"], p["label"], p["tooth"], p["from_context"]) for p in start] == [
        ("plan.item.add", "crown", "26", []), ("procedure.start", "crown", "26", [])]


def test_the_item_after_before_or_after_is_where_a_move_goes() -> None:
    p = one(run("move the root canal on 46 before the crown"))
    assert (p["command"], p["label"], p["values"]) == ("plan.item.move", "root_canal", {"relative_to": "crown"})


def test_a_named_group_is_one_proposal_and_listed_teeth_are_one_each() -> None:
    assert one(run("veneers on the upper incisors"))["teeth"] == ["11", "12", "21", "22"]
    assert [p["tooth"] for p in run("extract 18 and 28")["proposals"]] == ["18", "28"]


def test_trailing_off_is_a_pause_and_a_note_put_in() -> None:
    p = one(run("uh, five... four... six", context={"tooth": "26", "perio_mode": True}))
    assert p["values"] == {"depths_mm": {"MB": 5, "B": 4, "DB": 6}}
    assert one(run("put a note in: parent present"))["values"] == {"text": "parent present"}


@pytest.mark.parametrize(("text", "notation", "tooth"), [
    ("okay so, occlusal and buccal decay on tooth L", "UNIVERSAL", "74"),
    ("letter T, distal caries", "UNIVERSAL", "85"),
    ("occlusal decay on the lower left E", "FDI", "75"),
])
def test_primary_teeth_by_letter(text: str, notation: str, tooth: str) -> None:
    p = one(run(text, notation))
    assert p["tooth"] == tooth and "L" not in p["surfaces"]


def test_a_letter_past_t_is_no_tooth() -> None:
    assert run("tooth V has distal decay", "UNIVERSAL")["kind"] == "clarify"


@pytest.mark.parametrize(("text", "depths"), [
    ("lingual, ML four, L three, DL four", {"ML": 4, "L": 3, "DL": 4}),
    ("ML three L two DL three", {"ML": 3, "L": 2, "DL": 3}),
    ("four millimeters mesiobuccal", {"MB": 4}),
    ("um, three two, no, three three four", {"MB": 3, "B": 3, "DB": 4}),
    ("three two five, sorry, three two four", {"MB": 3, "B": 2, "DB": 4}),
])
def test_perio_sites_said_with_their_depths(text: str, depths: dict[str, int]) -> None:
    p = one(run(text, context={"tooth": "46", "perio_mode": True}))
    assert p["values"] == {"depths_mm": depths}


def test_bleeding_at_several_named_sites() -> None:
    p = one(run("bleeding on probing at the DB and the MB", context={"tooth": "46", "perio_mode": True}))
    assert p["values"] == {"bleeding_sites": ["DB", "MB"]}


def test_small_differences_of_wording() -> None:
    assert one(run("Eleven's got a crown"))["command"] == "chart.finding.add"
    assert one(run("Pulpitis on sixteen, irreversible"))["label"] == "irreversible_pulpitis"
    assert one(run("surgical ext #17", "UNIVERSAL"))["label"] == "surgical_extraction"
    assert len(run("Eighteen is missing, previously extracted")["proposals"]) == 1
    done = one(run("Bitewings taken, mark them complete"))
    assert (done["command"], done["label"]) == ("procedure.complete", "bitewings")


def test_a_notes_text_is_not_judged_as_talk() -> None:
    p = one(run("um, note: patient wants to discuss cost with her husband"))
    assert p["values"] == {"text": "patient wants to discuss cost with her husband"}


def test_colloquial_and_staging_words() -> None:
    assert one(run("the nerve's dead in twenty-two"))["label"] == "pulp_necrosis"
    assert one(run("um, deep clean on the lower left quadrant"))["label"] == "scaling_root_planing"
    assert one(run("BWX today"))["label"] == "bitewings"
    assert one(run("generalized periodontitis, stage three, grade B"))["label"] == "periodontitis"
    assert run("Jenny, can you set up for the number nineteen crown prep?", "UNIVERSAL")["kind"] == "no_command"


def test_a_second_saying_completes_the_first() -> None:
    p = one(run("thirty-one is loose, grade two mobility"))
    assert (p["label"], p["values"], p["missing"]) == ("mobility", {"grade": 2}, [])
    assert one(run("distal caries, sorry, mesial caries on 15"))["surfaces"] == ["M"]


def test_put_that_one_first_moves_the_last_item() -> None:
    p = one(run("put that one first", context={"last_item": {"command": "plan.item.add", "label": "crown", "tooth": "26"}}))
    assert (p["command"], p["label"], p["values"]) == ("plan.item.move", "crown", {"position": 1})


def test_a_clause_said_to_be_fine_charts_nothing() -> None:
    out = run("thirty-five has a crown, thirty-four has an MO composite and thirty-three is fine")
    assert [(p["label"], p["teeth"]) for p in out["proposals"]] == [("crown", ["35"]), ("restoration", ["34"])]
    assert run("number 3 looked fine on the x-ray last time, nothing to do there", "UNIVERSAL")["kind"] == "no_command"


def test_afterthoughts_and_corrected_surfaces_stay_with_their_finding() -> None:
    out = run("number 30 has a fracture, mesial, um, and number 30 needs a crown", "UNIVERSAL")["proposals"]
    assert [(p["label"], p["surfaces"]) for p in out] == [("fracture", ["M"]), ("crown", [])]
    out = run("number 3 has a fracture on the buccal, sorry, the palatal, and a crown on number 3", "UNIVERSAL")["proposals"]
    assert [(p["label"], p["surfaces"]) for p in out] == [("fracture", ["P"]), ("crown", [])]


def test_the_tooth_said_after_next_is_the_next_records() -> None:
    out = run("four three three, next, twelve, three two three", context={"tooth": "13", "perio_mode": True})
    assert [(p["command"], p["tooth"]) for p in out["proposals"]] == [
        ("perio.record", "13"), ("perio.next_tooth", None), ("perio.record", "12")]


def test_mobility_is_a_finding_unless_perio_charting() -> None:
    out = run("pockets on thirty six five four six, and thirty-six is mobile")["proposals"]
    assert [p["command"] for p in out] == ["perio.record", "chart.finding.add"]
    assert one(run("mobility one", context={"tooth": "41", "perio_mode": True}))["values"] == {"mobility_grade": 1}


def test_periodontitis_is_no_perio_charting_and_bleeding_on_all_three() -> None:
    out = run("tooth 8 apical periodontitis, root canal on 8", "UNIVERSAL")["proposals"]
    assert [p["command"] for p in out] == ["diagnosis.add", "plan.item.add"]
    p = one(run("forty-six buccal, six five seven, bleeding on all three"))
    assert p["values"]["bleeding_sites"] == ["MB", "B", "DB"]
    p = one(run("two three two, no sorry, two three three", context={"tooth": "44", "perio_mode": True}))
    assert p["values"] == {"depths_mm": {"MB": 2, "B": 3, "DB": 3}}


def test_a_state_cue_split_from_its_label_by_a_comma_still_counts() -> None:
    assert one(run("Existing MOD, amalgam on 46."))["command"] == "chart.finding.add"
    assert one(run("Bitewings x-rays"))["label"] == "bitewings"
