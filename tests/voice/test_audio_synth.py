"""Synthetic dictation audio: reproducible bytes, cache, SNR, both engines."""

from __future__ import annotations

import numpy as np
import pytest

from evals.audio_synth import (
    SAMPLE_RATE,
    espeak_available,
    make_noise,
    mix_at_snr,
    speech_power,
    synthesize_wav,
)

needs_espeak = pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed (apt-get install espeak-ng)")

TEXT = "Plan a root canal on thirty six."


def test_piper_is_reproducible_and_cached(tmp_path) -> None:  # type: ignore[no-untyped-def]
    a = synthesize_wav(TEXT, "piper-joe", snr_db=10, seed=7, cache_dir=None)
    b = synthesize_wav(TEXT, "piper-joe", snr_db=10, seed=7, cache_dir=tmp_path)
    c = synthesize_wav(TEXT, "piper-joe", snr_db=10, seed=7, cache_dir=tmp_path)  # from cache
    assert a == b == c
    assert len(list(tmp_path.glob("*.wav"))) == 1
    d = synthesize_wav(TEXT, "piper-joe", snr_db=10, seed=8, cache_dir=tmp_path)
    assert d != a  # another seed, other noise
    assert len(list(tmp_path.glob("*.wav"))) == 2


@needs_espeak
@pytest.mark.parametrize("voice", ["espeak-us", "espeak-gb", "espeak-us-fast"])
def test_espeak_voices_are_reproducible(voice: str) -> None:
    a = synthesize_wav(TEXT, voice, snr_db=10, seed=1, cache_dir=None)
    b = synthesize_wav(TEXT, voice, snr_db=10, seed=1, cache_dir=None)
    assert a == b
    assert a[:4] == b"RIFF" and len(a) > SAMPLE_RATE  # > 0.5 s of 16-bit audio


def test_noise_is_seeded_and_mixed_at_the_requested_snr() -> None:
    n1, n2 = make_noise(SAMPLE_RATE * 2, seed=3), make_noise(SAMPLE_RATE * 2, seed=3)
    assert np.array_equal(n1, n2) and not np.array_equal(n1, make_noise(SAMPLE_RATE * 2, seed=4))
    speech = 0.3 * np.sin(np.arange(SAMPLE_RATE * 2) / SAMPLE_RATE * 2 * np.pi * 200).astype(np.float32)
    mix = mix_at_snr(speech, n1, 10.0)
    noise_part = mix.astype(np.float64) - speech
    snr = 10 * np.log10(speech_power(speech) / np.mean(noise_part**2))
    assert abs(snr - 10.0) < 0.5
