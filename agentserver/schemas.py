"""Request bodies of the agent protocol, as ``langgraph-sdk`` sends them.

Fields the platform does not act on are accepted and ignored (``extra="allow"``), as the
protocol's clients send many optional ones (``docs/agent-protocol.md`` lists which are honoured).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class _In(BaseModel):
    model_config = ConfigDict(extra="allow")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        """PostgreSQL text and JSONB cannot hold NUL: refused at the door (422), anywhere in the body."""
        if _has_nul(data):
            raise ValueError("text cannot contain NUL characters")
        return data


class AssistantSearchIn(_In):
    graph_id: str | None = None
    name: str | None = None
    metadata: dict[str, Any] | None = None
    limit: int = Field(10, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class ThreadCreateIn(_In):
    thread_id: str | None = Field(None, max_length=64)
    metadata: dict[str, Any] | None = None
    if_exists: Literal["raise", "do_nothing"] | None = None


class ThreadPatchIn(_In):
    metadata: dict[str, Any] | None = None


class ThreadSearchIn(_In):
    metadata: dict[str, Any] | None = None
    status: Literal["idle", "busy", "interrupted", "error"] | None = None
    ids: list[str] | None = Field(None, max_length=1000)
    limit: int = Field(10, ge=1, le=1000)
    offset: int = Field(0, ge=0)
    sort_by: Literal["thread_id", "status", "created_at", "updated_at"] | None = None
    sort_order: Literal["asc", "desc"] | None = None


class ThreadCountIn(_In):
    metadata: dict[str, Any] | None = None
    status: Literal["idle", "busy", "interrupted", "error"] | None = None


class StateUpdateIn(_In):
    values: Any = None
    as_node: str | None = Field(None, max_length=200)
    checkpoint_id: str | None = Field(None, max_length=200)


class HistoryIn(_In):
    limit: int = Field(10, ge=1, le=1000)


class RunIn(_In):
    assistant_id: str | None = Field(None, max_length=200)
    input: dict[str, Any] | None = None
    command: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    stream_mode: str | list[str] | None = None
    multitask_strategy: str | None = None


class StorePutIn(_In):
    namespace: list[str] = Field(..., min_length=1, max_length=8)
    key: str = Field(..., min_length=1, max_length=500)
    value: dict[str, Any]
    ttl: float | None = Field(None, gt=0)


class StoreDeleteIn(_In):
    namespace: list[str] = Field(..., min_length=1, max_length=8)
    key: str = Field(..., min_length=1, max_length=500)


class StoreSearchIn(_In):
    namespace_prefix: list[str] = Field(default_factory=list, max_length=8)
    filter: dict[str, Any] | None = None
    limit: int = Field(10, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000)
    query: str | None = Field(None, max_length=1000)


class NamespacesIn(_In):
    prefix: list[str] | None = Field(None, max_length=8)
    suffix: list[str] | None = Field(None, max_length=8)
    max_depth: int | None = Field(None, ge=1, le=8)
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)
