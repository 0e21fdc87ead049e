"""The tool registry: a tool is a typed input model, a function and its operating rules.

Each tool is available three ways: to our executor (by name), to LangChain (a
``StructuredTool``) and to any OpenAI-compatible model (a function-calling schema). At start-up
the registry is written to ``agent_tools`` so runs and audits can reference tools by id.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from core_schema.models import AgentTool
from tools.context import ToolContext, ToolResult

TOOL_NAMESPACE = uuid.UUID("a7d4b3f0-2c61-4f0e-9b8a-52e4c1d0f9aa")


class Category(str, Enum):
    DATA_RETRIEVAL = "DATA_RETRIEVAL"
    DATA_MUTATION = "DATA_MUTATION"
    EXTERNAL_API = "EXTERNAL_API"
    COMPUTATION = "COMPUTATION"
    NOTIFICATION = "NOTIFICATION"


@dataclass(frozen=True)
class RetryPolicy:
    """How often a failed call is tried again (transient database errors and timeouts only)."""

    max_attempts: int = 1
    backoff_ms: int = 50

    def as_json(self) -> dict[str, int]:
        return {"max_attempts": self.max_attempts, "backoff_ms": self.backoff_ms}


@dataclass(frozen=True)
class Tool:
    """One callable capability with everything the executor needs to run it safely."""

    name: str
    description: str
    category: Category
    input_model: type[BaseModel]
    fn: Callable[[ToolContext, Any], ToolResult]
    requires_approval: bool = False
    risk_tier: int = 1
    timeout_ms: int = 5_000
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    rate_limit_per_minute: int | None = None
    scope: str | None = None  # the API-client scope needed to call it, e.g. "chart:write"
    approval_timeout_s: int | None = None  # None: a request waits until decided, unless its clinic sets a timeout

    @property
    def id(self) -> uuid.UUID:
        return uuid.uuid5(TOOL_NAMESPACE, self.name)

    @property
    def approval_permission(self) -> str:
        """The permission a reviewer needs to approve this tool's calls."""
        return "approvals.decide.tier3" if self.risk_tier >= 3 else "approvals.decide.tier2"

    def openai_schema(self) -> dict[str, Any]:
        """The OpenAI function-calling schema of this tool."""
        params = self.input_model.model_json_schema()
        params.pop("title", None)
        return {"type": "function", "function": {"name": self.name, "description": self.description, "parameters": params}}

    def as_langchain(self, bind: Callable[[str, dict[str, Any]], Any]) -> Any:
        """A LangChain ``StructuredTool`` whose calls go through ``bind(name, args)`` (the executor)."""
        from langchain_core.tools import StructuredTool

        def _call(**kwargs: Any) -> Any:
            return bind(self.name, kwargs)

        return StructuredTool.from_function(
            func=_call, name=self.name, description=self.description, args_schema=self.input_model
        )


class ToolRegistry:
    """Tools by name. One process-wide instance, ``REGISTRY``, filled by ``tools.clinical``."""

    def __init__(self) -> None:
        self._tools: dict[str, Tool] = {}

    def add(self, tool: Tool) -> Tool:
        if tool.name in self._tools:
            raise ValueError(f"tool {tool.name!r} registered twice")
        self._tools[tool.name] = tool
        return tool

    def get(self, name: str) -> Tool:
        try:
            return self._tools[name]
        except KeyError:
            raise KeyError(f"unknown tool {name!r}") from None

    def __iter__(self) -> Iterator[Tool]:
        return iter(self._tools.values())

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def openai_tools(self) -> list[dict[str, Any]]:
        return [t.openai_schema() for t in self._tools.values()]

    def sync(self, session: Session) -> int:
        """Write every tool to ``agent_tools`` (owner session); returns how many rows changed."""
        changed = 0
        existing = {row.name: row for row in session.scalars(select(AgentTool))}
        for tool in self._tools.values():
            values = _row_values(tool)
            row = existing.get(tool.name)
            if row is None:
                session.add(AgentTool(id=tool.id, **values))
                changed += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                changed += 1
        session.flush()
        return changed


def _row_values(tool: Tool) -> dict[str, Any]:
    return {
        "tenant_id": None,
        "name": tool.name,
        "description": tool.description,
        "category": tool.category.value,
        "function_schema": tool.openai_schema(),
        "implementation_type": "INTERNAL_SERVICE",
        "timeout_ms": tool.timeout_ms,
        "retry_policy": tool.retry.as_json(),
        "rate_limit": tool.rate_limit_per_minute,
        "requires_approval": tool.requires_approval,
        "is_active": True,
    }


def schema_fingerprint(tool: Tool) -> str:
    """A short hash of a tool's schema (to tell versions apart in logs and evals)."""
    return hashlib.sha256(json.dumps(tool.openai_schema(), sort_keys=True).encode()).hexdigest()[:12]


REGISTRY = ToolRegistry()


def tool(
    name: str,
    *,
    description: str,
    category: Category,
    input_model: type[BaseModel],
    **options: Any,
) -> Callable[[Callable[[ToolContext, Any], ToolResult]], Tool]:
    """Decorator: register ``fn`` as a tool in ``REGISTRY``."""

    def register(fn: Callable[[ToolContext, Any], ToolResult]) -> Tool:
        return REGISTRY.add(Tool(name=name, description=description, category=category, input_model=input_model, fn=fn, **options))

    return register
