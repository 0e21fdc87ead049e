"""Errors that reach a person: one clear line, no traceback.

``DomainError`` is the one family every service raises for a request it refuses. It carries a
stable ``code`` for programs, a one-line ``message`` for people and the HTTP ``status`` the API
answers with; the CLI prints the message. Faces never guess a status from the wording.
"""

from __future__ import annotations

# The status of each code, so a raise site names only what went wrong (an explicit status wins).
STATUS_BY_CODE: dict[str, int] = {
    "invalid_input": 422,
    "invalid_request": 422,
    "text_too_long": 413,
    "too_large": 413,
    "too_long": 413,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "already_decided": 409,
    "already_undone": 409,
    "expired": 409,
    "not_undoable": 409,
    "conflict": 409,
    "tool_refused": 409,
    "apply_failed": 409,
    "unsupported_media_type": 415,
    "database_unavailable": 503,
}


class ConfigError(Exception):
    """The platform cannot start with this configuration (unreachable server, bad home folder...)."""


class DomainError(Exception):
    """A request the platform refuses, with a stable ``code`` for programs and a one-line ``message``.

    ``status`` is the HTTP status the API answers with (4xx; by default the code's, else 400);
    the CLI prints the message.
    """

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code, self.message = code, message
        self.status = status if status is not None else STATUS_BY_CODE.get(code, 400)

    def to_dict(self) -> dict[str, str]:
        """The error body both faces use (``{"error", "code"}``)."""
        return {"error": self.message, "code": self.code}


class NotFound(DomainError, LookupError):
    """A named thing does not exist, or is not visible to this tenant (never "forbidden")."""

    def __init__(self, message: str) -> None:
        super().__init__("not_found", message, 404)


class InvalidInput(DomainError, ValueError):
    """Input refused before anything is done (a malformed id, an empty dictation...)."""

    def __init__(self, message: str, code: str = "invalid_input", status: int | None = None) -> None:
        super().__init__(code, message, status)


class DatabaseUnavailable(DomainError):
    """PostgreSQL cannot be reached (it stopped, or the connection to it was lost): nothing the
    request wrote is lost, and its run resumes when the database is back."""

    def __init__(self, message: str) -> None:
        super().__init__("database_unavailable", message, 503)
