"""Audio loading and validation: encoded bytes or a file in, 16 kHz mono float32 out.

Why this exists as its own step: whatever a browser, phone or dictaphone sends must be
refused early and with a message a clinician understands (empty, damaged, too long, silent),
and cheap checks (size, container duration, WAV header) run before any expensive decoding so
that a 2-hour upload costs milliseconds, not a minute of CPU.
"""

from __future__ import annotations

import io
import math
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Union

import av
import av.error
import numpy as np

from voice.asr.errors import AudioError

TARGET_RATE = 16_000
DEFAULT_MAX_SECONDS = 60.0
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_SILENCE_DBFS = -50.0

#: FFmpeg demuxer name -> what we call it in messages. Everything else is refused.
SUPPORTED_FORMATS: Mapping[str, str] = {
    "wav": "WAV",
    "flac": "FLAC",
    "ogg": "OGG (Opus/Vorbis)",
    "mp3": "MP3",
    "matroska,webm": "WebM",
}

AudioSource = Union[bytes, bytearray, memoryview, str, os.PathLike]

# Slack for containers whose duration is an estimate (MP3 without a Xing header, etc.).
_DURATION_SLACK_S = 0.5
# A WAV data chunk may be short by a few samples when a recorder is stopped; more is a cut file.
_TRUNCATION_SLACK_S = 0.05


@dataclass(frozen=True)
class DecodedAudio:
    """Decoded, validated audio ready for the speech model."""

    samples: np.ndarray  # float32, mono, TARGET_RATE
    sample_rate: int
    duration_s: float
    source_format: str  # demuxer name, e.g. "wav", "matroska,webm", or "pcm" for arrays
    codec: str
    peak_dbfs: float
    loud_dbfs: float  # 95th percentile of 30 ms frame RMS: "how loud is the speech"


def _fmt_seconds(seconds: float) -> str:
    if seconds >= 3600:
        h, rem = divmod(int(round(seconds)), 3600)
        return f"{h} h {rem // 60} min"
    if seconds >= 120:
        m, s = divmod(int(round(seconds)), 60)
        return f"{m} min {s} s"
    return f"{seconds:.1f} s"


