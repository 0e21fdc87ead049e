"""Speech recognition for dental dictation: audio in, a clinically spelled transcript out.

Modules: ``audio`` (load/validate/decode), ``model`` (local Whisper model, cached),
``vocabulary`` (biasing prompt from lexicon + catalog), ``correction`` (dental rewrite table),
``decoder`` (the short-utterance n-best decode), ``transcriber`` (the pipeline), ``lexicon`` (the shared dental word lists).
Heavy dependencies (faster-whisper, CTranslate2) load only when a transcriber is created.
"""

from voice.asr.audio import SUPPORTED_FORMATS, DecodedAudio, check_samples, load_audio, resample
from voice.asr.correction import RULES, Correction, Rule, correct_transcript, correct_transcript_with_log
from voice.asr.errors import AudioError
from voice.asr.model import ModelNotFoundError, default_model_path, pick_device
from voice.asr.transcriber import (
    Hypothesis,
    Transcriber,
    TranscriptionResult,
    TranscriptSegment,
    WordProb,
    transcribe,
)
from voice.asr.vocabulary import GENERIC_PROMPT, DentalVocabulary, build_vocabulary

__all__ = [
    "AudioError",
    "Correction",
    "DecodedAudio",
    "DentalVocabulary",
    "GENERIC_PROMPT",
    "Hypothesis",
    "ModelNotFoundError",
    "RULES",
    "Rule",
    "SUPPORTED_FORMATS",
    "TranscriptSegment",
    "Transcriber",
    "TranscriptionResult",
    "WordProb",
    "build_vocabulary",
    "check_samples",
    "correct_transcript",
    "correct_transcript_with_log",
    "default_model_path",
    "load_audio",
    "pick_device",
    "resample",
    "transcribe",
]
