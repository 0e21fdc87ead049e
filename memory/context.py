"""Context windows: what a model call or a recall step saw, in tokens, and what was pruned.

Each assembled context is a list of items (a system prompt, tool schemas, an utterance, a
memory...) with its source id and its token count under a real tokenizer (``memory.tokens``,
cl100k_base). When the items exceed ``max_tokens`` they are pruned by a named strategy:
``IMPORTANCE`` keeps the most important first, ``FIFO`` drops the oldest first. The row in
``agent_context_windows`` holds ids and counts only, never the text itself.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from core_schema.models import AgentContextWindow
from memory.tokens import count_tokens

STRATEGIES = ("IMPORTANCE", "FIFO")


@dataclass
class ContextItem:
    kind: str  # system_prompt | tool_schemas | utterance | memory | document
    source_id: str | None
    tokens: int
    importance: float = 1.0
    required: bool = False  # never pruned (the utterance being interpreted)
    kept: bool = True

    @classmethod
    def of(cls, kind: str, source_id: Any, content: str, **kw: Any) -> ContextItem:
        return cls(kind, None if source_id is None else str(source_id), count_tokens(content), **kw)


@dataclass
class ContextWindow:
    items: list[ContextItem]
    max_tokens: int
    pruning_strategy: str | None = None
    total_tokens: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.total_tokens = sum(i.tokens for i in self.items if i.kept)

    @property
    def kept(self) -> list[ContextItem]:
        return [i for i in self.items if i.kept]


def assemble(items: list[ContextItem], max_tokens: int, strategy: str = "IMPORTANCE") -> ContextWindow:
    """Fit ``items`` (in their order of arrival) into ``max_tokens``; required items always stay."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown pruning strategy {strategy!r}")
    if sum(i.tokens for i in items) <= max_tokens:
        return ContextWindow(items, max_tokens)
    budget = max_tokens - sum(i.tokens for i in items if i.required)
    optional = [i for i in items if not i.required]
    order = (sorted(optional, key=lambda i: -i.importance) if strategy == "IMPORTANCE"
             else list(reversed(optional)))  # FIFO: the newest survive
    for item in order:
        item.kept = item.tokens <= budget
        if item.kept:
            budget -= item.tokens
    return ContextWindow(items, max_tokens, strategy)


def record(session: Session, execution_id: uuid.UUID, step_id: uuid.UUID | None, window: ContextWindow) -> uuid.UUID:
    """Write the window (ids and token counts) in the caller's tenant transaction."""
    row = AgentContextWindow(
        id=uuid.uuid4(), execution_id=execution_id, step_id=step_id,
        context_items=[{k: v for k, v in asdict(i).items() if k != "required"} for i in window.items],
        total_tokens=window.total_tokens, max_tokens=window.max_tokens, pruning_strategy=window.pruning_strategy,
    )
    session.add(row)
    session.flush()
    return row.id
