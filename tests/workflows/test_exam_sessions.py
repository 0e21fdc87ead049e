"""Exam sessions (voice contract, "Exam sessions and voice control"): a perio pass is one grid and
one approval; spoken controls act with the speaker's rights; a paused exam ignores what it hears."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import select

from approvals.decisions import decide
from core_schema.models import AgentApprovalRequest, PerioMeasurement
from core_schema.seed.demo import DEMO_TENANT_ID
from tools.clinical.chart import current_chart, write_snapshot
from voice.exam import service as exams
from voice.service import run_dictation


def _say(engine, who, patient, session, text):
    return run_dictation(engine, who, patient, text=text, session_id=uuid.UUID(session))


def _request(engine, approval_id: str) -> AgentApprovalRequest:
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        row = s.get(AgentApprovalRequest, uuid.UUID(approval_id))
        s.expunge(row)
        return row


def _chart_tooth(engine, patient, tooth):
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        return current_chart(s, DEMO_TENANT_ID, patient)[1]["teeth"].get(tooth) or {}


def test_a_perio_pass_fills_one_grid_and_becomes_one_approval(engine, actor, new_patient) -> None:
    patient = new_patient("Perio", "Pass")
    dentist = actor()
    started = exams.start(engine, dentist, patient, "perio")
    session = started["session_id"]
    assert started["mode"] == "perio" and started["cursor"]["tooth"] == "18" and started["cursor"]["row"] == "buccal"

    first = _say(engine, dentist, patient, session, "three two four")
    assert first["approval_ids"] == [] and first["exam"]["grid"]["18"]["depths_mm"] == {"MB": 3, "B": 2, "DB": 4}
    assert first["exam"]["cursor"]["tooth"] == "17"  # a full row moves the cursor on by itself
    bleeding = _say(engine, dentist, patient, session, "bleeding on the distal")  # right after 18's depths: 18's
    assert bleeding["exam"]["grid"]["18"]["bleeding_sites"] == ["DB"] and "17" not in bleeding["exam"]["grid"]

    _say(engine, dentist, patient, session, "two two three")
    scratched = _say(engine, dentist, patient, session, "scratch that")
    assert scratched["control"]["done"] and "17" not in scratched["exam"]["grid"]
    assert scratched["exam"]["cursor"]["tooth"] == "17"
    corrected = _say(engine, dentist, patient, session, "three three three, sorry, three three four")
    assert corrected["exam"]["grid"]["17"]["depths_mm"] == {"MB": 3, "B": 3, "DB": 4}

    moved = _say(engine, dentist, patient, session, "go to 46")
    assert moved["kind"] == "control" and moved["exam"]["cursor"]["tooth"] == "46"
    _say(engine, dentist, patient, session, "four four five")
    _say(engine, dentist, patient, session, "go to 46 lingual")
    lingual = _say(engine, dentist, patient, session, "three two three")  # the cursor's row: ML, L, DL
    assert lingual["exam"]["grid"]["46"]["depths_mm"] == {"MB": 4, "B": 4, "DB": 5, "ML": 3, "L": 2, "DL": 3}
    marks = _say(engine, dentist, patient, session, "suppuration")
    assert marks["exam"]["grid"]["46"]["suppuration_sites"] == ["ML", "L", "DL"]
    _say(engine, dentist, patient, session, "furcation grade 2")
    read = _say(engine, dentist, patient, session, "read back")
    assert read["control"]["read_back"].startswith("Tooth 46: buccal 4 4 5, lingual 3 2 3")

    finished = exams.finish(engine, dentist, uuid.UUID(session))
    (approval_id,) = finished["approval_ids"]
    assert finished["sites"] == 12 and finished["proposals"][0]["teeth"] == ["18", "17", "46"]
    request = _request(engine, approval_id)
    assert request.action_details["tool"] == "record_perio_measurements" and len(request.action_details["arguments"]["teeth"]) == 3

    decide(engine, uuid.UUID(approval_id), dentist, "approve")
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        rows = {(r.tooth_number, r.site): r for r in s.scalars(select(PerioMeasurement).where(PerioMeasurement.patient_id == patient))}
    assert {k: r.pocket_depth_mm for k, r in rows.items()} == {
        ("18", "MB"): 3, ("18", "B"): 2, ("18", "DB"): 4, ("17", "MB"): 3, ("17", "B"): 3, ("17", "DB"): 4,
        ("46", "MB"): 4, ("46", "B"): 4, ("46", "DB"): 5, ("46", "ML"): 3, ("46", "L"): 2, ("46", "DL"): 3}
    assert rows[("18", "DB")].bleeding_on_probing is True and rows[("18", "MB")].bleeding_on_probing is False
    assert rows[("46", "L")].notes == "suppuration" and rows[("46", "L")].furcation_involvement == "II"


def test_the_exam_order_skips_teeth_charted_missing(engine, actor, new_patient) -> None:
    patient = new_patient("Missing", "Molar")
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        write_snapshot(s, tenant_id=DEMO_TENANT_ID, patient_id=patient, source="test", user_id=None,
                       chart={"teeth": {"18": {"status": "missing"}, "16": {"status": "extracted"}}})
    started = exams.start(engine, actor(), patient, "perio")
    assert started["cursor"]["tooth"] == "17"
    after = _say(engine, actor(), patient, started["session_id"], "three two three")
    assert after["exam"]["cursor"]["tooth"] == "15"
    refused = _say(engine, actor(), patient, started["session_id"], "go to 16")
    assert refused["control"]["done"] is False and "not part of this exam" in refused["control"]["message"]


def test_accept_then_undo_that_charts_and_reverts_with_the_speakers_rights(engine, actor, new_patient) -> None:
    patient = new_patient("Chair", "Side")
    dentist = actor()
    session = exams.start(engine, dentist, patient, "charting")["session_id"]
    said = _say(engine, dentist, patient, session, "thirty seven distal caries")
    assert len(said["approval_ids"]) == 1 and not _chart_tooth(engine, patient, "37").get("conditions")

    accepted = _say(engine, dentist, patient, session, "accept")
    assert accepted["control"]["done"] and accepted["control"]["approved"] == said["approval_ids"]
    assert _chart_tooth(engine, patient, "37")["conditions"][0]["label"] == "caries"
    undone = _say(engine, dentist, patient, session, "undo that")
    assert undone["control"]["done"], undone["control"]
    assert not _chart_tooth(engine, patient, "37").get("conditions")
    assert exams.view(engine, dentist, uuid.UUID(session))["cursor"]["tooth"] == "37"  # the cursor followed the tooth named


def test_an_assistants_accept_decides_nothing_tier_3_and_scratch_that_withdraws_their_own(engine, actor, new_patient) -> None:
    patient = new_patient("Assisted", "Exam")
    assistant = actor("assistant@demo.clinic")
    session = exams.start(engine, assistant, patient, "charting")["session_id"]
    said = _say(engine, assistant, patient, session, "plan a crown on 36")
    (approval_id,) = said["approval_ids"]
    accepted = _say(engine, assistant, patient, session, "accept")
    assert accepted["control"]["done"] is False and accepted["control"]["pending"] == [approval_id]
    assert "needs a dentist" in accepted["control"]["message"]
    assert _request(engine, approval_id).status == "PENDING"

    scratched = _say(engine, assistant, patient, session, "scratch that")
    assert scratched["control"]["withdrawn"] == [approval_id]
    assert _request(engine, approval_id).status == "REJECTED"


def test_a_paused_exam_ignores_speech_until_resume(engine, actor, new_patient) -> None:
    patient = new_patient("Paused", "Exam")
    dentist = actor()
    session = exams.start(engine, dentist, patient, "charting")["session_id"]
    assert exams.control(engine, dentist, uuid.UUID(session), {"action": "pause"})["exam"]["paused"] is True  # the pedal
    ignored = _say(engine, dentist, patient, session, "caries on 36 occlusal")
    assert ignored["approval_ids"] == [] and ignored["exam"]["heard"]["ignored"].startswith("the exam is paused")
    assert _say(engine, dentist, patient, session, "accept")["control"]["done"] is False
    assert _say(engine, dentist, patient, session, "resume")["exam"]["paused"] is False
    heard = _say(engine, dentist, patient, session, "caries on 36 occlusal")
    assert len(heard["approval_ids"]) == 1
    decide(engine, uuid.UUID(heard["approval_ids"][0]), dentist, "reject")


def test_exam_cli_start_dictate_finish(platform, new_patient) -> None:
    patient = str(new_patient("Cli", "Exam"))
    started = json.loads(platform.cli("exam", "start", "--patient", patient, "--mode", "perio", "--json").stdout)
    assert set(started) == {"session_id", "mode", "cursor"} and started["cursor"]["tooth"] == "18"
    for text in ("three two four", "two two two"):
        out = platform.cli("dictate", "--text", text, "--patient", patient, "--session", started["session_id"], "--json")
        assert out.returncode == 0 and json.loads(out.stdout)["approval_ids"] == [], out.stderr
    finished = json.loads(platform.cli("exam", "finish", started["session_id"], "--json").stdout)
    assert {"session_id", "approval_ids", "proposals"} <= set(finished) and len(finished["approval_ids"]) == 1
    again = platform.cli("exam", "finish", started["session_id"], "--json")
    assert again.returncode != 0 and "finished" in json.loads(again.stdout)["error"]
