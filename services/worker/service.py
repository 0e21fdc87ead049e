"""Running the worker: in the foreground (``worker``), beside the API (``serve``), or one tick."""

from __future__ import annotations

import threading

from services.base import engine
from services.worker.schemas import TickOut


def run(concurrency: int, interval_s: float) -> None:
    """Execute queued runs until stopped (SIGINT/SIGTERM), with the maintenance tick on a timer."""
    from workflows import worker
    from workflows.runtime import get_queue

    worker.run(engine(), get_queue(), concurrency=concurrency, interval_s=interval_s)


def start_in_background(concurrency: int = 2, interval_s: float = 5.0) -> threading.Thread:
    """The same worker in a daemon thread of this process (``serve`` runs one beside the API)."""
    from workflows import worker
    from workflows.runtime import get_queue

    thread = threading.Thread(target=worker.run, name="run-worker", daemon=True, args=(engine(), get_queue()),
                              kwargs={"concurrency": concurrency, "interval_s": interval_s, "main_thread": False})
    thread.start()
    return thread


def tick() -> TickOut:
    """One pass of the maintenance timers: approval timeouts, expired undo rows, run recovery."""
    from workflows.runtime import get_queue
    from workflows.worker import maintenance_tick

    return TickOut.model_validate(maintenance_tick(engine(), get_queue()))
