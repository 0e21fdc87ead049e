"""Speech to text for dental dictation: validate, decode, recognise (biased), correct.

One ``Transcriber`` per configuration; the Whisper model itself is cached per process, so
creating transcribers is cheap. Everything takes explicit parameters: no database, no
settings object, so the workflow node, the CLI and the evals use the same code.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Sequence, Union

import numpy as np

from voice.asr.audio import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_SECONDS,
    DEFAULT_SILENCE_DBFS,
    AudioSource,
    DecodedAudio,
    check_samples,
    load_audio,
)
from voice.asr.correction import Correction, correct_transcript_with_log
from voice.asr.decoder import ShortDecode, decode_short
from voice.asr.model import load_model, model_name
from voice.asr.vocabulary import DentalVocabulary, build_vocabulary

# Segments Whisper itself thinks are not speech (noise, breathing) are dropped rather than
# transcribed into a hallucinated "Thank you."; this is Whisper's own no-speech probability.
_NO_SPEECH_DROP = 0.8
#: The short decoder's encoder window. benchmarks/asr_window.py: every window shorter than
#: Whisper's 30 s lost accuracy on tiny.en (critical-term error 2.3% -> 4.1% at 15 s, 6.9% at
#: 10 s, clean Piper), so the window stays 30 s; shorter ones remain a setting.
DEFAULT_WINDOW_S = 30.0


@dataclass(frozen=True)
class TranscriptSegment:
    """A piece of the transcript with its timing and Whisper's confidence signals."""

    start_s: float
    end_s: float
    text: str
    avg_logprob: float
    no_speech_prob: float


@dataclass(frozen=True)
class Hypothesis:
    """One n-best reading of the utterance (beam search), best first in ``hypotheses``."""

    text: str  # after the dental correction pass
    raw_text: str
    score: float  # the beam's ranking score: mean log-prob per token (higher is better)
    logprob: float  # total log-prob of the hypothesis' tokens


@dataclass(frozen=True)
class WordProb:
    """A word of the best hypothesis (as Whisper spelt it, before correction) and its probability."""

    word: str
    start: float  # seconds from the start of the audio
    end: float
    probability: float


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
    hypotheses: tuple[Hypothesis, ...] = ()  # empty when nothing was said (noise gate)
    words: tuple[WordProb, ...] = ()
    decoder: str = "legacy"  # "short" (VAD + short window + n-best) or "legacy" (full transcribe)

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
    ``decoder``: "short" decodes an utterance that fits ``window_s`` (after VAD trimming) with
    one n-best beam search (see ``voice.asr.decoder``); longer audio, and ``"legacy"``, use
    faster-whisper's ``transcribe`` over a 30 s window (the pipeline before issue 10).
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
    decoder: Literal["short", "legacy"] = "short"
    window_s: float = DEFAULT_WINDOW_S
    num_hypotheses: int = 4
    word_probs: bool = True
    vad_trim: bool = True  # short decoder: cut leading/trailing non-speech (Silero) before encoding
    timestamps: bool = True  # short decoder: let Whisper predict timestamp tokens, as ``transcribe`` does
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
        do_correct = self.correct if correct is None else correct
        t1 = time.perf_counter()
        short = None
        if self.decoder == "short":
            short = decode_short(
                self._whisper, decoded.samples, initial_prompt=prompt, hotwords=hot,  # type: ignore[arg-type]  # object for the _UNSET sentinel; str or None once resolved above
                beam_size=self.beam_size, num_hypotheses=self.num_hypotheses, window_s=self.window_s,
                word_probs=self.word_probs, vad=self.vad_trim, timestamps=self.timestamps,
            )
        if short is not None:
            return self._short_result(decoded, short, do_correct, t0, t1)
        segments_iter, info = self._whisper.transcribe(
            decoded.samples,
            language="en",
            beam_size=self.beam_size,
            initial_prompt=prompt,
            hotwords=hot,
            condition_on_previous_text=False,
            vad_filter=False,
            word_timestamps=self.decoder == "short" and self.word_probs,
        )
        raw_segments = list(segments_iter)
        segments = tuple(
            TranscriptSegment(s.start, s.end, s.text.strip(), s.avg_logprob, s.no_speech_prob) for s in raw_segments
        )
        asr_ms = (time.perf_counter() - t1) * 1000
        kept_idx = [i for i, s in enumerate(segments) if not (s.no_speech_prob >= _NO_SPEECH_DROP and s.avg_logprob < -0.5)]
        raw = " ".join(segments[i].text for i in kept_idx if segments[i].text).strip()
        text, log = correct_transcript_with_log(raw) if do_correct else (raw, [])
        words = tuple(
            WordProb(w.word.strip(), w.start, w.end, w.probability)
            for i in kept_idx for w in (raw_segments[i].words or ()) if any(c.isalnum() for c in w.word)
        )
        hypotheses: tuple[Hypothesis, ...] = ()
        if raw and self.decoder == "short":  # the fallback keeps the fields filled: one hypothesis
            n_tokens = [max(1, len(raw_segments[i].tokens)) for i in kept_idx]
            total = sum(segments[i].avg_logprob * n for i, n in zip(kept_idx, n_tokens, strict=True))
            hypotheses = (Hypothesis(text, raw, total / sum(n_tokens), total),)
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
            hypotheses=hypotheses,
            words=words,
            decoder="legacy",
        )

    def _short_result(
        self, decoded: DecodedAudio, short: ShortDecode, do_correct: bool, t0: float, t1: float
    ) -> TranscriptionResult:
        """A ``TranscriptionResult`` from the short decoder (empty when the noise gate closed)."""
        asr_ms = (time.perf_counter() - t1) * 1000
        hypotheses = []
        corrections: list[Correction] = []
        for i, h in enumerate(short.hypotheses):
            text, log = correct_transcript_with_log(h.text) if do_correct else (h.text, [])
            if i == 0:
                corrections = log
            hypotheses.append(Hypothesis(text, h.text, h.score, h.logprob))
        best = hypotheses[0] if hypotheses else None
        segments: tuple[TranscriptSegment, ...] = ()
        if best is not None and best.raw_text:
            start, end = short.speech_s or (0.0, decoded.duration_s)
            segments = (TranscriptSegment(start, end, best.raw_text, best.score, short.no_speech_prob),)
        return TranscriptionResult(
            text=best.text if best else "",
            raw_text=best.raw_text if best else "",
            duration_s=decoded.duration_s,
            latency_ms=(time.perf_counter() - t0) * 1000,
            asr_ms=asr_ms,
            model=self._name,
            language="en",
            device=self.device,
            segments=segments,
            corrections=tuple(corrections),
            source_format=decoded.source_format,
            hypotheses=tuple(h for h in hypotheses if h.raw_text),
            words=tuple(WordProb(w.word, w.start, w.end, w.probability) for w in short.words),
            decoder="short",
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
