"""Many processes on one fresh ``DENTALAGENT_HOME`` share one embedded PostgreSQL and one Redis.

These tests start their own embedded servers in child processes (``DATABASE_URL`` and
``REDIS_URL`` removed from the child environment), so they run the same in both modes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from core_schema import embedded

ROOT = Path(__file__).resolve().parents[2]
CHILD_TIMEOUT_S = 240

# A child: start (or join) both embedded servers the way the CLI does, count itself in Redis.
BUMP = """
import json
from runtime.status import platform_status
from core_schema.redis_store import get_redis
status = platform_status()
client = get_redis()
client.incr("probe:children")
print(json.dumps({"status": status["status"], "mode": status["mode"]}))
"""

# A child that starts PostgreSQL, says so, then waits to be killed.
HOLD = """
import sys, time
from core_schema.db import get_database
get_database()
print("ready", flush=True)
time.sleep(600)
"""

START_AND_EXIT = """
from core_schema.db import get_database
get_database()
print("done")
"""


def _child_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DENTALAGENT_REDIS_PREFIX")}
    env["DENTALAGENT_HOME"] = str(home)
    return env


def _spawn(code: str, home: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, env=_child_env(home),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _postmaster_running(pgdata: Path) -> bool:
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    return info is not None and info.is_running()


def _stop_everything(home: Path) -> None:
    """Kill whatever a failed test left running under ``home`` (postgres, redis-server)."""
    for proc in psutil.process_iter(attrs=["name", "cmdline"]):
        cmdline = " ".join(proc.info.get("cmdline") or [])
        if proc.info.get("name") == "postgres" and str(home) in cmdline:
            proc.kill()
    settings_file = home / "redis.db.settings"
    if settings_file.exists():
        import json

        pidfile = Path(json.loads(settings_file.read_text())["pidfile"])
        if pidfile.exists():
            try:
                psutil.Process(int(pidfile.read_text().strip())).kill()
            except (psutil.Error, ValueError):
                pass


@pytest.fixture
def fresh_home() -> Iterator[Path]:
    home = Path(tempfile.mkdtemp(prefix="dentalagent-embedded-race-")).resolve()
    try:
        yield home
    finally:
        _stop_everything(home)
        shutil.rmtree(home, ignore_errors=True)


def test_parallel_starts_share_one_redis_and_postgres(fresh_home: Path) -> None:
    children = [_spawn(BUMP, fresh_home) for _ in range(8)]
    results = [child.communicate(timeout=CHILD_TIMEOUT_S) for child in children]

    for child, (out, err) in zip(children, results, strict=True):
        assert child.returncode == 0, err[-2000:]
        assert '"status": "ok"' in out and '"mode": "embedded"' in out
    # Every increment landed in the one server of this home (separate servers lose writes).
    client = embedded.start_redis(fresh_home)
    try:
        assert client.get("probe:children") == "8"
    finally:
        client.shutdown(nosave=True)
    # The last child to exit stopped PostgreSQL.
    assert not _postmaster_running(fresh_home / "pg")


def test_clean_exit_after_a_killed_process_stops_postgres(fresh_home: Path) -> None:
    holder = _spawn(HOLD, fresh_home)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "ready", holder.stderr.read() if holder.stderr else ""
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=CHILD_TIMEOUT_S)
    assert _postmaster_running(fresh_home / "pg"), "a SIGKILLed process leaves its server behind"

    later = _spawn(START_AND_EXIT, fresh_home)
    out, err = later.communicate(timeout=CHILD_TIMEOUT_S)
    assert later.returncode == 0, err[-2000:]

    assert not _postmaster_running(fresh_home / "pg"), "the server outlived the last live process"


def test_prune_dead_handles_keeps_live_pids(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / ".handle_pids.json").write_text(f"[{dead.pid}, {os.getpid()}]")

    assert embedded.prune_dead_handles(tmp_path) == [dead.pid]
    assert (tmp_path / ".handle_pids.json").read_text() == f"[{os.getpid()}]"
