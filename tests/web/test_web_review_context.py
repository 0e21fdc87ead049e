"""The review inbox at the moment of decision: a perio exam is corrected tooth by tooth in a
grid (not JSON) and approved once; a dictated proposal shows the transcript with the words it
rests on, and its recording plays from the keyboard."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from core_schema.seed.demo import DEMO_TENANT_ID
from tests.api.test_review_context_api import _tone
from tests.web.conftest import keyboard_focus, sign_in
from tests.web.test_web_accessibility import serious_violations
from tools.clinical.chart import write_snapshot
from voice import sessions as voice_store
from voice.exam import service as exams
from voice.service import run_dictation

# a browser suite: the page is the same in both modes (tests/conftest.py)
pytestmark = pytest.mark.ci_server_only


@pytest.fixture
def reviewer(browser, live_server) -> Iterator[Any]:
    """The dentist's page; its context bypasses the CSP so that axe can be injected (tests only)."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900}, bypass_csp=True)
    context.set_default_timeout(20_000)
    errors: list[str] = []
    sign_in(context, live_server.url, "dentist@demo.clinic")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def _perio_exam(engine, dentist, patient) -> str:
    session = exams.start(engine, dentist, patient, "perio")["session_id"]
    for said in ("three two four", "two three three", "bleeding on the distal"):  # 18, then 17 (17 DB bleeds)
        run_dictation(engine, dentist, patient, text=said, session_id=uuid.UUID(session))
    finished = exams.finish(engine, dentist, uuid.UUID(session))
    assert len(finished["approval_ids"]) == 1, finished
    return str(finished["approval_ids"][0])


def test_a_perio_exam_is_corrected_per_tooth_in_a_grid_and_approved_once(reviewer, engine, actor, new_patient,
                                                                          tmp_path) -> None:
    page = reviewer
    patient = new_patient("Grid", "Edit")
    approval = _perio_exam(engine, actor(), patient)
    page.goto("/inbox")
    item = page.locator(f'.inbox-item[data-id="{approval}"]')
    expect(item).to_be_visible()  # the list is loaded: keyboard_focus counts its items
    keyboard_focus(page, ".inbox-item", item)
    page.keyboard.press("e")
    dialog = page.locator("#edit-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("textarea")).to_have_count(0)  # the teeth are a grid, not JSON
    mb17 = dialog.get_by_label("Tooth 17 MB depth in mm")
    expect(mb17).to_have_value("2")
    expect(dialog.get_by_label("Tooth 18 DB depth in mm")).to_have_value("4")
    expect(dialog.get_by_label("Tooth 17 DB bleeding")).to_be_checked()
    expect(dialog.get_by_label("Tooth 17 ML depth in mm")).to_have_value("")  # not measured
    expect(page.locator(":focus")).to_have_attribute("aria-label", "Tooth 18 MB depth in mm")
    page.screenshot(path=str(tmp_path / "perio-edit.png"))
    assert serious_violations(page) == []
    # From the keyboard: Tab to tooth 17's MB depth, type the correction, mark 17 B as bleeding.
    for _ in range(12):  # tooth 18: six depths and six bleeding boxes
        page.keyboard.press("Tab")
    expect(mb17).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type("5")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(dialog.get_by_label("Tooth 17 B bleeding")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")  # submits: correct and approve, one request
    expect(dialog).to_be_hidden()
    expect(item).to_have_count(0)
    page.goto(f"/patients/{patient}")
    expect(page.locator('#perio .pd[data-tooth="17"][data-site="MB"]')).to_have_text("5", timeout=60_000)
    perio = page.request.get(f"/api/v1/patients/{patient}/chart").json()["perio"]
    assert {t: {s: v["depth"] for s, v in perio[t].items()} for t in ("18", "17")} == {
        "18": {"MB": 3, "B": 2, "DB": 4}, "17": {"MB": 5, "B": 3, "DB": 3}}
    assert perio["17"]["B"]["bleeding"] is True and perio["17"]["DB"]["bleeding"] is True
    assert not perio["17"]["MB"].get("bleeding")


def test_a_dictated_request_shows_its_words_and_conflicts_and_plays_its_recording_with_p(
        reviewer, engine, actor, new_patient, tmp_path) -> None:
    said = "thirty six occlusal and distal caries, 14 missing"
    patient = new_patient("Heard", "Words")
    out = run_dictation(engine, actor(), patient, text=said)
    caries, missing = out["approval_ids"]
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        voice_store.store_recording(s, tenant_id=DEMO_TENANT_ID, session_id=uuid.UUID(out["session_id"]),
                                    utterance_id=uuid.UUID(out["utterance_id"]), audio=_tone(), fmt="wav",
                                    duration_s=0.5, sample_rate=16000)
        write_snapshot(s, tenant_id=DEMO_TENANT_ID, patient_id=patient, source="test", user_id=None,
                       chart={"teeth": {"36": {"status": "extracted"}}})  # charted since: the caries is at odds with it
    page = reviewer
    page.goto("/inbox")
    expect(page.locator(f'.inbox-item[data-id="{missing}"]')).to_be_visible()  # the list is loaded
    keyboard_focus(page, ".inbox-item", page.locator(f'.inbox-item[data-id="{caries}"]'))
    heard = page.locator("#inbox-detail .heard")
    expect(heard.locator(".heard-transcript")).to_have_text(said)
    expect(heard.locator("mark")).to_have_text(["thirty six", "occlusal", "distal", "caries"])
    expect(page.locator("#inbox-detail .conflicts li")).to_have_text(["⚠Tooth 36 is charted extracted"])
    expect(page.locator(f'.inbox-item[data-id="{caries}"] .chip-conflict')).to_have_text("Check chart")
    expect(page.locator(f'.inbox-item[data-id="{missing}"] .chip-conflict')).to_have_count(0)
    page.screenshot(path=str(tmp_path / "heard.png"))
    expect(page.locator("#inbox-detail")).not_to_contain_text("null")
    assert serious_violations(page) == []
    page.keyboard.press("p")
    page.wait_for_function("() => { const a = document.querySelector('#inbox-detail audio.heard-audio');"
                           " return a && a.currentTime > 0; }")
    page.keyboard.press("p")
    page.wait_for_function("() => document.querySelector('#inbox-detail audio.heard-audio').paused")
    keyboard_focus(page, ".inbox-item", page.locator(f'.inbox-item[data-id="{missing}"]'))
    expect(heard.locator("mark")).to_have_text(["14", "missing"])
