"""What ``dictate`` and ``interpret`` return (voice-contract.md, "Command line")."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict

from core_schema.responses import Out
from voice.interpreter import Interpretation


class DictationOut(Out):
    run_id: str
    status: str
    session_id: str
    utterance_id: str
    transcript: str | None
    kind: str | None
    proposals: list[dict[str, Any]]
    clarify: Any = None
    problems: list[Any]
    approval_ids: list[str]
    context: Any = None
    latency_ms: float


class InterpretOut(Interpretation):
    """The interpreter's object; with ``asr`` (timings, model) when it was given audio."""

    model_config = ConfigDict(extra="allow")
