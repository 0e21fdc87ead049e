"""The one error family of imaging: a ``DomainError`` with a stable code and one clear line."""

from __future__ import annotations

from core_schema.errors import DomainError


class ImagingError(DomainError):
    """An image, model or finding the platform refuses (nothing is written when it is raised)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(code, message, status)
