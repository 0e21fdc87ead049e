"""Speech to text for dental dictation: validate, decode, recognise (biased), correct.

One ``Transcriber`` per configuration; the Whisper model itself is cached per process, so
creating transcribers is cheap. Everything takes explicit parameters: no database, no
settings object, so the workflow node, the CLI and the evals use the same code.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence, Union

import numpy as np

from agents.asr.audio import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_SECONDS,
    DEFAULT_SILENCE_DBFS,
    AudioSource,
    DecodedAudio,
    check_samples,
    load_audio,
)
from agents.asr.correction import Correction, correct_transcript_with_log
from agents.asr.model import load_model, model_name
from agents.asr.vocabulary import DentalVocabulary, build_vocabulary

# Segments Whisper itself thinks are not speech (noise, breathing) are dropped rather than
# transcribed into a hallucinated "Thank you."; this is Whisper's own no-speech probability.
_NO_SPEECH_DROP = 0.8


@dataclass(frozen=True)
class TranscriptSegment:
    """A piece of the transcript with its timing and Whisper's confidence signals."""

    start_s: float
    end_s: float
    text: str
    avg_logprob: float
    no_speech_prob: float


@dataclass(frozen=True)
class TranscriptionResult:
    """What ``transcribe`` returns (CLI: ``{"file", "text", "duration_s", "latency_ms", "model"}``)."""

    text: str
    raw_text: str  # before the dental correction pass
    duration_s: float
    latency_ms: float  # decode + recognise + correct, wall clock
    asr_ms: float  # the Whisper part alone
    model: str
    language: str
    device: str
    segments: tuple[TranscriptSegment, ...] = ()
    corrections: tuple[Correction, ...] = ()
    source_format: str = "pcm"

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of the voice contract, plus ASR details under extra keys."""
        return {
            "text": self.text,
            "raw_text": self.raw_text,
            "duration_s": round(self.duration_s, 3),
            "latency_ms": round(self.latency_ms, 1),
            "asr_ms": round(self.asr_ms, 1),
            "model": self.model,
            "language": self.language,
            "device": self.device,
            "corrections": [{"heard": c.heard, "written": c.written} for c in self.corrections],
        }


_UNSET: object = object()


@dataclass
class Transcriber:
    """faster-whisper with dental biasing and correction.

    ``model``: None for the bundled tiny.en, or a local CTranslate2 Whisper folder.
    ``device``: "auto" picks CUDA/float16 when CTranslate2 sees a GPU, else CPU/int8.
    ``vocabulary``: the biasing prompt; None builds it from the seeded catalog, and
    ``bias=False`` turns biasing off (``initial_prompt`` can still be passed per call).
    """

    model: str | Path | None = None
    device: str = "auto"
    compute_type: str | None = None
    cpu_threads: int = 0
    beam_size: int = 5
    bias: bool = True
    correct: bool = True
    vocabulary: DentalVocabulary | None = None
    max_seconds: float = DEFAULT_MAX_SECONDS
    max_bytes: int = DEFAULT_MAX_BYTES
    silence_dbfs: float = DEFAULT_SILENCE_DBFS
    _name: str = field(init=False, default="")

    def __post_init__(self) -> None:
        whisper, path, device, compute_type = load_model(
            self.model, device=self.device, compute_type=self.compute_type, cpu_threads=self.cpu_threads
        )
        self._whisper = whisper
        self._name = model_name(path)
        self.device, self.compute_type = device, compute_type
        if self.bias and self.vocabulary is None:
            self.vocabulary = build_vocabulary()

    @property
    def model_name(self) -> str:
        return self._name

    def load(self, audio: Union[AudioSource, np.ndarray]) -> DecodedAudio:
        """Validate and decode with this transcriber's limits (raises ``AudioError``)."""
        if isinstance(audio, np.ndarray):
            return check_samples(audio, max_seconds=self.max_seconds, silence_dbfs=self.silence_dbfs)
        return load_audio(
            audio, max_seconds=self.max_seconds, max_bytes=self.max_bytes, silence_dbfs=self.silence_dbfs
        )

    def transcribe(
        self,
        audio: Union[AudioSource, np.ndarray, DecodedAudio],
        *,
        initial_prompt: str | None | object = _UNSET,
        hotwords: str | None | object = _UNSET,
        correct: bool | None = None,
    ) -> TranscriptionResult:
        """Transcribe one utterance (bytes, a path, 16 kHz float32 samples or ``DecodedAudio``).

        ``initial_prompt``/``hotwords`` override the vocabulary for this call (None = none).
        Raises ``AudioError`` for input that cannot be used.
        """
        t0 = time.perf_counter()
        decoded = audio if isinstance(audio, DecodedAudio) else self.load(audio)
        vocab = self.vocabulary if self.bias else None
        prompt = (vocab.initial_prompt if vocab else None) if initial_prompt is _UNSET else initial_prompt
        hot = (vocab.hotwords if vocab else None) if hotwords is _UNSET else hotwords
        t1 = time.perf_counter()
        segments_iter, info = self._whisper.transcribe(
            decoded.samples,
            language="en",
            beam_size=self.beam_size,
            initial_prompt=prompt,  # type: ignore[arg-type]
            hotwords=hot,  # type: ignore[arg-type]
            condition_on_previous_text=False,
            vad_filter=False,
        )
        segments = tuple(
            TranscriptSegment(s.start, s.end, s.text.strip(), s.avg_logprob, s.no_speech_prob)
            for s in segments_iter
        )
        asr_ms = (time.perf_counter() - t1) * 1000
        kept = [s for s in segments if not (s.no_speech_prob >= _NO_SPEECH_DROP and s.avg_logprob < -0.5)]
        raw = " ".join(s.text for s in kept if s.text).strip()
        do_correct = self.correct if correct is None else correct
        text, log = correct_transcript_with_log(raw) if do_correct else (raw, [])
        return TranscriptionResult(
            text=text,
            raw_text=raw,
            duration_s=decoded.duration_s,
            latency_ms=(time.perf_counter() - t0) * 1000,
            asr_ms=asr_ms,
            model=self._name,
            language=info.language,
            device=self.device,
            segments=segments,
            corrections=tuple(log),
            source_format=decoded.source_format,
        )


_DEFAULT: dict[tuple[object, ...], Transcriber] = {}


def transcribe(
    audio: Union[AudioSource, np.ndarray],
    *,
    model: str | Path | None = None,
    bias: bool = True,
    correct: bool = True,
    extra_terms: Sequence[str] = (),
) -> TranscriptionResult:
    """One-call convenience: a process-wide default transcriber (bundled model, seeded catalog)."""
    key = (str(model), bias, correct, tuple(extra_terms))
    if key not in _DEFAULT:
        vocab = build_vocabulary(extra_terms=extra_terms) if bias else None
        _DEFAULT[key] = Transcriber(model=model, bias=bias, correct=correct, vocabulary=vocab)
    return _DEFAULT[key].transcribe(audio)
