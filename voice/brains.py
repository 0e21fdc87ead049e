"""The voice 'brains' a workflow node uses, built once per process from settings."""

from __future__ import annotations

import threading
import uuid
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from core_schema.settings import get_settings
from voice.interpreter import InterpretContext, interpret
from voice.interpreter.doubt import Heard, HeardWord, interpret_heard
from voice.resolver import load_catalog

_lock = threading.Lock()
_transcribers: dict[uuid.UUID, Any] = {}


def transcriber_for(session: Session, tenant_id: uuid.UUID) -> Any:
    """A faster-whisper transcriber biased with this clinic's catalog (cached per tenant)."""
    from voice.asr import Transcriber, build_vocabulary

    with _lock:
        if tenant_id not in _transcribers:
            catalog = load_catalog(session, tenant_id)
            vocabulary = build_vocabulary(
                procedure_labels=sorted({p.label or "" for p in catalog.procedures}), diagnosis_labels=sorted(catalog.diagnoses)
            )
            settings = get_settings()
            _transcribers[tenant_id] = Transcriber(
                model=settings.asr_model, device=settings.asr_device, vocabulary=vocabulary,
                max_seconds=settings.max_audio_seconds, max_bytes=settings.max_audio_bytes,
            )
        return _transcribers[tenant_id]


@lru_cache(maxsize=1)
def _llm() -> Any:
    from voice.interpreter.llm import LLMInterpreter

    s = get_settings()
    if not (s.llm_base_url and s.llm_model):
        raise ValueError("DENTALAGENT_INTERPRETER=llm needs DENTALAGENT_LLM_BASE_URL and DENTALAGENT_LLM_MODEL")
    return LLMInterpreter(base_url=s.llm_base_url, model=s.llm_model, api_key=s.llm_api_key or "none")


def interpret_context(session: dict[str, Any]) -> InterpretContext:
    """The interpreter's context from a voice session's kept state (tooth in focus, perio mode, last item)."""
    return InterpretContext(tooth=session.get("tooth_in_focus"), perio_mode=bool(session.get("perio_mode")),
                            last_item=session.get("last_item"))


def interpret_text(text: str, notation: str, context: InterpretContext,
                   heard: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(contract interpretation, model-call details) with the configured interpreter.

    ``heard``: what speech recognition kept (``hypotheses``, ``words``); the rules interpreter
    rescores the close readings and flags doubtful slots (``voice.interpreter.doubt``).
    """
    if get_settings().interpreter == "llm":
        result = _llm().interpret(text, notation=notation, context=context)
        usage = getattr(result, "usage", None) or {}
        return result.model_dump(), {"provider": "OPENAI_COMPATIBLE", "model": get_settings().llm_model, **usage}
    if heard and heard.get("hypotheses"):
        readings = [Heard(h["text"], float(h["score"])) for h in heard["hypotheses"]]
        words = [HeardWord(w["word"], float(w["p"])) for w in heard.get("words") or []]
        return interpret_heard(readings, words, notation, context).model_dump(), {}
    return interpret(text, notation, context).model_dump(), {}
