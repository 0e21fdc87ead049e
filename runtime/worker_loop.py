"""The worker process: executes queued runs and keeps the platform tidy.

Besides procrastinate's job loop it runs a maintenance tick on a timer: approval timeouts and
escalation, snoozes whose time came, expired undo rows, and run recovery (so no run is left without a live worker).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import redis

from approvals import queue as approval_queue
from approvals.decisions import sweep_timeouts
from approvals.snooze import ring_due
from undo.actions import cleanup_expired
from workflows.engine import Engine
from workflows.recovery import recover
from workflows.run_queue import QueueDispatcher, worker_options

log = logging.getLogger(__name__)


def maintenance_tick(engine: Engine, queue: QueueDispatcher, seen: dict[str, str] | None = None) -> dict[str, Any]:
    """One pass of the timers; returns what it did (counts and ids).

    First the approval queues: when Redis lost them (flushed, restarted, a new instance: its
    epoch key is gone or names another server run) they are rebuilt from PostgreSQL. Redis
    down does not stop the rest: timeouts, undo rows and recovery need only PostgreSQL.
    ``seen`` is kept for callers of the older signature (the epoch key replaced it).
    """
    rebuilt = 0
    try:
        rebuilt = approval_queue.ensure(engine.redis, engine.db.system_session) or 0
    except redis.RedisError as exc:
        log.warning("Redis unavailable, approval queues not checked this tick: %s", exc)
    return {"timed_out": len(sweep_timeouts(engine)), "snoozes_ended": len(ring_due(engine)),
            "undo_rows_removed": cleanup_expired(engine),
            "queues_rebuilt": rebuilt, **recover(engine, queue).as_dict()}


def start_maintenance(engine: Engine, queue: QueueDispatcher, interval_s: float, stop: threading.Event) -> threading.Thread:
    """The maintenance tick in a daemon thread until ``stop`` is set."""

    def loop() -> None:
        seen: dict[str, str] = {}
        while not stop.is_set():
            try:
                maintenance_tick(engine, queue, seen)
            except Exception:  # a database blip must not end the worker; the next tick retries
                log.exception("maintenance tick failed")
            stop.wait(interval_s)

    thread = threading.Thread(target=loop, name="maintenance", daemon=True)
    thread.start()
    return thread


def start_queue_watch(engine: Engine, interval_s: float, stop: threading.Event) -> threading.Thread:
    """Only the approval-queue check of the tick, in a daemon thread until ``stop`` is set: what an API
    server runs (``serve --no-worker`` has no tick; beside a worker the check is one cheap read)."""

    def loop() -> None:
        while not stop.wait(interval_s):
            try:
                approval_queue.ensure(engine.redis, engine.db.system_session)
            except Exception as exc:  # Redis or PostgreSQL down: the next pass retries
                log.warning("approval queue check failed: %s", exc)

    thread = threading.Thread(target=loop, name="queue-watch", daemon=True)
    thread.start()
    return thread


def run(engine: Engine, queue: QueueDispatcher, *, concurrency: int, interval_s: float, main_thread: bool = True) -> None:
    """Work the run queue until stopped (SIGINT/SIGTERM when in the main thread)."""
    stop = threading.Event()
    start_maintenance(engine, queue, interval_s, stop)
    try:
        queue.app.run_worker(**worker_options(concurrency=concurrency, wait=True, name="worker",
                                              install_signal_handlers=main_thread))
    finally:
        stop.set()
