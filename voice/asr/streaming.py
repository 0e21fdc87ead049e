"""Live dictation audio: a growing WebM/Opus or PCM16 stream, decoded as it arrives, with the
Silero VAD (shipped inside faster-whisper) deciding when the clinician stopped speaking.

Why the whole WebM buffer is decoded again at each look: MediaRecorder chunks are arbitrary
byte slices of one WebM stream (only the first holds the header), so a chunk cannot be
decoded alone, and keeping a demuxer paused at the end of a growing buffer is fragile. PyAV
decodes Opus at about 2.5 ms per second of audio, so even a 60 s utterance (the limit)
costs about 150 ms per look; the caller looks at most a few times a second. The VAD only
looks at the last ``VAD_WINDOW_S`` seconds, so its cost does not grow with the utterance.

Partial transcripts are a preview: at most every ``PARTIAL_EVERY_S`` of new audio, one at a
time per stream and ``PARTIAL_SLOTS`` at a time per process, with a greedy (beam 1) copy of
the clinic's transcriber. The authoritative transcript is the run's, made from the stored
recording in the worker.
"""

from __future__ import annotations

import dataclasses
import io
import threading
import wave
from dataclasses import dataclass
from typing import Literal

import av
import av.error
import numpy as np

from voice.asr.audio import TARGET_RATE, resample
from voice.asr.errors import AudioError
from voice.asr.transcriber import Transcriber

StreamFormat = Literal["webm", "pcm16"]

END_SILENCE_S = 0.8  # speech seen, then this much silence: the utterance is over
VAD_WINDOW_S = 10.0  # the VAD looks at this much of the end of the audio
MIN_SPEECH_MS = 250  # shorter bursts (a click, a cough) are not speech
PARTIAL_EVERY_S = 1.2  # a partial transcript per this much new audio, at most
PARTIAL_SLOTS = threading.BoundedSemaphore(2)  # partial transcriptions running at once, per process
# A WebM header is a few hundred bytes: this much data that still does not open is not WebM.
_UNREADABLE_AFTER_BYTES = 64 * 1024


@dataclass(frozen=True)
class Activity:
    """What the audio so far shows: how long it is, whether speech began, and whether it ended."""

    duration_s: float
    speech_seen: bool
    trailing_silence_s: float
    speech_ended: bool


class LiveAudio:
    """The audio of one live utterance: chunks in, 16 kHz mono samples and a recording out."""

    def __init__(self, fmt: StreamFormat = "webm", *, sample_rate: int = TARGET_RATE, max_bytes: int,
                 max_seconds: float, end_silence_s: float = END_SILENCE_S) -> None:
        if fmt not in ("webm", "pcm16"):
            raise AudioError("unsupported_format", f"Live audio must be webm or pcm16, not {fmt!r}.")
        if not 8_000 <= sample_rate <= 48_000:
            raise AudioError("unsupported_format", f"A PCM sample rate of {sample_rate} Hz is not supported (8000-48000).")
        self.fmt, self.sample_rate = fmt, sample_rate
        self.max_bytes, self.max_seconds, self.end_silence_s = max_bytes, max_seconds, end_silence_s
        self._buffer = bytearray()
        self._decoded_at = -1  # buffer size the cached samples belong to
        self._samples = np.zeros(0, np.float32)
        self.speech_seen = False

    @property
    def nbytes(self) -> int:
        return len(self._buffer)

    def feed(self, chunk: bytes) -> None:
        """Append a chunk; ``too_large`` once the whole stream passes the byte limit."""
        if len(self._buffer) + len(chunk) > self.max_bytes:
            raise AudioError("too_large", f"The recording passed the limit of {self.max_bytes // (1024 * 1024)} MB. "
                             "Please dictate in shorter pieces.")
        self._buffer += chunk

    def samples(self) -> np.ndarray:
        """Everything received so far as 16 kHz mono float32 (decoded again only when it grew)."""
        if self._decoded_at != len(self._buffer):
            data = bytes(self._buffer)
            self._samples = _decode_webm(data) if self.fmt == "webm" else _decode_pcm16(data, self.sample_rate)
            self._decoded_at = len(data)
        return self._samples

    def analyse(self) -> Activity:
        """Decode and run the VAD on the end of the audio; ``too_long`` past the duration limit."""
        samples = self.samples()
        duration = samples.size / TARGET_RATE
        if duration > self.max_seconds:
            raise AudioError("too_long", f"The recording passed the limit of {self.max_seconds:.0f} s. "
                             "Please dictate in shorter pieces.")
        tail = samples[-int(VAD_WINDOW_S * TARGET_RATE):]
        spans = speech_spans(tail)
        if spans:
            self.speech_seen = True
            trailing = (tail.size - spans[-1][1]) / TARGET_RATE
        else:
            trailing = tail.size / TARGET_RATE if self.speech_seen else 0.0
        return Activity(duration, self.speech_seen, trailing, self.speech_seen and trailing >= self.end_silence_s)

    def forget_silence(self, keep_s: float) -> None:
        """Before any speech, keep only the last ``keep_s`` seconds: a microphone open for a whole
        exam waits in silence without its buffer growing (PCM only; WebM cannot be cut)."""
        if self.fmt != "pcm16" or self.speech_seen:
            return
        keep = int(keep_s * self.sample_rate) * 2
        if len(self._buffer) > keep:
            del self._buffer[: len(self._buffer) - keep]
            self._decoded_at = -1

    def recording(self) -> tuple[bytes, str]:
        """The whole utterance as one file for the dictation service: (bytes, extension)."""
        if self.fmt == "webm":
            return bytes(self._buffer), "webm"
        usable = len(self._buffer) - len(self._buffer) % 2
        out = io.BytesIO()
        with wave.open(out, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.sample_rate)
            w.writeframes(bytes(self._buffer[:usable]))
        return out.getvalue(), "wav"


