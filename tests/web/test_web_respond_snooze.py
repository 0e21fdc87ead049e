"""Respond and snooze in the review inbox (issue 20 item 2), in two browsers: the reviewer's
question reaches the dictating clinician's chart page live and their answer comes back to the
inbox; a snoozed request leaves the reviewer's list, waits in the Snoozed view and comes back."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from approvals.snooze import ring_due
from tests.web.conftest import keyboard_focus, sign_in
from tests.web.test_web_accessibility import serious_violations
from voice.service import run_dictation

# a browser suite: the page is the same in both modes (tests/conftest.py)
pytestmark = pytest.mark.ci_server_only

CLINICIAN = "hygienist@demo.clinic"  # dictates a tier-3 change, which goes to the dentist's inbox
QUESTION = "Occlusal or distal? The radiograph shows a distal shadow."
ANSWER = "Distal, sorry: please correct it."
# Where the screenshots go (docs/inbox-respond.png is made from the inbox one); a temporary folder by default.
SHOTS = os.environ.get("DENTALAGENT_SHOTS")


@pytest.fixture
def signed_in(browser, live_server) -> Iterator[Callable[[str], Any]]:
    """``signed_in(email)``: a page in its own context (CSP bypassed so axe can be injected: tests only)."""
    contexts: list[Any] = []
    errors: list[str] = []

    def _open(email: str) -> Any:
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 860}, bypass_csp=True)
        context.set_default_timeout(20_000)
        contexts.append(context)
        sign_in(context, live_server.url, email)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{email}: {exc}"))
        return page

    yield _open
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the pages: {errors}"


def _dictated(engine, actor, new_patient, last: str) -> tuple[uuid.UUID, str]:
    patient = new_patient("Review", last)
    out = run_dictation(engine, actor(CLINICIAN), patient, text="36 occlusal caries")
    [approval] = out["approval_ids"]
    return patient, str(approval)


def _shots(tmp_path: Path) -> Path:
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_question_reaches_the_clinicians_chart_live_and_the_answer_the_inbox(
        signed_in, engine, actor, new_patient, tmp_path) -> None:
    patient, approval = _dictated(engine, actor, new_patient, "Asked")
    shots = _shots(tmp_path)
    clinician = signed_in(CLINICIAN)
    clinician.goto(f"/patients/{patient}")
    expect(clinician.locator("body[data-live=true]")).to_have_count(1)  # listening before anything is asked
    panel = clinician.locator("#review-questions")
    expect(panel).to_be_hidden()

    reviewer = signed_in("dentist@demo.clinic")
    reviewer.goto("/inbox")
    item = reviewer.locator(f'.inbox-item[data-id="{approval}"]')
    expect(item).to_be_visible()
    keyboard_focus(reviewer, ".inbox-item", item)
    expect(reviewer.locator('#inbox-detail [data-action="respond"]')).to_contain_text("Ask the clinician")
    reviewer.keyboard.press("q")
    dialog = reviewer.locator("#respond-dialog")
    expect(dialog).to_be_visible()
    expect(reviewer.locator("#respond-text")).to_be_focused()
    reviewer.keyboard.type(QUESTION)
    assert serious_violations(reviewer) == []
    reviewer.screenshot(path=str(shots / "inbox-respond-dialog.png"))
    reviewer.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    # It stays in the inbox, marked Asked, the question in its thread; nothing was decided.
    expect(item.locator(".chip-asked")).to_have_text("Asked")
    expect(reviewer.locator("#inbox-detail .thread .thread-question .thread-text")).to_have_text(QUESTION)
    expect(reviewer.locator("#inbox-announce")).to_contain_text("Question sent to the clinician")

    # The clinician's dictation panel shows it without a reload, and they answer there.
    expect(panel).to_be_visible()
    question = panel.locator(f'.review-question[data-approval-id="{approval}"]')
    expect(question.locator(".thread-question .thread-text")).to_have_text(QUESTION)
    expect(question.locator(".thread-question .thread-meta")).to_contain_text("asks")
    assert serious_violations(clinician) == []
    clinician.screenshot(path=str(shots / "chart-question.png"))
    question.get_by_label("Your answer about").fill(ANSWER)
    question.get_by_role("button", name="Answer").click()
    expect(question.locator(".thread-answer .thread-text")).to_have_text(ANSWER)
    expect(question).to_have_attribute("data-awaiting", "false")

    # The reviewer sees the answer in the detail pane, live, and can decide as usual.
    expect(reviewer.locator("#inbox-detail .thread .thread-answer .thread-text")).to_have_text(ANSWER)
    expect(item.locator(".chip-answered")).to_have_text("Answered")
    reviewer.screenshot(path=str(shots / "inbox-respond.png"))
    # The run's trace holds who asked what and when, and the answer.
    listed = next(a for a in reviewer.request.get("/api/v1/approvals").json() if a["id"] == approval)
    trace = reviewer.request.get(f"/api/v1/runs/{listed['execution_id']}").json()
    assert [(m["kind"], m["text"]) for m in trace["approvals"][0]["messages"]] == [("QUESTION", QUESTION), ("ANSWER", ANSWER)]
    trace_page = reviewer.context.new_page()
    trace_page.goto(f"/runs/{listed['execution_id']}")
    expect(trace_page.locator(f'.approval-line[data-approval-id="{approval}"] .thread-msg')).to_have_count(2)
    expect(trace_page.locator(f'.approval-line[data-approval-id="{approval}"] .thread-question')).to_contain_text(
        "Asked by Dr. Dana Demo")
    expect(trace_page.locator(f'.approval-line[data-approval-id="{approval}"] .thread-answer')).to_contain_text(ANSWER)
    trace_page.screenshot(path=str(shots / "trace-questions.png"))
    trace_page.close()
    reviewer.keyboard.press("r")
    expect(reviewer.locator("#reject-dialog")).to_be_visible()
    reviewer.keyboard.type("Distal, not occlusal: dictate it again")
    reviewer.keyboard.press("Enter")
    expect(item).to_have_count(0)
    expect(panel).to_be_hidden()  # decided: the question leaves the clinician's panel, live


def test_a_snoozed_request_leaves_the_list_waits_in_the_snoozed_view_and_comes_back(
        signed_in, engine, actor, new_patient, tmp_path) -> None:
    _, approval = _dictated(engine, actor, new_patient, "Snoozed")
    reviewer = signed_in("dentist@demo.clinic")
    reviewer.goto("/inbox")
    expect(reviewer.locator("body[data-live=true]")).to_have_count(1)
    item = reviewer.locator(f'.inbox-item[data-id="{approval}"]')
    expect(item).to_be_visible()
    keyboard_focus(reviewer, ".inbox-item", item)
    reviewer.keyboard.press("s")
    dialog = reviewer.locator("#snooze-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="1 hour")).to_be_focused()
    assert serious_violations(reviewer) == []
    reviewer.keyboard.press("Enter")  # 1 hour
    expect(dialog).to_be_hidden()
    expect(item).to_have_count(0)  # gone from this reviewer's list...
    expect(reviewer.locator("#inbox-announce")).to_contain_text("Snoozed")
    snoozed_view = reviewer.locator("#view-snoozed")
    expect(snoozed_view).to_contain_text("Snoozed (")
    snoozed_view.click()
    expect(snoozed_view).to_have_attribute("aria-pressed", "true")
    expect(item).to_be_visible()  # ...but in the Snoozed view, with its time
    expect(item.locator(".chip-snoozed")).to_contain_text("Back")
    reviewer.screenshot(path=str(_shots(tmp_path) / "inbox-snoozed.png"))
    # still pending for the clinic (everyone else's lists), never gone
    assert approval in {a["id"] for a in reviewer.request.get("/api/v1/approvals/snoozed").json()}
    reviewer.locator("#view-inbox").click()
    expect(item).to_have_count(0)

    # Its time comes (the worker's sweep rings it): back in the inbox by itself, live.
    assert uuid.UUID(approval) in ring_due(engine, now=datetime.now(timezone.utc) + timedelta(hours=1, minutes=1))
    expect(item).to_be_visible()
    expect(item.locator(".chip-snoozed")).to_have_count(0)
