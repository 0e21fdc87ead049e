"""Respond and snooze (issue 20 item 2): a reviewer's question reaches the dictating clinician and
their answer the reviewer, with the request still pending; a snooze hides a request from one
reviewer's inbox only, until its time, and never loses it."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from approvals import queue as approval_queue
from approvals import service
from approvals import snooze as snoozing
from approvals.chart_change import propose
from approvals.decisions import ApprovalError
from approvals.snooze import ring_due
from core_schema.models import AgentApprovalRequest, AuditEvent, Message
from core_schema.seed.demo import DEMO_TENANT_ID, sid
from core_schema.statuses import ApprovalStatus
from tests.workflows.conftest import chart_call

ASSISTANT = "assistant@demo.clinic"


@pytest.fixture
def patient(new_patient) -> uuid.UUID:
    return new_patient("Respond", "Snooze")


def _proposed_by(engine, user_email: str, patient: uuid.UUID, tooth: str = "36") -> uuid.UUID:
    run = propose(engine, tenant_id=DEMO_TENANT_ID, user_id=sid("user", user_email), patient_id=patient,
                  calls=[chart_call(tooth, surfaces=["O"], patient=patient)])
    [approval_id] = run.state["approval_ids"]
    return uuid.UUID(approval_id)


class Listener:
    """The messages published on one user's notification channel (what their pages hear)."""

    def __init__(self, engine, user_id: uuid.UUID) -> None:
        self.pubsub = engine.redis.pubsub(ignore_subscribe_messages=True)
        self.pubsub.subscribe(approval_queue.channel(DEMO_TENANT_ID, user_id))

    def events(self) -> list[dict]:
        out, quiet = [], 0
        while quiet < 3:  # the subscription's own confirmation reads as None too: stop after a few quiet reads
            m = self.pubsub.get_message(timeout=0.3)
            if m is None:
                quiet += 1
            elif m.get("type") == "message":
                out.append(json.loads(m["data"]))
        return out


def test_a_question_reaches_the_clinician_and_the_answer_the_reviewer(engine, actor, patient) -> None:
    dentist, assistant = actor("dentist@demo.clinic"), actor(ASSISTANT)
    approval_id = _proposed_by(engine, ASSISTANT, patient)
    clinician_hears = Listener(engine, assistant.user_id)
    reviewer_hears = Listener(engine, dentist.user_id)

    asked = service.respond(engine, approval_id, dentist, "  Which surface exactly? Occlusal or distal?  ")
    assert asked.kind == "QUESTION" and asked.text == "Which surface exactly? Occlusal or distal?"
    heard = [e for e in clinician_hears.events() if e["type"] == "APPROVAL_QUESTION"]
    assert heard and heard[0]["approval_id"] == str(approval_id) and heard[0]["patient_id"] == str(patient)
    assert "Occlusal" not in json.dumps(heard)  # ids only on the channel, never the text

    # The request stays pending and decidable, listed with its question, awaiting the answer.
    [listed] = [a for a in service.pending(engine, dentist) if a.id == str(approval_id)]
    assert listed.status == ApprovalStatus.PENDING and listed.awaiting_answer
    assert [(m.kind, m.author_id) for m in listed.messages] == [("QUESTION", str(dentist.user_id))]
    [question] = service.questions(engine, assistant, patient)
    assert question.approval_id == str(approval_id) and question.awaiting_answer
    assert question.messages[0].text == "Which surface exactly? Occlusal or distal?"
    assert service.questions(engine, dentist, patient) == []  # asked of whoever dictated, not the asker

    answered = service.answer(engine, approval_id, assistant, "Distal, sorry.")
    assert answered.kind == "ANSWER"
    assert any(e["type"] == "APPROVAL_ANSWER" and e["approval_id"] == str(approval_id) for e in reviewer_hears.events())
    [listed] = [a for a in service.pending(engine, dentist) if a.id == str(approval_id)]
    assert [m.text for m in listed.messages] == ["Which surface exactly? Occlusal or distal?", "Distal, sorry."]
    assert not listed.awaiting_answer
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        audited = s.scalars(select(AuditEvent.event_type).where(AuditEvent.resource_id == approval_id)
                            .order_by(AuditEvent.occurred_at)).all()
        assert audited == ["APPROVAL_QUESTION", "APPROVAL_ANSWER"]

    # Still decidable; once decided, nothing more is asked and the panel's question is gone.
    service.decide(engine, [approval_id], dentist, "approve")
    assert any(e["type"] == "DECIDED" and e["approval_id"] == str(approval_id) for e in clinician_hears.events())
    with pytest.raises(ApprovalError) as late:
        service.respond(engine, approval_id, dentist, "one more thing")
    assert late.value.code == "already_decided"
    assert service.questions(engine, assistant, patient) == []


