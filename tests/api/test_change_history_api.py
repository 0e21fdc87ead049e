"""The changes applied to a patient and by a run, and undoing a run's changes from its trace
(issue 20, items 4-5): who asked, who approved, when, undone by whom; the undo service's rights,
another clinic's ids, a closed window; the trace's transcript and a reviewer's edit field by field."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from core_schema.db import get_database
from tests.api.test_http_api import dictate, login
from undo.actions import cleanup_expired
from voice.exam import service as exams
from voice.service import run_dictation


def _approved(http: TestClient, dentist: dict[str, str], patient: uuid.UUID, said: str) -> dict[str, Any]:
    result = dictate(http, dentist, patient, said)
    decided = http.post("/api/v1/approvals/decide", headers=dentist, json={"ids": result["approval_ids"], "verdict": "approve"})
    assert decided.status_code == 200, decided.text
    return result


def _close_window(run_id: str) -> None:
    """The run's undo windows closed (as five minutes later): the rows' expiry moved into the past."""
    with get_database().system_session() as s:
        s.execute(text("UPDATE action_history SET undo_expires_at = now() - interval '1 second' WHERE agent_execution_id = :r"),
                  {"r": run_id})


def test_the_patients_history_names_who_asked_and_approved_and_offers_undo(http, new_patient) -> None:
    dentist, patient = login(http), new_patient("History", "Listed")
    first = _approved(http, dentist, patient, "thirty six occlusal caries")
    second = _approved(http, dentist, patient, "fourteen distal caries")
    history = http.get(f"/api/v1/patients/{patient}/history", headers=dentist)
    assert history.status_code == 200, history.text
    rows = history.json()
    assert [r["run_id"] for r in rows] == [second["run_id"], first["run_id"]]  # newest first
    newest = rows[0]
    assert newest["requested_by"] and newest["approved_by"] and newest["approved_at"] and newest["applied_at"]
    assert "14" in newest["summary"] and newest["undo_state"] == "open" and newest["can_undo"] is True
    assert newest["why_not"] is None and newest["undone"] is False
    # the run's own list: only its change
    changes = http.get(f"/api/v1/runs/{first['run_id']}/changes", headers=dentist).json()
    assert [c["run_id"] for c in changes] == [first["run_id"]] and "36" in changes[0]["summary"]


def test_undoing_a_run_reverts_the_chart_and_the_history_says_who_undid_it(http, new_patient) -> None:
    dentist, patient = login(http), new_patient("Run", "Undone")
    chart_url = f"/api/v1/patients/{patient}/chart"
    before = http.get(chart_url, headers=dentist).json()["teeth"]
    run = _approved(http, dentist, patient, "thirty six occlusal caries, forty six mesial caries")
    assert http.get(chart_url, headers=dentist).json()["teeth"] != before
    undone = http.post(f"/api/v1/runs/{run['run_id']}/undo", headers=dentist, json={"reason": "wrong patient"})
    assert undone.status_code == 200, undone.text
    assert len(undone.json()["undone"]) == len(run["approval_ids"]) and undone.json()["refused"] == []
    assert http.get(chart_url, headers=dentist).json()["teeth"] == before
    rows = http.get(f"/api/v1/patients/{patient}/history", headers=dentist).json()
    assert rows and all(r["undone"] and r["undone_by"] and r["undone_at"] and r["undo_state"] == "undone" for r in rows)
    assert rows[0]["undo_reason"] == "wrong patient" and rows[0]["can_undo"] is False
    assert http.get(f"/api/v1/runs/{run['run_id']}", headers=dentist).json()["undone"] is True
    again = http.post(f"/api/v1/runs/{run['run_id']}/undo", headers=dentist)
    assert again.status_code == 409 and again.json()["code"] == "already_undone"


def test_undo_from_the_run_keeps_the_undo_services_rights(http, new_patient) -> None:
    dentist, patient = login(http), new_patient("Rights", "Kept")
    run = _approved(http, dentist, patient, "thirty six occlusal caries")
    chart = http.get(f"/api/v1/patients/{patient}/chart", headers=dentist).json()["teeth"]
    assistant = login(http, "assistant@demo.clinic")  # neither dictated nor approved it, and may not decide tier 3
    seen = http.get(f"/api/v1/runs/{run['run_id']}/changes", headers=assistant).json()
    assert seen[0]["undo_state"] == "forbidden" and seen[0]["can_undo"] is False and "supervisor" in seen[0]["why_not"]
    refused = http.post(f"/api/v1/runs/{run['run_id']}/undo", headers=assistant)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden", refused.text
    assert http.get(f"/api/v1/patients/{patient}/chart", headers=dentist).json()["teeth"] == chart  # nothing undone
    assert http.get(f"/api/v1/runs/{run['run_id']}/changes", headers=dentist).json()[0]["undo_state"] == "open"


def test_another_clinics_patient_and_run_are_not_found(http, new_patient) -> None:
    dentist, patient = login(http), new_patient("Other", "Clinic")
    run = _approved(http, dentist, patient, "thirty six occlusal caries")
    other = login(http, "dentist@universal.clinic")
    checks = [http.get(f"/api/v1/patients/{patient}/history", headers=other),
              http.get(f"/api/v1/runs/{run['run_id']}/changes", headers=other),
              http.post(f"/api/v1/runs/{run['run_id']}/undo", headers=other),
              http.get(f"/api/v1/patients/{uuid.uuid4()}/history", headers=dentist),
              http.post(f"/api/v1/runs/{uuid.uuid4()}/undo", headers=dentist)]
    assert [r.status_code for r in checks] == [404] * len(checks)
    assert {r.json()["code"] for r in checks} == {"not_found"}
    assert http.get(f"/api/v1/runs/{run['run_id']}/changes", headers=dentist).json()[0]["undo_state"] == "open"


def test_after_the_window_the_undo_is_refused_and_the_history_says_why(http, engine, new_patient) -> None:
    dentist, patient = login(http), new_patient("Window", "Closed")
    run = _approved(http, dentist, patient, "thirty six occlusal caries")
    chart = http.get(f"/api/v1/patients/{patient}/chart", headers=dentist).json()["teeth"]
    _close_window(run["run_id"])
    refused = http.post(f"/api/v1/runs/{run['run_id']}/undo", headers=dentist)
    assert refused.status_code == 409 and refused.json()["code"] == "expired"
    assert "5-minute undo window" in refused.json()["error"] and "closed" in refused.json()["error"]
    assert http.get(f"/api/v1/patients/{patient}/chart", headers=dentist).json()["teeth"] == chart
    row = http.get(f"/api/v1/patients/{patient}/history", headers=dentist).json()[0]
    assert row["undo_state"] == "expired" and row["can_undo"] is False and "window" in row["why_not"]
    # once the worker's sweep deletes the undo rows, the change is still in the history (from the audit log)
    cleanup_expired(engine)
    kept = http.get(f"/api/v1/patients/{patient}/history", headers=dentist).json()
    assert [r["run_id"] for r in kept] == [run["run_id"]] and kept[0]["undo_state"] == "expired"
    assert "36" in kept[0]["summary"] and kept[0]["approved_by"]


def test_the_trace_shows_what_was_said_and_a_reviewers_edit_field_by_field(http, new_patient) -> None:
    dentist, patient = login(http), new_patient("Trace", "Edited")
    result = dictate(http, dentist, patient, "thirty six occlusal caries")
    approval = result["approval_ids"][0]
    proposed = next(a for a in http.get("/api/v1/approvals", headers=dentist).json() if a["id"] == approval)
    change = proposed["arguments"]["changes"][0]
    assert change["tooth"] == "36" and change["surfaces"] == ["O"]
    edited = http.post(f"/api/v1/approvals/{approval}/edit", headers=dentist, json={
        "set": {"changes": [{**change, "surfaces": ["M", "O"]}]}, "comment": "mesial too"})
    assert edited.status_code == 200, edited.text
    trace = http.get(f"/api/v1/runs/{result['run_id']}", headers=dentist).json()
    assert [u["text"] for u in trace["transcript"]] == ["thirty six occlusal caries"]
    assert trace["requested_by"] and trace["patient_id"] == str(patient) and trace["patient_name"] == "Trace Edited"
    [edit] = trace["approvals"][0]["edits"]
    assert edit["by"] and edit["at"] and edit["reason"] == "mesial too"
    assert edit["fields"] == [{"field": ["tooth 36", "surfaces"], "before": ["O"], "after": ["M", "O"]}]
    assert trace["approvals"][0]["decided_by"] and trace["approvals"][0]["requested_at"]


def test_an_exam_runs_trace_shows_every_utterance_of_the_exam_in_order(http, engine, actor, new_patient) -> None:
    dentist, patient = actor(), new_patient("Exam", "Said")
    session = uuid.UUID(exams.start(engine, dentist, patient, "perio")["session_id"])
    said = ["three two four", "two three three", "bleeding on the distal"]
    for words in said:
        run_dictation(engine, dentist, patient, text=words, session_id=session)
    finished = exams.finish(engine, dentist, session)
    trace = http.get(f"/api/v1/runs/{finished['proposals'][0]['run_id']}", headers=login(http)).json()
    assert [u["text"] for u in trace["transcript"]] == said
    assert [u["seq"] for u in trace["transcript"]] == sorted(u["seq"] for u in trace["transcript"])


def test_undoing_a_run_whose_changes_touch_one_tooth_undoes_them_all(http, new_patient) -> None:
    dentist, patient = login(http), new_patient("Same", "Tooth")
    chart_url = f"/api/v1/patients/{patient}/chart"
    before = http.get(chart_url, headers=dentist).json()["teeth"]
    run = _approved(http, dentist, patient, "thirty six occlusal caries, thirty six distal fracture")
    assert len(http.get(f"/api/v1/runs/{run['run_id']}/changes", headers=dentist).json()) == 2
    undone = http.post(f"/api/v1/runs/{run['run_id']}/undo", headers=dentist)
    assert undone.status_code == 200, undone.text
    assert len(undone.json()["undone"]) == 2 and undone.json()["refused"] == []
    assert http.get(chart_url, headers=dentist).json()["teeth"] == before
