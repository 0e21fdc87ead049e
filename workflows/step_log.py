"""Step rows buffered per run and written with the run's own update, in one transaction.

A node's step row used to cost its own transaction (five round trips) per node; now the rows
of one invocation wait in memory and go to PostgreSQL in one multi-row insert when the run
is recorded (it ends, waits for a person, or fails), or at once when another row must
reference a step (a tool execution, an approval request). The LangGraph checkpoint after
each node is what makes the run durable; if a worker dies, the buffered rows of its last
stretch are lost with it and the resumed run writes its own.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from core_schema.models import AgentStep


class StepLog:
    """Pending step rows, by run (one process may execute several runs at once)."""

    def __init__(self) -> None:
        self._rows: dict[uuid.UUID, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def add(self, execution_id: uuid.UUID, row: dict[str, Any]) -> None:
        with self._lock:
            self._rows.setdefault(execution_id, []).append(row)

    def set_edge(self, execution_id: uuid.UUID, step_id: uuid.UUID, target: str) -> bool:
        """Record the edge on a pending row; False when that step is already written."""
        with self._lock:
            for row in self._rows.get(execution_id, []):
                if row["id"] == step_id:
                    row["decision_result"] = target
                    return True
        return False

    def flush(self, session: Session, execution_id: uuid.UUID) -> str | None:
        """Insert the run's pending rows in order (one batched statement); returns the last node.

        Sequence numbers continue from the run's highest; the run's lease keeps other writers away.
        """
        with self._lock:
            rows = self._rows.pop(execution_id, [])
        if not rows:
            return None
        base = session.scalar(select(func.coalesce(func.max(AgentStep.sequence_no), 0))
                              .where(AgentStep.execution_id == execution_id)) or 0
        columns = sorted({k for row in rows for k in row})
        session.execute(insert(cast(Table, AgentStep.__table__)), [  # a mapped class's __table__ is its Table
            {**{c: row.get(c) for c in columns}, "execution_id": execution_id, "sequence_no": base + i + 1}
            for i, row in enumerate(rows)
        ])
        return str(rows[-1]["node_name"])

    def take(self, execution_id: uuid.UUID) -> list[dict[str, Any]]:
        """The run's pending rows, in order, handed to the caller to write."""
        with self._lock:
            return self._rows.pop(execution_id, [])

    def discard(self, execution_id: uuid.UUID) -> None:
        with self._lock:
            self._rows.pop(execution_id, None)
