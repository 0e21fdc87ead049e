"""PostgreSQL lost under a waiting command: one clear error within seconds, not minutes of retries.

A command waiting for its run (``dictate``, ``approvals approve``, ``runs recover`` draining
alone) may be deep inside procrastinate's worker loop, a connection pool's reconnect loop or
speech recognition when PostgreSQL dies; each of those waits 30 s per pool before failing, and
logs a traceback for every attempt. A face that must answer quickly (the CLI) ``arm``s this
module with what to do when the database is gone; while a run is awaited (``watching``), a
daemon thread checks PostgreSQL every second on a connection of its own, and once it has been
unreachable for ``GRACE_S`` calls that handler with a ``DatabaseUnavailable``. Nothing is lost:
the run's last checkpoint and its queue job are in PostgreSQL, and the next worker (or
``dentalagent runs recover``) resumes it when the database is back. Unarmed (API server,
workers, tests in-process) ``watching`` does nothing.

``unavailable`` tells a lost connection from any other database error, for errors that reach
the face the ordinary way first.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from core_schema.errors import DatabaseUnavailable

if TYPE_CHECKING:  # imported where used: arming the watch (every CLI command) costs no psycopg import
    import psycopg

log = logging.getLogger(__name__)

CHECK_S = 1.0  # between checks while PostgreSQL answers
RETRY_S = 0.5  # between checks once it stopped answering
GRACE_S = 2.0  # unreachable this long counts as lost (a restart faster than this is ridden out)
# libpq options of the check's connection: a dead peer is noticed in seconds, not TCP's minutes.
_PROBE_OPTIONS: dict[str, Any] = {"connect_timeout": 2, "tcp_user_timeout": 3000, "keepalives": 1,
                                  "keepalives_idle": 2, "keepalives_interval": 1, "keepalives_count": 2}

_handler: Callable[[DatabaseUnavailable], None] | None = None
_lock = threading.Lock()
_state: dict[str, object] = {"watching": False, "run": None}  # the run is kept for the error after the block


def arm(on_lost: Callable[[DatabaseUnavailable], None] | None) -> None:
    """Call ``on_lost`` (from the watch thread) when PostgreSQL is lost while a run is awaited;
    ``None`` disarms."""
    global _handler
    _handler = on_lost


def lost_message(reason: str, run_id: uuid.UUID | None = None) -> str:
    """The one line a person reads."""
    kept = (f"run {run_id} is kept and resumes" if run_id is not None else "queued runs are kept and resume")
    return (f"lost the connection to PostgreSQL ({reason}); {kept} when a worker or "
            "`dentalagent runs recover` reaches it again")


@contextmanager
def watching(conninfo: str, run_id: uuid.UUID | None = None) -> Iterator[None]:
    """While the block runs, watch PostgreSQL (when armed); nested blocks share one watch."""
    if _handler is None:
        yield
        return
    with _lock:
        if run_id is not None or not _state["watching"]:
            _state["run"] = run_id
        outer = bool(_state["watching"])  # an outer block of this process already watches
        _state["watching"] = True
    if outer:
        yield
        return
    stop = threading.Event()
    thread = threading.Thread(target=_watch, args=(conninfo, stop), name="db-watch", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        with _lock:
            _state["watching"] = False


def _watch(conninfo: str, stop: threading.Event) -> None:
    import psycopg

    conn: psycopg.Connection[object] | None = None
    failing_since: float | None = None
    try:
        while not stop.wait(CHECK_S if failing_since is None else RETRY_S):
            try:
                if conn is None:
                    conn = psycopg.connect(conninfo, autocommit=True, application_name="dentalagent-db-watch",
                                           **_PROBE_OPTIONS)
                conn.execute("SELECT 1")
                failing_since = None
                continue
            except Exception as exc:
                if conn is not None:
                    _close(conn)
                    conn = None
                failing_since = failing_since or time.monotonic()
                if time.monotonic() - failing_since < GRACE_S:
                    continue
                handler = _handler
                if handler is None or stop.is_set():
                    return
                log.debug("PostgreSQL unreachable for %.1fs", GRACE_S, exc_info=exc)
                handler(DatabaseUnavailable(lost_message(reason(exc), _run())))
                return
    finally:
        if conn is not None:
            _close(conn)


def _close(conn: psycopg.Connection[object]) -> None:
    try:
        conn.close()
    except Exception:
        pass


def reason(exc: BaseException) -> str:
    """The last clause of the error's first line ("Connection refused", "server closed the
    connection unexpectedly"), without socket paths or hints."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return first.rsplit(": ", 1)[-1].strip() or type(exc).__name__


def connection_error(exc: BaseException | None) -> BaseException | None:
    """The lost-connection error in ``exc``'s chain (psycopg, its pool, SQLAlchemy, procrastinate),
    or None when it is some other error (a constraint, a statement timeout, a deadlock...)."""
    import psycopg
    from psycopg_pool import PoolTimeout

    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, PoolTimeout):
            return exc
        if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
            state = getattr(exc, "sqlstate", None)  # None: failed on the client side (no server answer)
            if state is None or state.startswith("08") or state in ("57P01", "57P02", "57P03"):
                return exc
        orig = getattr(exc, "orig", None)  # SQLAlchemy's wrapper keeps the driver's error here
        exc = orig if isinstance(orig, BaseException) else (exc.__cause__ or exc.__context__)
    return None


def unavailable(exc: BaseException) -> DatabaseUnavailable | None:
    """``exc`` as the one error a face reports when PostgreSQL is gone, or None."""
    if isinstance(exc, DatabaseUnavailable):
        return exc
    lost = connection_error(exc)
    if lost is None:
        return None
    return DatabaseUnavailable(lost_message(reason(lost), _run()))


def _run() -> uuid.UUID | None:
    run = _state["run"]
    return run if isinstance(run, uuid.UUID) else None
