"""Running the worker: in the foreground (``worker``), beside the API (``serve``), or one tick."""

from __future__ import annotations

import threading

from runtime import worker_loop as worker
from runtime.process import get_engine, get_queue
from runtime.worker_schemas import TickOut


def run(concurrency: int, interval_s: float) -> None:
    """Execute queued runs until stopped (SIGINT/SIGTERM), with the maintenance tick on a timer."""
    worker.run(get_engine(), get_queue(), concurrency=concurrency, interval_s=interval_s)


def start_in_background(concurrency: int = 2, interval_s: float = 5.0) -> threading.Thread:
    """The same worker in a daemon thread of this process (``serve`` runs one beside the API)."""
    thread = threading.Thread(target=worker.run, name="run-worker", daemon=True, args=(get_engine(), get_queue()),
                              kwargs={"concurrency": concurrency, "interval_s": interval_s, "main_thread": False})
    thread.start()
    return thread


def tick() -> TickOut:
    """One pass of the maintenance timers: approval timeouts, expired undo rows, run recovery."""
    return TickOut.model_validate(worker.maintenance_tick(get_engine(), get_queue()))
