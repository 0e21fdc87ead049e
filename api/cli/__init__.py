"""``dentalagent``: the command line for reviewers and engineers (see voice-contract.md)."""

from __future__ import annotations

import logging
import os
import sys

import typer

from api.cli import db_commands, eval_commands, platform_commands, runtime_commands, voice_commands
from api.cli.output import fail

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


def main() -> None:
    """Entry point: every failure becomes one line on stderr (or ``{"error"}`` with --json)."""
    json_mode = "--json" in sys.argv
    # Connection pools log each failed reconnect; the command reports the failure once itself.
    logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL)
    try:
        app(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        fail("interrupted", json_mode, code=130)
    except Exception as exc:  # the last line of defence: never a traceback to a user
        if os.environ.get("DENTALAGENT_DEBUG"):
            raise
        fail(_describe(exc), json_mode)


def _describe(exc: Exception) -> str:
    from core_schema.directory import NotFound
    from core_schema.errors import ConfigError

    if isinstance(exc, (ConfigError, NotFound)):
        return str(exc)
    if isinstance(exc, ValueError):
        return str(exc)
    return f"internal error ({type(exc).__name__}): {exc}".splitlines()[0]
