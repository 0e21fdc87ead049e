"""The short decoder (VAD trim, short window, n-best, word probabilities, noise gate) on the real
tiny.en model and real synthesized speech: no mocks of the speech model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from evals.asr_metrics import normalize_words, word_errors
from evals.audio_synth import SAMPLE_RATE, make_noise, synthesize
from voice.asr import Transcriber

DENTAL = "Caries on the mesial and occlusal of forty six, plan a root canal."


def _speech(text: str, cache: Path, **kw: object) -> np.ndarray:
    return synthesize(text, "piper-joe", cache_dir=cache, **kw)  # type: ignore[arg-type]


def test_n_best_hypotheses_are_distinct_and_ranked(transcriber: Transcriber, cache: Path) -> None:
    result = transcriber.transcribe(_speech(DENTAL, cache))
    assert result.decoder == "short"
    hyps = result.hypotheses
    assert len(hyps) > 1, hyps
    assert len({h.raw_text for h in hyps}) == len(hyps)
    scores = [h.score for h in hyps]
    assert scores == sorted(scores, reverse=True), scores
    assert all(h.logprob < 0 and h.score < 0 for h in hyps)
    assert result.text == hyps[0].text and result.raw_text == hyps[0].raw_text
    assert "root canal" in result.text.lower() and "caries" in result.text.lower()


def test_word_probabilities_cover_the_best_hypothesis(transcriber: Transcriber, cache: Path) -> None:
    result = transcriber.transcribe(_speech("Irreversible pulpitis on forty six.", cache))
    words = result.words
    assert [w for w in normalize_words(" ".join(w.word for w in words))] == normalize_words(result.raw_text)
    assert all(0.0 <= w.probability <= 1.0 for w in words)
    assert all(w.start <= w.end <= result.duration_s + 0.05 for w in words)
    starts = [w.start for w in words]
    assert starts == sorted(starts)


@pytest.mark.parametrize("kind,rms", [("clinic", 0.01), ("clinic", 0.05), ("clinic", 0.25), ("pink", 0.05), ("white", 0.03)])
def test_noise_only_yields_nothing(transcriber: Transcriber, kind: str, rms: float) -> None:
    noise = make_noise(3 * SAMPLE_RATE, seed=11, kind=kind) * rms  # type: ignore[arg-type]
    result = transcriber.transcribe(np.clip(noise, -1, 1))
    assert result.text == "" and result.hypotheses == () and result.words == (), result.raw_text


def _breathing(seconds: float, rms: float, seed: int = 1) -> np.ndarray:
    """Low-passed noise swelling in and out every 2 s: breath on the microphone."""
    n = int(seconds * SAMPLE_RATE)
    hiss = np.convolve(np.random.default_rng(seed).standard_normal(n), np.ones(40) / 40, mode="same")
    breath = hiss * np.clip(np.sin(2 * np.pi * 0.5 * np.arange(n) / SAMPLE_RATE), 0, None) ** 2
    return (breath / np.sqrt(np.mean(breath**2)) * rms).astype(np.float32)


@pytest.mark.parametrize("rms", [0.01, 0.05, 0.2])
def test_breathing_yields_nothing(transcriber: Transcriber, rms: float) -> None:
    # faster-whisper's transcribe writes "MUSIC PLAYING" for the 0.05 case
    result = transcriber.transcribe(_breathing(4.0, rms))
    assert result.text == "" and result.hypotheses == (), result.raw_text


def test_whisper_no_speech_gate_without_vad(cache: Path) -> None:
    """With VAD trimming off, Whisper's own no-speech probability still closes the gate."""
    tr = Transcriber(device="cpu", vad_trim=False)
    for seed, kind in ((3, "clinic"), (4, "pink")):
        noise = make_noise(3 * SAMPLE_RATE, seed=seed, kind=kind) * 0.05  # type: ignore[arg-type]
        assert tr.transcribe(noise).text == ""


def test_trailing_noise_does_not_grow_words(transcriber: Transcriber, cache: Path) -> None:
    text = "Tooth sixteen occlusal caries."
    speech = _speech(text, cache)
    clean = transcriber.transcribe(speech)
    level = float(np.sqrt(np.mean(speech**2)))
    tail = make_noise(2 * SAMPLE_RATE, seed=21, kind="clinic") * level * 0.3
    noisy = transcriber.transcribe(np.concatenate([speech, tail]).astype(np.float32))
    assert word_errors(text, noisy.text).insertions <= word_errors(text, clean.text).insertions, noisy.text
    assert normalize_words(noisy.text)[-1] == normalize_words(text)[-1], noisy.text
    assert all(w.start <= (speech.size / SAMPLE_RATE) + 0.3 for w in noisy.words)


def test_vad_trim_keeps_every_word(transcriber: Transcriber, cache: Path) -> None:
    text = "Plan an extraction of thirty eight and a bitewing radiograph."
    speech = _speech(text, cache)
    pad = np.zeros(int(1.5 * SAMPLE_RATE), np.float32)
    result = transcriber.transcribe(np.concatenate([pad, speech, pad]))
    assert result.decoder == "short"
    assert word_errors(text, result.text).deletions == 0, result.text
    # timings are in the caller's audio, not the trimmed clip (the first word's start absorbs some silence)
    assert result.words and result.words[0].end > 1.5 and result.words[-1].end <= result.duration_s


def test_long_utterance_falls_back_to_full_transcribe(cache: Path) -> None:
    tr = Transcriber(device="cpu", window_s=2.0)
    result = tr.transcribe(_speech(DENTAL, cache))
    assert result.decoder == "legacy"
    assert "root canal" in result.text.lower()
    assert len(result.hypotheses) == 1 and result.hypotheses[0].text == result.text
    assert result.words and all(0.0 <= w.probability <= 1.0 for w in result.words)


def test_legacy_decoder_is_selectable(cache: Path) -> None:
    legacy = Transcriber(device="cpu", decoder="legacy")
    result = legacy.transcribe(_speech("Mark seventeen as missing.", cache))
    assert result.decoder == "legacy" and result.hypotheses == () and result.words == ()
    assert "missing" in result.text.lower()
