"""Output and context models of an interpretation (the voice contract's JSON shape).

``Interpretation.model_dump()`` is exactly the contract's object; extend only by adding keys.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from .teeth import is_valid_fdi


class Clarify(BaseModel):
    """A question to ask back, with the choices the clinician can pick from."""

    model_config = ConfigDict(extra="forbid")

    question: str
    options: list[str] = Field(default_factory=list)


class Doubt(BaseModel):
    """A critical slot resting on an uncertain word, or heard differently by close hypotheses."""

    model_config = ConfigDict(extra="forbid")

    slot: str  # tooth, surfaces, label, values, command
    heard: Any = None  # the value proposed (or the uncertain word)
    alternatives: list[Any] = Field(default_factory=list)  # what close hypotheses heard instead
    word_probability: float | None = None


class Proposal(BaseModel):
    """One proposed registry command, with every slot visible (said, from context or missing)."""

    model_config = ConfigDict(extra="forbid")

    command: str
    tooth: str | None = None
    teeth: list[str] = Field(default_factory=list)
    surfaces: list[str] = Field(default_factory=list)
    label: str | None = None
    code: str | None = None
    values: dict[str, Any] = Field(default_factory=dict)
    risk_tier: int
    confidence: float = Field(ge=0.0, le=1.0)
    missing: list[str] = Field(default_factory=list)
    from_context: list[str] = Field(default_factory=list)
    doubt: list[Doubt] = Field(default_factory=list)  # flagged for the reviewer; empty when sure


class Interpretation(BaseModel):
    """What one utterance became: proposals, nothing (no_command), a question (clarify) or a
    voice control of the session (control: ``{"action", ...}``)."""

    kind: Literal["proposal", "no_command", "clarify", "control"]
    proposals: list[Proposal] = Field(default_factory=list)
    clarify: Clarify | None = None
    transcript: str
    interpreter: str = "rules"
    latency_ms: float = 0.0
    control: dict[str, Any] | None = None  # only on kind "control"; left out of the output otherwise

    @model_serializer(mode="wrap")
    def _without_empty_control(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        """The contract's object: ``control`` appears only when the utterance was a control."""
        out = handler(self)
        if isinstance(out, dict) and out.get("control") is None:
            out.pop("control", None)
        return out


class ContextItem(BaseModel):
    """The procedure or plan item last proposed, applied or in progress in this session."""

    model_config = ConfigDict(extra="ignore")

    command: str | None = None
    label: str | None = None
    tooth: str | None = None
    surfaces: list[str] = Field(default_factory=list)

    @field_validator("tooth", mode="before")
    @classmethod
    def _fdi(cls, v: Any) -> str | None:
        return _fdi_or_none(v)


class InterpretContext(BaseModel):
    """Session context: the tooth in focus (always FDI, whatever the clinic's notation), perio mode
    and the item last worked on ("complete it", "same on 27" refer to it)."""

    model_config = ConfigDict(extra="ignore")

    tooth: str | None = None
    perio_mode: bool = False
    last_item: ContextItem | None = None

    @model_validator(mode="before")
    @classmethod
    def _session_mode(cls, data: Any) -> Any:
        """An exam session's ``mode`` ("perio" / "charting", voice contract) sets ``perio_mode``."""
        if isinstance(data, dict) and "perio_mode" not in data and data.get("mode") in ("perio", "charting"):
            return {**data, "perio_mode": data["mode"] == "perio"}
        return data

    @property
    def focus_tooth(self) -> str | None:
        """The tooth in focus, else the last item's tooth."""
        return self.tooth or (self.last_item.tooth if self.last_item else None)

    @field_validator("tooth", mode="before")
    @classmethod
    def _fdi(cls, v: Any) -> str | None:
        return _fdi_or_none(v)


def _fdi_or_none(v: Any) -> str | None:
    if v is None or v == "":
        return None
    s = str(v).strip()
    if not is_valid_fdi(s):
        raise ValueError(f"context tooth must be an FDI tooth (11-48, 51-85), got {v!r}")
    return s
