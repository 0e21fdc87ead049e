"""A question asked back is answered by the next utterance (or a click sending the option), and its
options fit the patient's age: no primary teeth for an adult, no permanent ones for a toddler."""

from __future__ import annotations

import uuid
from datetime import date

from approvals.decisions import decide
from core_schema.models import AgentApprovalRequest, Patient
from core_schema.seed.demo import DEMO_TENANT_ID
from voice.clarify import answered, fits_age
from voice.service import run_dictation


def _patient(engine, born: date) -> uuid.UUID:
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        row = Patient(tenant_id=DEMO_TENANT_ID, first_name="Aged", last_name="Patient", dob=born)
        s.add(row)
        s.flush()
        return row.id


def _years_ago(years: int) -> date:
    today = date.today()
    return today.replace(year=today.year - years, day=min(today.day, 28))


def test_options_fit_the_age() -> None:
    assert fits_age("11", 42) and not fits_age("51", 42) and not fits_age("16", 4) and fits_age("55", 4)
    assert fits_age("51", 8) and fits_age("16", 8) and fits_age("cancel", 42) and fits_age("51", None)


def test_an_answer_completes_the_question_and_anything_else_is_read_as_said() -> None:
    question = {"transcript": "caries on tooth ten", "options": ["11", "21", "cancel"]}
    assert answered(question, "eleven") == "caries on tooth ten, sorry, 11"
    assert answered(question, "Tooth 21.") == "caries on tooth ten, sorry, 21"
    assert answered(question, "cancel") == ""
    assert answered(question, "plan a crown on 36") is None and answered(None, "eleven") is None
    labels = {"transcript": "MOD on tooth 36", "options": ["caries", "restoration", "cancel"]}
    assert answered(labels, "caries") == "caries MOD on tooth 36"


def test_a_42_year_old_is_offered_no_primary_tooth_and_the_answer_charts(engine, actor) -> None:
    patient = _patient(engine, _years_ago(42))
    asked = run_dictation(engine, actor(), patient, text="caries on tooth ten")
    assert asked["kind"] == "clarify" and asked["approval_ids"] == []
    options = asked["clarify"]["options"]
    assert options and all(not (o.isdigit() and o[0] in "5678") for o in options), options
    tooth = next(o for o in options if o.isdigit())
    answer = run_dictation(engine, actor(), patient, text=tooth, session_id=uuid.UUID(asked["session_id"]))
    (p,) = answer["proposals"]
    assert (p["command"], p["tooth"], p["label"]) == ("chart.finding.add", tooth, "caries") and len(answer["approval_ids"]) == 1
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        assert s.get(AgentApprovalRequest, uuid.UUID(answer["approval_ids"][0])).action_details["arguments"]["changes"][0]["tooth"] == tooth
    decide(engine, uuid.UUID(answer["approval_ids"][0]), actor(), "reject")
    again = run_dictation(engine, actor(), patient, text=tooth, session_id=uuid.UUID(asked["session_id"]))
    assert again["proposals"] == [] or again["proposals"][0]["label"] != "caries"  # answered once: no question waits now


def test_options_the_age_rules_out_are_not_offered(engine, actor) -> None:
    def teeth(years: int, text: str) -> list[str]:
        asked = run_dictation(engine, actor(), _patient(engine, _years_ago(years)), text=text)
        return [o for o in asked["clarify"]["options"] if o.isdigit()]

    assert teeth(4, "caries on tooth 59") == ["55", "61"] and teeth(42, "caries on tooth 59") == []
    assert teeth(42, "caries on tooth ten") == ["11"] and teeth(4, "caries on tooth ten") == []


def test_the_chart_hint_example_works_as_printed(engine, actor, new_patient) -> None:
    out = run_dictation(engine, actor(), new_patient(), text="pocket depths 16 buccal 3 4 5, bleeding on 16 buccal")
    assert out["problems"] == [] and out["approval_ids"], out
    values = [p["values"] for p in out["proposals"]]
    assert {"MB": 3, "B": 4, "DB": 5} in [v.get("depths_mm") for v in values] and ["B"] in [v.get("bleeding_sites") for v in values]
    for approval in out["approval_ids"]:
        decide(engine, uuid.UUID(approval), actor(), "reject")
