"""Audio loading and validation: every accepted format decodes, every bad input is refused
with the right code and a readable message, and cheap checks run before decoding."""

from __future__ import annotations

import time

import numpy as np
import pytest

from evals.audio_synth import encode, long_recording, malformed_fixtures, synthesize, wav_bytes
from voice.asr import SUPPORTED_FORMATS, AudioError, load_audio
from voice.asr.audio import TARGET_RATE, check_samples, resample


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    cache = tmp_path_factory.mktemp("synth")
    return synthesize("Tooth sixteen occlusal caries.", "piper-joe", cache_dir=cache)


@pytest.mark.parametrize("fmt", ["wav", "flac", "ogg", "mp3", "webm"])
def test_each_supported_format_decodes_to_16k_mono(speech: np.ndarray, fmt: str) -> None:
    data = encode(speech, fmt)
    audio = load_audio(data)
    assert audio.sample_rate == TARGET_RATE
    assert audio.samples.dtype == np.float32 and audio.samples.ndim == 1
    assert audio.source_format in SUPPORTED_FORMATS
    # Codecs add/trim a little padding; the length must still match the speech.
    assert abs(audio.duration_s - speech.size / TARGET_RATE) < 0.1
    assert audio.peak_dbfs > -20


def test_path_input_is_accepted(speech: np.ndarray, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "note.flac"
    path.write_bytes(encode(speech, "flac"))
    assert load_audio(path).source_format == "flac"
    assert load_audio(str(path)).duration_s > 1.0


@pytest.mark.parametrize("name", list(malformed_fixtures()))
def test_malformed_input_is_refused_with_its_code(name: str) -> None:
    data, code = malformed_fixtures()[name]
    with pytest.raises(AudioError) as err:
        load_audio(data)
    assert err.value.code == code
    msg = err.value.message
    assert msg and "Traceback" not in msg and "Errno" not in msg and msg[0].isupper()


def test_two_hour_files_are_refused_before_decoding() -> None:
    data, _ = malformed_fixtures()["two_hours_header"]
    start = time.perf_counter()
    with pytest.raises(AudioError, match="2 h 0 min") as err:
        load_audio(data)
    assert err.value.code == "too_long"
    assert time.perf_counter() - start < 0.05
    # A real (small, mostly silent) 20-minute FLAC: refused from its metadata.
    flac = long_recording(1200.0)
    start = time.perf_counter()
    with pytest.raises(AudioError) as err:
        load_audio(flac)
    assert err.value.code == "too_long" and time.perf_counter() - start < 0.05


def test_stream_without_duration_stops_decoding_past_the_limit(speech: np.ndarray) -> None:
    # A browser MediaRecorder WebM carries no duration: decoding must stop at the limit.
    data = encode(np.tile(speech, 4), "webm", live=True)
    with pytest.raises(AudioError) as err:
        load_audio(data, max_seconds=3.0)
    assert err.value.code == "too_long"
    assert load_audio(data, max_seconds=30.0).duration_s > 9.0


def test_size_limit_is_checked_before_reading(speech: np.ndarray, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = wav_bytes(speech)
    with pytest.raises(AudioError) as err:
        load_audio(data, max_bytes=len(data) - 1)
    assert err.value.code == "too_large" and "limit" in err.value.message
    path = tmp_path / "big.wav"
    path.write_bytes(data)
    with pytest.raises(AudioError) as err:
        load_audio(path, max_bytes=1024)
    assert err.value.code == "too_large"


def test_missing_file_and_folder() -> None:
    with pytest.raises(AudioError) as err:
        load_audio("/nonexistent/dictation.wav")
    assert err.value.code == "not_found"
    with pytest.raises(AudioError) as err:
        load_audio("/tmp")
    assert err.value.code == "unsupported_format"


def test_quiet_but_real_speech_is_not_called_silent(speech: np.ndarray) -> None:
    quiet = speech * 10 ** (-30 / 20)  # 30 dB quieter than normal: a far-away microphone
    assert load_audio(wav_bytes(quiet)).loud_dbfs < -30


def test_arrays_are_validated_too() -> None:
    with pytest.raises(AudioError) as err:
        check_samples(np.zeros(TARGET_RATE, np.float32))
    assert err.value.code == "silent"
    with pytest.raises(AudioError) as err:
        check_samples(np.ones(TARGET_RATE * 5, np.float32) * 0.1, max_seconds=2)
    assert err.value.code == "too_long"
    with pytest.raises(AudioError) as err:
        check_samples(np.zeros(0, np.float32))
    assert err.value.code == "empty"


def test_resample_keeps_duration() -> None:
    x = np.sin(np.arange(22050) / 22050 * 2 * np.pi * 440).astype(np.float32)
    y = resample(x, 22050)
    assert abs(y.size - TARGET_RATE) <= 32
    assert y.dtype == np.float32
