"""Helpers of the crash-recovery tests: fast worker leases, CLI processes to kill, waiting on state.

Why here: the workflow and imaging suites both kill a real ``dentalagent`` process with SIGKILL
mid-run and check that recovery finishes its run exactly once; they must start, kill and wait
the same way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select

from core_schema.models import AgentExecution
from workflows import leases

# A killed worker's heartbeat goes stale in 2 s instead of the default, so the tests need not wait long.
FAST_LEASES = {"DENTALAGENT_WORKER_HEARTBEAT_S": "0.5", "DENTALAGENT_WORKER_STALLED_S": "2"}


def wait_for(predicate: Callable[[], bool], timeout_s: float = 60.0) -> None:
    """Poll ``predicate`` until it holds; fail the test at the deadline."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def with_fast_leases(fn: Callable[[], Any]) -> None:
    """Call ``fn`` with this process's settings using FAST_LEASES."""
    from core_schema.settings import get_settings

    saved = {k: os.environ.get(k) for k in FAST_LEASES}
    os.environ.update(FAST_LEASES)
    get_settings.cache_clear()
    try:
        fn()
    finally:
        for k, v in saved.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
        get_settings.cache_clear()


def spawn(platform, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``dentalagent ARGS`` as a child process against the session's platform (not waited for)."""
    return subprocess.Popen([sys.executable, "-c", "from api.cli import main; main()", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **platform.env, **(env or {})})


def kill_once_its_run_exists(platform, engine, *args: str) -> uuid.UUID:
    """Start ``dentalagent ARGS`` (with FAST_LEASES), SIGKILL it as soon as the run it creates is
    recorded, and return that run's id. Where the run then stands (not yet started, mid-node, or
    waiting) depends on how quickly the kill lands: recovery must finish it from any of them."""
    assert engine.dispatcher.idle()  # no drain thread of this process left to take the command's job
    with engine.db.system_session() as s:
        before = set(s.scalars(select(AgentExecution.id)))

    def new_runs() -> set[uuid.UUID]:
        with engine.db.system_session() as s:
            return set(s.scalars(select(AgentExecution.id))) - before

    proc = spawn(platform, *args, env=FAST_LEASES)
    try:
        wait_for(lambda: bool(new_runs()))
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    return new_runs().pop()


@contextmanager
def lease_held(db: Any, execution_id: uuid.UUID, seconds: float = 60) -> Iterator[None]:
    """The run's lease, held by a thread of the test (as a live worker would) while the block runs."""
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with leases.hold(db, execution_id):
            holding.set()
            release.wait(seconds)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        yield
    finally:
        release.set()
        holder.join()
