"""Hands-free exams in Chromium, with the fake microphone playing the dictation (Piper voice,
pauses between utterances, no click after the first): the perio grid fills live and the exam
becomes one inbox item whose approval writes the dictated values; in a charting exam "accept"
charts and "undo that" reverts, with the speaker's own rights."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from tests.web.conftest import CHROMIUM, chromium_args, keyboard_focus, sign_in

PERIO = ["three two four", "two three three", "bleeding on the distal"]
CHARTING = ["thirty seven distal caries", "accept", "undo that"]


def _wav(folder: Path, name: str, sentences: list[str]) -> Path:
    """The sentences 2.5 s apart, then a minute of silence (Chromium loops the file)."""
    from evals.audio_synth import SAMPLE_RATE, piper_available, synthesize

    if not piper_available():
        pytest.skip("piper-tts voice not installed")
    gap = np.zeros(int(2.5 * SAMPLE_RATE), np.float32)
    parts = [np.zeros(SAMPLE_RATE, np.float32)]
    for sentence in sentences:
        parts += [synthesize(sentence, "piper-joe"), gap]
    parts.append(np.zeros(60 * SAMPLE_RATE, np.float32))
    path = folder / f"{name}.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes((np.clip(np.concatenate(parts), -1, 1) * 32767).astype("<i2").tobytes())
    return path


def _mic_page(playwright, live_server, wav: Path, email: str = "dentist@demo.clinic"):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=chromium_args(
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", f"--use-file-for-fake-audio-capture={wav}"))
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(30_000)
    sign_in(context, live_server.url, email)
    return browser, context.new_page()


def test_a_perio_exam_fills_the_grid_live_and_is_one_approval(playwright, live_server, new_patient, tmp_path) -> None:
    browser, page = _mic_page(playwright, live_server, _wav(tmp_path, "perio", PERIO))
    try:
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        patient = str(new_patient("Browser", "Perio"))
        page.goto(f"/patients/{patient}")
        page.click("#exam-start-perio")
        expect(page.locator("#exam")).to_have_attribute("data-state", "listening")
        grid = page.locator("#exam-grid")
        for tooth, depths in (("18", "324"), ("17", "233")):
            for site, depth in zip(("MB", "B", "DB"), depths, strict=True):
                expect(grid.locator(f'.pd[data-tooth="{tooth}"][data-site="{site}"]')).to_have_text(depth, timeout=120_000)
        expect(grid.locator('td:has(.pd[data-tooth="18"][data-site="MB"])')).to_have_text("324")  # in the order said
        expect(grid.locator('.pd.bop[data-tooth="17"][data-site="DB"]')).to_have_count(1, timeout=60_000)
        expect(grid.locator(".perio-cell.pending.cursor")).to_have_count(1)  # tooth 16, buccal
        page.click("#exam-finish")
        expect(page.locator("#exam-message")).to_have_text("Exam finished: 1 request sent for review.", timeout=60_000)

        pending = [a for a in page.request.get("/api/v1/approvals").json() if a["tool"] == "record_perio_measurements"
                   and a["arguments"]["patient_id"] == patient]
        assert len(pending) == 1, pending
        page.goto("/inbox")
        item = page.locator(f'.inbox-item[data-id="{pending[0]["id"]}"]')
        expect(item).to_be_visible()  # the list is loaded before the keys move through it
        keyboard_focus(page, ".inbox-item", item)
        expect(page.locator(".perio-review .pd").first).to_be_visible()  # the reviewer sees the grid
        page.keyboard.press("a")
        expect(item).to_have_count(0)
        page.goto(f"/patients/{patient}")  # the chart's perio grid shows the approved values
        expect(page.locator('#perio .pd[data-tooth="17"][data-site="DB"]')).to_have_text("3", timeout=60_000)
        perio = page.request.get(f"/api/v1/patients/{patient}/chart").json()["perio"]
        assert {t: {s: v["depth"] for s, v in perio[t].items()} for t in ("18", "17")} == {
            "18": {"MB": 3, "B": 2, "DB": 4}, "17": {"MB": 2, "B": 3, "DB": 3}}
        assert perio["17"]["DB"]["bleeding"] is True and not perio["17"]["MB"].get("bleeding")
        assert not errors, errors
    finally:
        browser.close()


def test_a_charting_exam_accepts_and_undoes_by_voice(playwright, live_server, new_patient, tmp_path) -> None:
    browser, page = _mic_page(playwright, live_server, _wav(tmp_path, "charting", CHARTING))
    try:
        patient = str(new_patient("Browser", "Charting"))
        page.goto(f"/patients/{patient}")
        page.click("#exam-start-charting")
        caries = page.locator('#odontogram [data-tooth="37"] [data-finding="caries"]')
        expect(caries).to_have_count(1, timeout=120_000)  # "accept": approved with the dentist's rights, charted
        expect(page.locator("#exam-message")).to_contain_text("Undone", timeout=120_000)  # "undo that"
        expect(caries).to_have_count(0)
        page.click("#exam-finish")
        expect(page.locator("#exam-message")).to_have_text("Exam finished: nothing to review.", timeout=60_000)
    finally:
        browser.close()


def test_an_assistants_spoken_accept_leaves_a_tier_3_change_pending(playwright, live_server, new_patient, tmp_path) -> None:
    browser, page = _mic_page(playwright, live_server, _wav(tmp_path, "assistant", ["plan a crown on thirty six", "accept"]),
                              email="assistant@demo.clinic")
    try:
        patient = str(new_patient("Browser", "Assistant"))
        page.goto(f"/patients/{patient}")
        page.click("#exam-start-charting")
        expect(page.locator("#exam-message")).to_contain_text("needs a dentist's approval and stays pending", timeout=120_000)
        page.click("#exam-finish")
        expect(page.locator("#exam-message")).to_have_text("Exam finished: 1 request sent for review.", timeout=60_000)
    finally:
        browser.close()