def test_who_may_ask_and_answer(engine, actor, patient) -> None:
    dentist, assistant, hygienist = actor("dentist@demo.clinic"), actor(ASSISTANT), actor("hygienist@demo.clinic")
    approval_id = _proposed_by(engine, ASSISTANT, patient)
    with pytest.raises(ApprovalError) as refused:  # an assistant may not decide chart changes, so may not ask
        service.respond(engine, approval_id, assistant, "anything?")
    assert refused.value.code == "forbidden"
    for empty in ("", "   ", None):
        with pytest.raises(ApprovalError) as bad:
            service.respond(engine, approval_id, dentist, empty)
        assert bad.value.code == "invalid_input"
    with pytest.raises(ApprovalError) as nothing_asked:
        service.answer(engine, approval_id, assistant, "unprompted")
    assert nothing_asked.value.code == "invalid_input"
    service.respond(engine, approval_id, dentist, "Is 36 right?")
    with pytest.raises(ApprovalError) as not_theirs:  # only the clinician who dictated answers
        service.answer(engine, approval_id, hygienist, "I think so")
    assert not_theirs.value.code == "forbidden"
    with pytest.raises(ApprovalError) as unknown:
        service.respond(engine, uuid.uuid4(), dentist, "hello?")
    assert unknown.value.code == "not_found"
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        assert s.scalars(select(Message.content).where(Message.metadata_["approval_id"].astext == str(approval_id))).all() == ["Is 36 right?"]


def test_another_clinic_cannot_ask_answer_or_snooze(engine, actor, patient) -> None:
    approval_id = _proposed_by(engine, ASSISTANT, patient)
    stranger = actor("dentist@universal.clinic")
    for attempt in (lambda: service.respond(engine, approval_id, stranger, "hi"),
                    lambda: service.answer(engine, approval_id, stranger, "hi"),
                    lambda: service.snooze(engine, approval_id, stranger, "1h")):
        with pytest.raises(ApprovalError) as refused:
            attempt()
        assert refused.value.code == "not_found"
    assert service.questions(engine, stranger) == []


def test_a_snooze_hides_the_request_from_one_reviewer_until_its_time(engine, actor, patient) -> None:
    dentist, assistant = actor("dentist@demo.clinic"), actor(ASSISTANT)
    approval_id = _proposed_by(engine, ASSISTANT, patient)
    mine = {a.id for a in service.pending(engine, dentist)}
    assert str(approval_id) in mine
    out = service.snooze(engine, approval_id, dentist, "2h")
    until = datetime.fromisoformat(out.until)
    assert timedelta(minutes=119) < until - datetime.now(timezone.utc) <= timedelta(hours=2)
    assert str(approval_id) not in {a.id for a in service.pending(engine, dentist)}
    [snoozed] = [a for a in service.snoozed(engine, dentist) if a.id == str(approval_id)]
    assert snoozed.snoozed_until == out.until and snoozed.status == ApprovalStatus.PENDING
    # per reviewer: whoever else lists it (the assistant who dictated it, via the clinic's list) still sees it
    assert str(approval_id) in {a.id for a in service.pending_in_tenant(engine, DEMO_TENANT_ID)}
    assert str(approval_id) not in {a.id for a in service.snoozed(engine, assistant)}
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        assert s.get(AgentApprovalRequest, approval_id).assigned_to_user_id == dentist.user_id

    # When its time comes it is back by itself, and the worker's sweep tells the reviewer's pages.
    hears = Listener(engine, dentist.user_id)
    later = datetime.now(timezone.utc) + timedelta(hours=2, minutes=1)
    assert str(approval_id) in snoozing.snoozed_until(engine, dentist)
    assert str(approval_id) not in snoozing.snoozed_until(engine, dentist, now=later)  # listed again by the time alone
    assert approval_id in ring_due(engine, now=later)
    assert any(e["type"] == "SNOOZE_ENDED" and e["approval_id"] == str(approval_id) for e in hears.events())
    assert str(approval_id) in {a.id for a in service.pending(engine, dentist)}
    assert str(approval_id) not in {a.id for a in service.snoozed(engine, dentist)}