def speech_spans(samples: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) sample offsets of speech in 16 kHz audio, by Silero VAD, without padding."""
    if samples.size < 512:
        return []
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    from voice.asr.model import check_vad_model

    check_vad_model()
    options = VadOptions(min_speech_duration_ms=MIN_SPEECH_MS, min_silence_duration_ms=300, speech_pad_ms=0)
    return [(int(s["start"]), int(s["end"])) for s in get_speech_timestamps(samples, options)]


def _decode_webm(data: bytes) -> np.ndarray:
    """The decodable prefix of a (possibly cut) WebM stream; empty while the header is incomplete."""
    try:
        container = av.open(io.BytesIO(data), mode="r", format="matroska")
    except (av.error.FFmpegError, ValueError):
        if len(data) > _UNREADABLE_AFTER_BYTES:
            raise AudioError("corrupt", "The live audio is not a WebM stream (send format=pcm16 for raw PCM).") from None
        return np.zeros(0, np.float32)
    chunks: list[np.ndarray] = []
    with container:
        if not container.streams.audio:
            raise AudioError("unsupported_format", "The live WebM stream has no audio track.")
        resampler = av.AudioResampler(format="flt", layout="mono", rate=TARGET_RATE)
        try:
            for frame in container.decode(container.streams.audio[0]):
                frame.pts = None  # resample by sample count, as the upload path does
                chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
        except (av.error.FFmpegError, ValueError):
            pass  # the last block is cut off mid-chunk: keep what decoded
        chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(chunks).astype(np.float32, copy=False) if chunks else np.zeros(0, np.float32)


def _decode_pcm16(data: bytes, rate: int) -> np.ndarray:
    usable = len(data) - len(data) % 2
    samples = np.frombuffer(data[:usable], dtype="<i2").astype(np.float32) / 32768.0
    return resample(samples, rate) if rate != TARGET_RATE and samples.size else samples


class PartialSchedule:
    """When a stream may show a new partial transcript: speech seen, enough new audio, none in flight."""

    def __init__(self, every_s: float = PARTIAL_EVERY_S) -> None:
        self.every_s = every_s
        self.last_at_s = 0.0
        self.in_flight = False

    def due(self, activity: Activity) -> bool:
        return (activity.speech_seen and not activity.speech_ended and not self.in_flight
                and activity.duration_s - self.last_at_s >= self.every_s)

    def started(self, activity: Activity) -> None:
        self.last_at_s, self.in_flight = activity.duration_s, True

    def finished(self) -> None:
        self.in_flight = False


_greedy: dict[int, tuple[Transcriber, Transcriber]] = {}
_greedy_lock = threading.Lock()


def _greedy_copy(transcriber: Transcriber) -> Transcriber:
    """The same transcriber (model, vocabulary) with beam 1: a preview need not be the best guess."""
    with _greedy_lock:
        original, copy = _greedy.get(id(transcriber), (None, None))
        if original is not transcriber or copy is None:  # ids are reused once an object is gone
            copy = dataclasses.replace(transcriber, beam_size=1)
            _greedy[id(transcriber)] = (transcriber, copy)
        return copy


def transcribe_partial(transcriber: Transcriber, samples: np.ndarray) -> str | None:
    """A preview transcript of ``samples``, or None when every process-wide slot is busy (skip it).

    Blocking: call it in a worker thread.
    """
    if not PARTIAL_SLOTS.acquire(blocking=False):
        return None
    try:
        return _greedy_copy(transcriber).transcribe(samples).text
    except AudioError:  # silent or too short to judge: no preview
        return ""
    finally:
        PARTIAL_SLOTS.release()
