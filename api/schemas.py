"""Request and response models of the HTTP API. Response models are the services' schemas (the
CLI's ``--json`` shapes, re-exported here), so ``/openapi.json`` describes what is really sent;
the request bodies and the sign-in models belong to the HTTP face alone."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from approvals.schemas import ApprovalOut, DecisionOut
from core_schema.responses import Out
from patients.schemas import ChartOut, PatientOut
from runtime.runs_schemas import RunApprovalOut, RunDetailOut, RunOut, StepOut, ToolExecutionOut
from undo.schemas import ActionOut, ChangeOut, RunUndoOut, UndoOut
from voice.schemas import DictationOut

__all__ = [
    "ActionOut", "ApprovalOut", "BatchIn", "ChangeOut", "ChartOut", "CommentIn", "DecisionOut", "DictationIn",
    "DictationOut", "EditIn", "ErrorOut", "LoginIn", "MeOut", "MessageIn", "Out", "PatientOut",
    "RunApprovalOut", "RunDetailOut", "RunOut", "RunUndoOut", "SnoozeIn", "StepOut", "TokenOut",
    "ToolExecutionOut", "UndoIn", "UndoOut",
]


# PostgreSQL text cannot hold NUL: refuse it at the door (422) instead of failing in the database.
NO_NUL = r"^[^\x00]*$"


def text_field(max_length: int, **kw: Any) -> Any:
    """A free-text request field: bounded, and without NUL characters."""
    return Field(max_length=max_length, pattern=NO_NUL, **kw)


class ErrorOut(BaseModel):
    error: str = Field(description="One line for a person.")
    code: str = Field(description="Stable code for programs, e.g. not_found, forbidden.")


class LoginIn(BaseModel):
    email: str = text_field(320)
    password: str = text_field(1024)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    scope: str | None = None
    csrf_token: str | None = Field(default=None, description="Send as X-CSRF-Token with cookie-authenticated changes.")


class MeOut(Out):
    kind: Literal["user", "client"]
    tenant_id: str
    user_id: str | None
    email: str | None
    client_id: str | None
    role: str | None
    roles: list[str]
    scopes: list[str]
    permissions: list[str]


class DictationIn(BaseModel):
    patient_id: uuid.UUID
    text: str
    session_id: uuid.UUID | None = None


class CommentIn(BaseModel):
    comment: str | None = text_field(4000, default=None)


class EditIn(CommentIn):
    set: dict[str, Any] = Field(description="Corrected arguments of the proposed action.")

    @field_validator("set")
    @classmethod
    def _no_nul(cls, value: dict[str, Any]) -> dict[str, Any]:
        if _has_nul(value):
            raise ValueError("values may not contain NUL characters")
        return value


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class BatchIn(CommentIn):
    ids: list[uuid.UUID] = Field(min_length=1, max_length=500)
    verdict: Literal["approve", "reject"]


class MessageIn(BaseModel):
    message: str = text_field(4000, description="A question or correction (respond), or the clinician's answer.")


class SnoozeIn(BaseModel):
    until: str = text_field(64, description="When the request comes back: an ISO 8601 time with its zone, "
                                            "or a duration from now (30m, 2h, 1d).")


class UndoIn(BaseModel):
    reason: str | None = text_field(4000, default=None)