def test_wake_and_the_snooze_rules(engine, actor, patient) -> None:
    dentist, hygienist = actor("dentist@demo.clinic"), actor("hygienist@demo.clinic")
    approval_id = _proposed_by(engine, ASSISTANT, patient)
    for bad in ("yesterday", "2020-01-01T00:00:00+00:00", "2030-01-01T00:00:00", "30d", "0m"):
        with pytest.raises(ApprovalError) as refused:
            service.snooze(engine, approval_id, dentist, bad)
        assert refused.value.code == "invalid_input", bad
    with pytest.raises(ApprovalError) as not_listed:  # assigned to the dentist: not in the hygienist's inbox
        service.snooze(engine, approval_id, hygienist, "1h")
    assert not_listed.value.code == "forbidden"
    soon = (datetime.now(timezone.utc) + timedelta(minutes=45)).isoformat()
    service.snooze(engine, approval_id, dentist, "1d")
    service.snooze(engine, approval_id, dentist, soon)  # a later snooze replaces the first
    [snoozed] = [a for a in service.snoozed(engine, dentist) if a.id == str(approval_id)]
    assert datetime.fromisoformat(snoozed.snoozed_until) == datetime.fromisoformat(soon)
    assert service.wake(engine, approval_id, dentist).until is None
    assert str(approval_id) in {a.id for a in service.pending(engine, dentist)}
    with pytest.raises(ApprovalError) as none:
        service.wake(engine, approval_id, dentist)
    assert none.value.code == "not_found"
    # a decided request cannot be snoozed, and a snooze of one decided meanwhile rings as cancelled
    service.snooze(engine, approval_id, dentist, "1h")
    service.decide(engine, [approval_id], dentist, "reject", comment="wrong tooth")
    assert approval_id not in ring_due(engine, now=datetime.now(timezone.utc) + timedelta(hours=2))
    with pytest.raises(ApprovalError) as decided:
        service.snooze(engine, approval_id, dentist, "1h")
    assert decided.value.code == "already_decided"


def test_the_cli_asks_answers_snoozes_and_wakes(platform, engine, actor, patient) -> None:
    approval_id = str(_proposed_by(engine, ASSISTANT, patient))

    def cli(*args: str) -> tuple[int, dict | list]:
        result = platform.cli("approvals", *args, "--json")
        return result.returncode, json.loads(result.stdout)

    code, asked = cli("respond", approval_id, "--message", "Which tooth?", "--as", "dentist@demo.clinic")
    assert code == 0 and asked["kind"] == "QUESTION" and asked["text"] == "Which tooth?"
    code, answered = cli("answer", approval_id, "--message", "46, sorry.", "--as", ASSISTANT)
    assert code == 0 and answered["kind"] == "ANSWER"
    code, refused = cli("answer", approval_id, "--message", "me too", "--as", "hygienist@demo.clinic")
    assert code != 0 and "only the clinician who dictated" in refused["error"]
    code, bad = cli("snooze", approval_id, "--until", "soonish", "--as", "dentist@demo.clinic")
    assert code != 0 and "ISO 8601" in bad["error"]
    code, snoozed = cli("snooze", approval_id, "--until", "3h", "--as", "dentist@demo.clinic")
    assert code == 0 and snoozed["until"]
    code, listed = cli("snoozed", "--as", "dentist@demo.clinic")
    assert code == 0 and [a["snoozed_until"] for a in listed if a["id"] == approval_id] == [snoozed["until"]]
    assert [len(a["messages"]) for a in listed if a["id"] == approval_id] == [2]
    assert approval_id not in {a["id"] for a in cli("list", "--as", "dentist@demo.clinic")[1]}
    code, woken = cli("wake", approval_id, "--as", "dentist@demo.clinic")
    assert code == 0 and woken["until"] is None
    assert approval_id in {a["id"] for a in cli("list", "--as", "dentist@demo.clinic")[1]}
