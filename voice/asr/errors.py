"""The one exception speech recognition raises for input it cannot use.

Callers (CLI, API, workflow nodes) show ``message`` to the clinician as is and branch on
``code``; nothing here should ever surface as a stack trace.
"""

from __future__ import annotations

from typing import Literal

from core_schema.errors import ConfigError, DomainError

AudioErrorCode = Literal[
    "empty",
    "not_found",
    "corrupt",
    "unsupported_format",
    "too_long",
    "too_large",
    "silent",
]


# Too much audio is "too large" (413); anything else unusable is invalid input (422).
_OVERSIZE: frozenset[str] = frozenset({"too_large", "too_long"})


class AudioError(DomainError, ValueError):
    """Audio that was refused, with a stable machine code and a human-readable message."""

    code: AudioErrorCode

    def __init__(self, code: AudioErrorCode, message: str) -> None:
        super().__init__(code, message, 413 if code in _OVERSIZE else 422)

    def to_dict(self) -> dict[str, str]:
        """The shape CLI/API error payloads use (``{"error": ..., "code": ...}``)."""
        return {"error": self.message, "code": self.code}

    def __repr__(self) -> str:
        return f"AudioError({self.code!r}, {self.message!r})"


class ModelNotFoundError(RuntimeError, ConfigError):
    """No usable local Whisper model: an installation problem, not a user error (the CLI prints one line)."""
