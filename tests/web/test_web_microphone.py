"""The real microphone path: Chromium's fake capture device plays a synthesised dictation into
the page's microphone button; MediaRecorder chunks go over the live-dictation WebSocket, the
live transcript and the proposals appear, and the request reaches the inbox."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from core_schema.seed.demo import DEMO_PATIENT_IDS
from tests.web.conftest import CHROMIUM, chromium_args, sign_in

# a browser suite: the page is the same in both modes (tests/conftest.py)
pytestmark = pytest.mark.ci_server_only

SENTENCE = "twenty six occlusal caries"


@pytest.fixture(scope="module")
def dictation_wav(tmp_path_factory) -> Path:
    """The sentence, then 3 s of silence (Chromium loops the file: the silence ends the utterance)."""
    from evals.audio_synth import SAMPLE_RATE, espeak_available, piper_available, synthesize

    voice = "piper-joe" if piper_available() else "espeak-us" if espeak_available() else None
    if voice is None:
        pytest.skip("no speech synthesiser (piper-tts or espeak-ng) to make the dictation audio")
    speech = synthesize(SENTENCE, voice)
    samples = np.concatenate([np.zeros(SAMPLE_RATE // 2, np.float32), speech, np.zeros(3 * SAMPLE_RATE, np.float32)])
    path = tmp_path_factory.mktemp("audio") / "dictation.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


@pytest.fixture
def mic_context(playwright, dictation_wav, live_server):
    """A Chromium whose (fake) microphone plays the dictation, signed in as the dentist."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=chromium_args(
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={dictation_wav}"))
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(30_000)
    sign_in(context, live_server.url, "dentist@demo.clinic")
    yield context
    context.close()
    browser.close()


def test_dictating_through_the_microphone_reaches_the_inbox(mic_context) -> None:
    page = mic_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    shown: list[str] = []  # every text the live panel showed
    page.expose_function("__shown", lambda text: shown.append(text))
    page.goto(f"/patients/{DEMO_PATIENT_IDS[1]}")
    page.evaluate("""() => {
        const node = document.getElementById('live-text');
        new MutationObserver(() => window.__shown(`${node.dataset.kind}: ${node.textContent}`))
            .observe(node, { childList: true, characterData: true, subtree: true });
    }""")

    page.click("#mic")
    expect(page.locator("#mic")).to_have_attribute("data-state", "recording")
    result = page.locator(".result")
    expect(page.locator(".result, #dictation-error:not([hidden])")).to_be_visible(timeout=120_000)  # CPU speech recognition
    expect(page.locator("#dictation-error")).to_be_hidden()
    expect(page.locator("#mic")).to_have_attribute("data-state", "idle")  # stopped on speech_end: the file loops
    # The live panel showed the transcript (``partial`` while speaking when the server sends one, then ``final``).
    assert any("caries" in text.lower() for text in shown), shown
    expect(result.locator(".transcript q")).to_contain_text("caries")
    card = result.locator('.proposal[data-tooth="26"]')
    expect(card).to_have_count(1)
    expect(card.locator(".proposal-label")).to_have_text("Caries")
    expect(card.locator(".surface-chip")).to_have_text("O")
    approval_id = result.locator(".review-row").get_attribute("data-approval-id")

    page.goto("/inbox")
    item = page.locator(f'.inbox-item[data-id="{approval_id}"]')
    expect(item).to_be_visible()
    expect(item).to_contain_text("Ben Canine")
    expect(item.locator(".tooth-pill")).to_have_text("26")
    assert not errors, errors
