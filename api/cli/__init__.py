"""``dentalagent``: the command line for reviewers and engineers (see voice-contract.md).

A thin face over ``services``: every refusal is a ``DomainError`` printed as one line (or
``{"error"}`` with --json); anything unexpected is logged with its traceback to
``$DENTALAGENT_HOME/logs/cli.log`` and printed as one line. Libraries' log records (procrastinate,
psycopg) go to that file too, never to the terminal, except for the long-running ``worker`` and
``serve``. PostgreSQL lost while a command waits for its run is one ``database_unavailable``
line within seconds (``workflows.db_watch``); the run is resumed once the database is back.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import sys
import threading
import time

import typer

from api.cli.lazy import LazyGroup
from api.cli.output import fail
from core_schema.errors import ConfigError, DatabaseUnavailable, DomainError

log = logging.getLogger("dentalagent.cli")

app = typer.Typer(
    name="dentalagent",
    help="AI agent orchestration for dental clinics.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=LazyGroup,  # each command's module is imported when that command runs (api/cli/lazy.py)
)


@app.callback()
def _root() -> None:
    """(A group's body: typer builds a group for a callback; the commands come from ``LazyGroup``.)"""


def main() -> None:
    """Entry point: every failure becomes one line on stderr (or ``{"error"}`` with --json)."""
    json_mode = "--json" in sys.argv
    # SIGTERM exits like the end of a command (exit handlers run: the embedded servers this
    # process started are stopped, not left behind). `serve` and `worker` install their own.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # Connection pools log each failed reconnect; the command reports the failure once itself.
    logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)
    daemon = sys.argv[1:2] in (["worker"], ["serve"])
    _route_logging(to_stderr=daemon)
    if not daemon:  # a worker rides out an outage; a command waiting for its run says so at once
        from workflows import db_watch

        db_watch.arm(lambda exc: _database_lost(exc, json_mode))
    try:
        app(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _fail_once("interrupted", json_mode, code=130)
    except DomainError as exc:
        _fail_once(exc.message, json_mode)
    except ConfigError as exc:
        _fail_once(str(exc), json_mode)
    except Exception as exc:  # the last line of defence: never a traceback to a user
        if os.environ.get("DENTALAGENT_DEBUG"):
            raise
        from workflows.db_watch import unavailable

        _log_unexpected(exc)
        lost = unavailable(exc)  # PostgreSQL gone: the same line the database watch gives
        _fail_once(lost.message if lost else f"internal error ({type(exc).__name__}): {_first_line(exc)}", json_mode)


# One error line per process, whichever thread reports first (the command, or the database watch).
_reported = threading.Lock()


def _fail_once(message: str, json_mode: bool, code: int = 2) -> None:
    if not _reported.acquire(blocking=False):
        time.sleep(30)  # the database watch is reporting, and ends the process
    fail(message, json_mode, code=code)


def _database_lost(exc: DatabaseUnavailable, json_mode: bool) -> None:
    """From the database watch thread: the one line, then end the process. Its main thread may be
    stuck in a pool's reconnect loop or in speech recognition, and nothing it could still do would
    reach the database; exit handlers get a few seconds (embedded servers this process started)."""
    if not _reported.acquire(blocking=False):
        return  # the command is reporting its own error
    status = 2
    try:
        _log_unexpected(exc)
        fail(exc.message, json_mode)
    except SystemExit as done:
        status = done.code if isinstance(done.code, int) else 2
    sys.stdout.flush()
    sys.stderr.flush()
    cleanup = threading.Thread(target=atexit._run_exitfuncs, daemon=True)
    cleanup.start()
    cleanup.join(2.0)
    os._exit(status)


class _LogFile(logging.Handler):
    """``$DENTALAGENT_HOME/logs/cli.log``, created on the first record (a command that logs
    nothing leaves no folder behind, and reads no settings for it); a broken log is never a
    second error."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        self._file: logging.FileHandler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._file is None:
                from core_schema.settings import get_settings

                path = get_settings().home.expanduser() / "logs" / "cli.log"
                os.makedirs(path.parent, exist_ok=True)
                self._file = logging.FileHandler(path, encoding="utf-8")
                self._file.setFormatter(self.formatter)
            self._file.emit(record)
        except Exception:
            pass

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


def _route_logging(to_stderr: bool) -> None:
    """Every warning and error of the process to the log file (tracebacks included, never on the
    terminal); ``worker`` and ``serve`` also keep printing them on stderr, as they did."""
    root = logging.getLogger()
    if any(isinstance(h, _LogFile) for h in root.handlers):
        return
    root.addHandler(_LogFile())  # a home it cannot use: nothing is logged, the command reports that itself
    if to_stderr:
        root.addHandler(logging.StreamHandler(sys.stderr))


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _log_unexpected(exc: Exception) -> None:
    """The traceback goes to the log file (never to the terminal); a broken log is not a second error."""
    try:
        if not log.handlers:
            log.addHandler(next((h for h in logging.getLogger().handlers if isinstance(h, _LogFile)), None)
                           or _LogFile())
            log.propagate = False
        log.error("unexpected error in `dentalagent %s`", " ".join(sys.argv[1:2]), exc_info=exc)
    except Exception:
        pass
