"""The process-wide runtime: tools registered and synced, graphs compiled, tracing on."""

from __future__ import annotations

from approvals import chart_change
from approvals.service import rebuild_queues
from core_schema.db import get_database
from core_schema.handles import process_handle
from core_schema.redis_store import get_redis
from core_schema.settings import get_settings
from imaging import graph as imaging_review
from planning import graph as treatment_plan
from reconciliation import graph as reconciliation
from tools.registry import REGISTRY
from voice import graph as voice_to_chart
from workflows import tracing
from workflows.engine import Engine
from workflows.run_queue import QueueDispatcher

SPECS = [chart_change.SPEC, voice_to_chart.SPEC, imaging_review.SPEC, reconciliation.SPEC, treatment_plan.SPEC]


@process_handle
def get_engine() -> Engine:
    """Build the engine once per process (tests clear this cache with the others)."""
    import tools.clinical  # noqa: F401  (registers the clinical tools)

    tracing.configure(get_settings().otel_exporter)
    db, redis = get_database(), get_redis()
    with db.system_session() as s:
        REGISTRY.sync(s)
    engine = Engine(db, redis)
    for spec in SPECS:
        engine.add(spec)
    engine.dispatcher = QueueDispatcher(engine)
    return engine


def get_queue() -> QueueDispatcher:
    """The process's run queue (the engine's dispatcher)."""
    queue = get_engine().dispatcher
    assert isinstance(queue, QueueDispatcher)
    return queue


def restore_queues() -> int:
    """Start-up step of servers and workers: Redis queues rebuilt from pending rows."""
    return rebuild_queues(get_engine()).queued