def _fmt_bytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _read_source(source: AudioSource, max_bytes: int) -> tuple[bytes, str]:
    """Bytes of the input and a label for messages; size is checked before reading a file."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        label = "the audio"
        size = len(data)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        label = f"'{path.name}'"
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise AudioError("not_found", f"The audio file {label} does not exist.") from None
        except OSError as exc:
            raise AudioError("corrupt", f"The audio file {label} cannot be read ({exc.strerror}).") from None
        if path.is_dir():
            raise AudioError("unsupported_format", f"{label} is a folder, not an audio file.")
        data = b""
    else:
        raise TypeError(f"audio source must be bytes or a path, not {type(source).__name__}")
    if size == 0:
        raise AudioError("empty", f"{label.capitalize()} is empty (0 bytes): nothing was recorded.")
    if size > max_bytes:
        raise AudioError(
            "too_large",
            f"{label.capitalize()} is {_fmt_bytes(size)}; the limit is {_fmt_bytes(max_bytes)}. "
            "Please send a shorter recording.",
        )
    if not data:
        data = Path(source).read_bytes()  # type: ignore[arg-type]  # source is a path here: bytes were taken above
    return data, label


def _check_wav_header(data: bytes, label: str, max_seconds: float) -> None:
    """Declared length of a PCM WAV, checked against the limit and against the bytes present.

    FFmpeg clamps a WAV's duration to what is in the file, so a header claiming two hours, or
    a file cut off halfway through an upload, both look fine to it; the RIFF header does not lie.
    Sizes 0 and 0xFFFFFFFF mean "unknown" (streaming writers) and are not judged.
    """
    if len(data) < 12 or data[:4] not in (b"RIFF", b"RF64") or data[8:12] != b"WAVE":
        return
    pos = 12
    block_align = rate = 0
    while pos + 8 <= len(data):
        cid = data[pos : pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        body = pos + 8
        if cid == b"fmt " and body + 16 <= len(data):
            _, _, rate, _, block_align, _ = struct.unpack("<HHIIHH", data[body : body + 16])
        elif cid == b"data":
            if data[:4] == b"RF64" or size in (0, 0xFFFFFFFF) or not rate or not block_align:
                return
            declared_s = size / (block_align * rate)
            present_s = max(0, len(data) - body) / (block_align * rate)
            if declared_s > max_seconds + _DURATION_SLACK_S:
                raise AudioError(
                    "too_long",
                    f"{label.capitalize()} is {_fmt_seconds(declared_s)} long; the limit is "
                    f"{_fmt_seconds(max_seconds)}. Please dictate in shorter pieces.",
                )
            if declared_s - present_s > _TRUNCATION_SLACK_S:
                raise AudioError(
                    "corrupt",
                    f"{label.capitalize()} is cut off: its header announces {_fmt_seconds(declared_s)} "
                    f"but only {_fmt_seconds(present_s)} arrived. Please upload it again.",
                )
            return
        pos = body + size + (size & 1)


def _levels(samples: np.ndarray) -> tuple[float, float]:
    """Peak dBFS and the 95th-percentile 30 ms frame RMS in dBFS (robust to clicks and pauses)."""
    if samples.size == 0:
        return -math.inf, -math.inf
    peak = float(np.max(np.abs(samples)))
    frame = int(0.03 * TARGET_RATE)
    n = samples.size // frame
    if n == 0:
        rms = [float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))]
    else:
        frames = samples[: n * frame].reshape(n, frame).astype(np.float64)
        rms = np.sqrt(np.mean(frames * frames, axis=1))
    loud = float(np.percentile(rms, 95))
    to_db = lambda v: 20 * math.log10(v) if v > 0 else -math.inf  # noqa: E731
    return to_db(peak), to_db(loud)


def check_samples(
    samples: np.ndarray,
    *,
    source_format: str = "pcm",
    codec: str = "pcm_f32le",
    max_seconds: float = DEFAULT_MAX_SECONDS,
    silence_dbfs: float = DEFAULT_SILENCE_DBFS,
    label: str = "the audio",
) -> DecodedAudio:
    """Validate already-decoded 16 kHz mono samples (length, silence) and wrap them."""
    samples = np.ascontiguousarray(samples, dtype=np.float32).reshape(-1)
    duration = samples.size / TARGET_RATE
    if samples.size == 0:
        raise AudioError("empty", f"{label.capitalize()} contains no sound samples.")
    if duration > max_seconds + _DURATION_SLACK_S:
        raise AudioError(
            "too_long",
            f"{label.capitalize()} is {_fmt_seconds(duration)} long; the limit is "
            f"{_fmt_seconds(max_seconds)}. Please dictate in shorter pieces.",
        )
    if not np.all(np.isfinite(samples)):
        raise AudioError("corrupt", f"{label.capitalize()} contains invalid sample values.")
    peak_db, loud_db = _levels(samples)
    if loud_db == -math.inf:
        raise AudioError(
            "silent",
            f"{label.capitalize()} contains only digital silence. "
            "Check that the microphone is connected and not muted.",
        )
    if loud_db < silence_dbfs:
        raise AudioError(
            "silent",
            f"{label.capitalize()} is silent (loudest passages at {loud_db:.0f} dBFS). "
            "Check that the microphone is connected and not muted.",
        )
    return DecodedAudio(samples, TARGET_RATE, duration, source_format, codec, peak_db, loud_db)


def resample(samples: np.ndarray, rate: int, target_rate: int = TARGET_RATE) -> np.ndarray:
    """Mono float32 at ``rate`` -> mono float32 at ``target_rate`` (FFmpeg's resampler)."""
    samples = np.ascontiguousarray(samples, dtype=np.float32).reshape(1, -1)
    if rate == target_rate:
        return samples.reshape(-1).copy()
    resampler = av.AudioResampler(format="flt", layout="mono", rate=target_rate)
    frame = av.AudioFrame.from_ndarray(samples, format="flt", layout="mono")
    frame.sample_rate = rate
    out = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    out += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(out).astype(np.float32) if out else np.zeros(0, np.float32)


def load_audio(
    source: AudioSource,
    *,
    max_seconds: float = DEFAULT_MAX_SECONDS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    silence_dbfs: float = DEFAULT_SILENCE_DBFS,
    formats: Mapping[str, str] = SUPPORTED_FORMATS,
) -> DecodedAudio:
    """Decode WAV/FLAC/OGG/MP3/WebM bytes or a file to validated 16 kHz mono float32.

    Raises ``AudioError`` (never an FFmpeg exception) with code ``empty``, ``too_large``,
    ``corrupt``, ``unsupported_format``, ``too_long`` or ``silent``. Order of checks, cheapest
    first: byte size, container/header duration, then decoding, which also stops as soon as
    the limit is passed (WebM from a browser recorder carries no duration at all).
    """
    data, label = _read_source(source, max_bytes)
    _check_wav_header(data, label, max_seconds)
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except av.error.FFmpegError:
        raise AudioError(
            "corrupt",
            f"{label.capitalize()} is not a readable audio file (damaged, incomplete or not audio).",
        ) from None
    with container:
        fmt = container.format.name
        if fmt not in formats:
            names = ", ".join(formats.values())
            raise AudioError(
                "unsupported_format",
                f"{label.capitalize()} is in a format we do not accept ({container.format.long_name}). "
                f"Supported: {names}.",
            )
        if not container.streams.audio:
            raise AudioError("unsupported_format", f"{label.capitalize()} has no audio track.")
        stream = container.streams.audio[0]
        declared = None
        if stream.duration is not None and stream.time_base is not None:
            declared = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            declared = container.duration / 1_000_000
        if declared is not None and declared > max_seconds + _DURATION_SLACK_S:
            raise AudioError(
                "too_long",
                f"{label.capitalize()} is {_fmt_seconds(declared)} long; the limit is "
                f"{_fmt_seconds(max_seconds)}. Please dictate in shorter pieces.",
            )
        codec = stream.codec_context.name if stream.codec_context else "unknown"
        limit = int((max_seconds + _DURATION_SLACK_S) * TARGET_RATE)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=TARGET_RATE)
        chunks: list[np.ndarray] = []
        total = 0
        try:
            for frame in container.decode(stream):
                frame.pts = None  # resample by sample count; broken timestamps must not matter
                for out in resampler.resample(frame):
                    arr = out.to_ndarray().reshape(-1)
                    chunks.append(arr)
                    total += arr.size
                if total > limit:
                    raise AudioError(
                        "too_long",
                        f"{label.capitalize()} is longer than the limit of {_fmt_seconds(max_seconds)}. "
                        "Please dictate in shorter pieces.",
                    )
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
        except AudioError:
            raise
        except (av.error.FFmpegError, ValueError):
            raise AudioError(
                "corrupt",
                f"{label.capitalize()} is damaged: decoding failed after {_fmt_seconds(total / TARGET_RATE)}.",
            ) from None
    if not chunks or sum(c.size for c in chunks) == 0:
        raise AudioError("corrupt", f"{label.capitalize()} contains no decodable audio.")
    samples = np.concatenate(chunks).astype(np.float32, copy=False)
    return check_samples(
        samples,
        source_format=fmt,
        codec=codec,
        max_seconds=max_seconds,
        silence_dbfs=silence_dbfs,
        label=label,
    )
