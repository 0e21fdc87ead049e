"""``dentalagent``: the command line for reviewers and engineers (see voice-contract.md).

A thin face over ``services``: every refusal is a ``DomainError`` printed as one line (or
``{"error"}`` with --json); anything unexpected is logged with its traceback to
``$DENTALAGENT_HOME/logs/cli.log`` and printed as one line.
"""

from __future__ import annotations

import logging
import os
import signal
import sys

import typer

from api.cli import (
    db_commands,
    eval_commands,
    imaging_commands,
    memory_commands,
    platform_commands,
    runtime_commands,
    voice_commands,
)
from api.cli.output import fail
from core_schema.errors import ConfigError, DomainError

log = logging.getLogger("dentalagent.cli")

app = typer.Typer(
    name="dentalagent",
    help="AI agent orchestration for dental clinics.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db_commands.app, name="db")
app.add_typer(platform_commands.patients, name="patients")
app.command("doctor")(platform_commands.doctor)
app.command("serve")(platform_commands.serve)
app.add_typer(runtime_commands.runs, name="runs")
app.add_typer(runtime_commands.approvals_app, name="approvals")
app.add_typer(runtime_commands.actions, name="actions")
app.add_typer(runtime_commands.chart, name="chart")
app.command("undo")(runtime_commands.undo_command)
app.command("worker")(runtime_commands.worker)
app.command("interpret")(voice_commands.interpret_command)
app.command("transcribe")(voice_commands.transcribe_command)
app.command("dictate")(voice_commands.dictate_command)
app.add_typer(eval_commands.app, name="eval")
app.add_typer(memory_commands.app, name="memory")
app.add_typer(imaging_commands.imaging_app, name="imaging")
app.add_typer(imaging_commands.models_app, name="models")


def main() -> None:
    """Entry point: every failure becomes one line on stderr (or ``{"error"}`` with --json)."""
    json_mode = "--json" in sys.argv
    # SIGTERM exits like the end of a command (exit handlers run: the embedded servers this
    # process started are stopped, not left behind). `serve` and `worker` install their own.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # Connection pools log each failed reconnect; the command reports the failure once itself.
    logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)
    try:
        app(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        fail("interrupted", json_mode, code=130)
    except DomainError as exc:
        fail(exc.message, json_mode)
    except ConfigError as exc:
        fail(str(exc), json_mode)
    except Exception as exc:  # the last line of defence: never a traceback to a user
        if os.environ.get("DENTALAGENT_DEBUG"):
            raise
        _log_unexpected(exc)
        fail(f"internal error ({type(exc).__name__}): {_first_line(exc)}", json_mode)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _log_unexpected(exc: Exception) -> None:
    """The traceback goes to the log file (never to the terminal); a broken log is not a second error."""
    try:
        if not log.handlers:
            from core_schema.settings import get_settings

            folder = get_settings().home.expanduser() / "logs"
            folder.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(folder / "cli.log", encoding="utf-8")
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            log.addHandler(handler)
            log.propagate = False
        log.error("unexpected error in `dentalagent %s`", " ".join(sys.argv[1:2]), exc_info=exc)
    except Exception:
        pass
