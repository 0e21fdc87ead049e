"""Recovery: every run ends COMPLETED, FAILED or CANCELLED, or waits for a person.

A run can be left behind when the process executing it dies: RUNNING with no live lease,
or WAITING_APPROVAL with every request decided (its decider died before resuming it), or a
queue job taken by a worker whose process is gone (its presence lock went with its database
session: ``workflows.worker_presence``, no heartbeat to wait for). ``recover`` finds all three
and queues the run again; the run continues from its last checkpoint and its tool calls stay
exactly-once through their idempotency keys. Workers call it on a timer; operators run
``dentalagent runs recover``. It is idempotent under any state of the queue: a run that
already has a job waiting keeps that one (it counts as queued again, never as an error).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from core_schema.models import AgentApprovalRequest, AgentExecution, AgentStep, ToolExecution
from core_schema.rows import rowcount
from core_schema.statuses import ApprovalStatus, ExecutionStatus, ToolExecutionStatus
from workflows import leases, runstore
from workflows.engine import FINAL, Engine

# A run that keeps killing its workers is not retried forever.
MAX_RECOVERIES = 5


@dataclass
class Recovery:
    """What one pass found and did (ids only)."""

    stalled_jobs: int = 0
    requeued: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    abandoned: list[str] = field(default_factory=list)
    tool_executions_closed: int = 0

    def as_dict(self) -> dict[str, object]:
        return {"stalled_jobs": self.stalled_jobs, "requeued": self.requeued, "resumed": self.resumed,
                "abandoned": self.abandoned, "tool_executions_closed": self.tool_executions_closed}



class RunQueue(Protocol):
    """What recovery needs of the run queue (``workflows.run_queue.QueueDispatcher``)."""

    def retry_stalled_runs(self) -> list[uuid.UUID]: ...

    def queued_runs(self) -> set[uuid.UUID]: ...

    def enqueue(self, execution_id: uuid.UUID) -> None: ...


def recover(engine: Engine, queue: RunQueue) -> Recovery:
    """One pass over every tenant's runs (owner session); safe to run from many workers at once."""
    stalled = queue.retry_stalled_runs()  # a dead worker's job back in the queue counts as its run's recovery
    report = Recovery(stalled_jobs=len(stalled))
    queued = queue.queued_runs() - set(stalled)
    with engine.db.system_session() as s:
        report.resumed = [str(r) for r in _decided_but_waiting(s) if runstore.claim_for_resume(s, r)]
    with engine.db.system_session() as s:
        rows = s.execute(select(AgentExecution.id, AgentExecution.metadata_).where(AgentExecution.status == ExecutionStatus.RUNNING)
                         .with_for_update(skip_locked=True)).all()
        for run_id, metadata in rows:
            if run_id in queued or leases.is_held(s, run_id):
                continue
            attempts = int((metadata or {}).get("recoveries", 0)) + 1
            if attempts > MAX_RECOVERIES:
                _abandon(s, run_id, f"abandoned after {MAX_RECOVERIES} recoveries: its workers kept stopping")
                report.abandoned.append(str(run_id))
                continue
            s.execute(update(AgentExecution).where(AgentExecution.id == run_id)
                      .values(metadata_={**(metadata or {}), "recoveries": attempts}))
            report.requeued.append(str(run_id))
    for run_id in report.requeued:
        queue.enqueue(uuid.UUID(run_id))
    with engine.db.system_session() as s:
        report.tool_executions_closed = _close_orphan_tool_executions(s)
    return report


def _decided_but_waiting(s: Session) -> list[uuid.UUID]:
    pending = exists().where(AgentApprovalRequest.execution_id == AgentExecution.id,
                             AgentApprovalRequest.status == ApprovalStatus.PENDING)
    return list(s.scalars(select(AgentExecution.id).where(AgentExecution.status == ExecutionStatus.WAITING_APPROVAL, ~pending)))


def _abandon(s: Session, run_id: uuid.UUID, reason: str) -> None:
    runstore.update_execution(s, run_id, status=ExecutionStatus.FAILED, error_details=reason)
    s.flush()
    runstore.write_metrics(s, run_id)


def _close_orphan_tool_executions(s: Session) -> int:
    """A call left RUNNING in a run that has ended was never applied (the write and SUCCEEDED
    commit together): record it as FAILED so nothing looks in flight."""
    ended = select(AgentStep.id).join(AgentExecution, AgentExecution.id == AgentStep.execution_id).where(
        AgentExecution.status.in_(FINAL))
    result = s.execute(update(ToolExecution).where(ToolExecution.status == ToolExecutionStatus.RUNNING, ToolExecution.agent_step_id.in_(ended))
                       .values(status=ToolExecutionStatus.FAILED, completed_at=datetime.now(timezone.utc),
                               error_message="interrupted: its run ended before the call finished; nothing was applied"))
    return int(rowcount(result) or 0)
