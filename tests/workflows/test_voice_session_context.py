"""A voice session remembers the item last worked on, so "complete it" in the next dictation
of the same session resolves to it (voice contract, "Context references")."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from approvals.decisions import decide
from core_schema.identities import sid
from core_schema.models import AgentApprovalRequest, Encounter
from core_schema.seed.demo import DEMO_TENANT_ID
from voice.service import run_dictation as dictate


def _changes(engine, approval_id: str) -> dict:
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        return s.get(AgentApprovalRequest, uuid.UUID(approval_id)).action_details["arguments"]


def test_complete_it_in_the_same_session_completes_the_planned_root_canal(engine, actor, new_patient) -> None:
    patient = new_patient()
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:  # a visit in progress, where procedures are recorded
        s.add(Encounter(tenant_id=DEMO_TENANT_ID, patient_id=patient, location_id=sid("location", "demo"),
                        encounter_type="TREATMENT", status="IN_PROGRESS", check_in_at=datetime.now(timezone.utc)))
    first = dictate(engine, actor(), patient, text="plan a root canal on 36")
    assert first["proposals"][0]["label"] == "root_canal" and len(first["approval_ids"]) == 1
    session = uuid.UUID(first["session_id"])

    second = dictate(engine, actor(), patient, text="okay, complete it", session_id=session)
    (p,) = second["proposals"]
    assert (p["command"], p["label"], p["tooth"], p["code"]) == ("procedure.complete", "root_canal", "36", "D3330")
    assert sorted(p["from_context"]) == ["label", "tooth"]
    assert second["approval_ids"], (second["problems"], second["status"])
    assert _changes(engine, second["approval_ids"][0])["tooth"] == "36"
    for approval in first["approval_ids"] + second["approval_ids"]:
        decide(engine, uuid.UUID(approval), actor(), "reject")


def test_complete_it_in_a_new_session_is_not_guessed(engine, actor, new_patient) -> None:
    out = dictate(engine, actor(), new_patient(), text="complete it")
    (p,) = out["proposals"]
    assert p["command"] == "procedure.complete" and sorted(p["missing"]) == ["label", "tooth"]
    assert out["approval_ids"] == [] and any("not said" in problem for problem in out["problems"])
