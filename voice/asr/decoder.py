"""A short-utterance decode path: VAD gate and trim, one encoder pass, one beam search with n-best.

Why: faster-whisper's ``transcribe`` keeps only the best beam, has no word probabilities
unless asked, and happily transcribes noise. Here the audio is trimmed to the speech Silero
VAD finds (plus a margin), encoded once in a window of ``window_s`` (CTranslate2 4.x accepts
fewer than 3000 frames, i.e. whisper.cpp's ``audio_ctx``; tiny.en loses accuracy below 30 s,
see benchmarks/asr_window.py), and one ``generate`` call returns several hypotheses with
scores and Whisper's no-speech probability. With a 30 s window and no trimming the best
hypothesis is the one ``transcribe`` returns (same prompt, beam and suppression). Word probabilities of the best
hypothesis come from Whisper's cross-attention alignment. Noise-only input yields nothing:
no VAD speech, or Whisper's own no-speech signal, gates the utterance, and words that lie
after the last VAD speech are dropped.

Returns None when the utterance does not fit the window or the decode degenerates (a
repetition loop): the caller then uses faster-whisper's full ``transcribe``.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from faster_whisper import WhisperModel
    from faster_whisper.tokenizer import Tokenizer

RATE = 16_000
FRAMES_PER_S = 100  # log-mel frames per second (hop 160 at 16 kHz)
VAD_MARGIN_S = 1.0  # audio kept either side of the VAD speech: at 10 dB SNR a 0.3-0.6 s margin cut soft word edges
VAD_MIN_SPEECH_MS = 200  # a click or a drill burst shorter than this is not speech
# Whisper's no-speech probability above which, with a weak decode, the utterance is noise.
NO_SPEECH_GATE = 0.6
WEAK_LOGPROB = -0.7  # average token log-prob below which a decode is "weak"
WORD_TAIL_SLACK_S = 0.25  # a word starting this far after the last VAD speech is invented
MAX_COMPRESSION = 2.4  # gzip ratio above which the text is a repetition loop (as Whisper)


@dataclass(frozen=True)
class RawHypothesis:
    """One beam hypothesis before the dental correction pass."""

    text: str
    score: float  # CTranslate2's ranking score: log-prob per token (length penalty 1)
    logprob: float  # total log-prob of the hypothesis' tokens
    tokens: tuple[int, ...]


@dataclass(frozen=True)
class RawWord:
    word: str
    start: float  # seconds from the start of the input audio
    end: float
    probability: float


@dataclass(frozen=True)
class ShortDecode:
    """What the short path heard: hypotheses best first, words of the best, gate signals."""

    hypotheses: tuple[RawHypothesis, ...]
    words: tuple[RawWord, ...]
    no_speech_prob: float
    speech_s: tuple[float, float] | None  # VAD speech span in the input, None = no speech
    window_s: float
    gated: str | None = None  # why the utterance was judged noise ("no_vad_speech", "no_speech_prob")


def speech_bounds(samples: np.ndarray) -> tuple[int, int] | None:
    """First and last sample of speech by Silero VAD (no padding), None when there is none."""
    if samples.size < 512:
        return None
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    from voice.asr.model import check_vad_model

    check_vad_model()
    options = VadOptions(min_speech_duration_ms=VAD_MIN_SPEECH_MS, min_silence_duration_ms=300, speech_pad_ms=0)
    spans = get_speech_timestamps(samples, options)
    if not spans:
        return None
    return int(spans[0]["start"]), int(spans[-1]["end"])


@lru_cache(maxsize=4)
def _tokenizer(whisper: "WhisperModel") -> "Tokenizer":
    from faster_whisper.tokenizer import Tokenizer

    return Tokenizer(whisper.hf_tokenizer, whisper.model.is_multilingual, task="transcribe", language="en")


@lru_cache(maxsize=4)
def _suppressed(whisper: "WhisperModel") -> tuple[int, ...]:
    from faster_whisper.transcribe import get_suppressed_tokens

    return tuple(get_suppressed_tokens(_tokenizer(whisper), [-1]) or ())


def _compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / max(1, len(zlib.compress(data)))


def decode_short(
    whisper: "WhisperModel",
    samples: np.ndarray,
    *,
    initial_prompt: str | None,
    hotwords: str | None,
    beam_size: int = 5,
    num_hypotheses: int = 4,
    window_s: float = 30.0,
    vad: bool = True,
    word_probs: bool = True,
    timestamps: bool = True,
    vad_margin_s: float = VAD_MARGIN_S,
) -> ShortDecode | None:
    """Decode one short utterance; None when it must go to the full ``transcribe`` path."""
    start = 0
    end = samples.size
    speech: tuple[float, float] | None = (0.0, samples.size / RATE)
    if vad:
        bounds = speech_bounds(samples)
        if bounds is None:
            return ShortDecode((), (), 1.0, None, window_s, gated="no_vad_speech")
        margin = int(vad_margin_s * RATE)
        start, end = max(0, bounds[0] - margin), min(samples.size, bounds[1] + margin)
        speech = (bounds[0] / RATE, bounds[1] / RATE)
    clip = samples[start:end]
    window_frames = int(round(window_s * FRAMES_PER_S))
    features = whisper.feature_extractor(clip)[:, :-1]
    content_frames = features.shape[-1]
    if content_frames > window_frames - 50:  # leave room for the final timestamp
        return None
    features = np.pad(features, ((0, 0), (0, window_frames - content_frames)))
    encoder_output = whisper.encode(features)

    tok = _tokenizer(whisper)
    previous = tok.encode(" " + initial_prompt.strip()) if initial_prompt else []
    prompt = whisper.get_prompt(tok, previous, without_timestamps=not timestamps, hotwords=hotwords)
    n_best = max(1, min(num_hypotheses, beam_size))
    result = whisper.model.generate(
        encoder_output, [prompt], beam_size=beam_size, num_hypotheses=n_best, length_penalty=1.0,
        max_length=whisper.max_length, return_scores=True, return_no_speech_prob=True,
        suppress_blank=True, suppress_tokens=list(_suppressed(whisper)), max_initial_timestamp_index=50,
    )[0]
    hypotheses = _hypotheses(tok, result.sequences_ids, result.scores)
    if not hypotheses or _compression_ratio(hypotheses[0].text) > MAX_COMPRESSION:
        return None
    best = hypotheses[0]
    offset = start / RATE
    if result.no_speech_prob >= NO_SPEECH_GATE and best.score < WEAK_LOGPROB:
        return ShortDecode((), (), result.no_speech_prob, speech, window_s, gated="no_speech_prob")

    words: tuple[RawWord, ...] = ()
    if word_probs:
        text_tokens = [t for t in best.tokens if t < tok.eot]
        aligned = whisper.find_alignment(tok, [text_tokens], encoder_output, content_frames)[0]
        if vad and speech is not None:
            kept = [w for w in aligned if offset + float(w["start"]) <= speech[1] + WORD_TAIL_SLACK_S]
            if len(kept) < len(aligned):  # words that start after the last speech are invented: cut them
                aligned = kept
                best = RawHypothesis("".join(w["word"] for w in kept).strip(), best.score, best.logprob, best.tokens)
                hypotheses = (best, *hypotheses[1:])
        words = tuple(
            RawWord(w["word"].strip(), round(offset + float(w["start"]), 2), round(offset + float(w["end"]), 2),
                    float(w["probability"]))
            for w in aligned if any(c.isalnum() for c in w["word"])
        )
    return ShortDecode(hypotheses, words, result.no_speech_prob, speech, window_s)


def _hypotheses(tok: "Tokenizer", sequences: Sequence[Sequence[int]], scores: Sequence[float]) -> tuple[RawHypothesis, ...]:
    """Distinct texts (timestamps differ between beams that read the same words), best first."""
    seen: set[str] = set()
    out: list[RawHypothesis] = []
    for ids, score in zip(sequences, scores, strict=True):
        text_ids = [t for t in ids if t < tok.eot]
        text = tok.decode(text_ids).strip()
        if text in seen:
            continue
        seen.add(text)
        out.append(RawHypothesis(text, float(score), float(score) * len(ids), tuple(ids)))
    return tuple(out)

