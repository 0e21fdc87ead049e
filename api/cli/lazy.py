"""The top-level command group, loading each command's module only when that command runs.

``dentalagent --help`` lists every command from the table below (name, module, attribute and
the one-line help the listing shows) without importing any service, database model or
SQLAlchemy; ``dentalagent db upgrade`` imports ``api.cli.db_commands`` alone. The order of the
table is the order of the listing. ``tests/api/test_cli_lazy.py`` checks that each line here is
what the loaded command says of itself.
"""

from __future__ import annotations

import importlib
from difflib import get_close_matches
from typing import Any

import typer
from typer import _click as click  # typer's own click (its groups are not click.Group)
from typer.core import TyperCommand, TyperGroup

# name -> (module under api.cli, attribute, "command" (a function) or "group" (a Typer), short help)
COMMANDS: dict[str, tuple[str, str, str, str]] = {
    "doctor": ("platform_commands", "doctor", "command",
               "Show the mode (embedded or server), server versions and whether pgvector is available."),
    "serve": ("platform_commands", "serve", "command",
              "Run the API server (with one run worker beside it unless --no-worker)."),
    "undo": ("runtime_commands", "undo_command", "command", "Undo an action within its 5-minute window."),
    "worker": ("runtime_commands", "worker", "command",
               "Execute queued runs; time out approvals, clean up undo rows and recover runs on a timer."),
    "interpret": ("voice_commands", "interpret_command", "command",
                  "Interpret an utterance into commands (no database needed)."),
    "transcribe": ("voice_commands", "transcribe_command", "command",
                   "Transcribe audio files with the local Whisper model."),
    "dictate": ("voice_commands", "dictate_command", "command", "Run voice-to-chart up to the approval queue."),
    "exam": ("exam_commands", "exam_app", "group", "Hands-free exam sessions: start, show, finish."),
    "reconcile": ("reconcile_commands", "reconcile_command", "command",
                  "Compare a patient's chart, radiographs, perio and dictations; disagreements to the approval queue."),
    "plan": ("plan_commands", "plan_app", "group", "Treatment plans drafted by a conversation of agents."),
    "fhir": ("reconcile_commands", "fhir_command", "command",
             "Print a patient's record as a validated FHIR R4 (R4B) Bundle (and store its resources)."),
    "db": ("db_commands", "app", "group", "Database schema and demo data."),
    "patients": ("platform_commands", "patients", "group", "Patients of the current tenant."),
    "runs": ("runtime_commands", "runs", "group", "Workflow runs."),
    "approvals": ("runtime_commands", "approvals_app", "group", "The approval queue."),
    "actions": ("runtime_commands", "actions", "group", "Undoable actions."),
    "chart": ("runtime_commands", "chart", "group", "Dental charts."),
    "eval": ("eval_commands", "app", "group",
             "Evaluations: voice (any dataset, any solvers), imaging, memory, compare two reports, the CI gate."),
    "memory": ("memory_commands", "app", "group", "Agent memory: run summaries, clinician habits, clinic knowledge."),
    "imaging": ("imaging_commands", "imaging_app", "group", "Radiographs: ingest and AI-assisted review."),
    "models": ("imaging_commands", "models_app", "group", "Image models: registry and deployments."),
    "storage": ("storage_commands", "app", "group", "Object storage: verify rows against objects, migrate a home's files."),
}


def load(name: str) -> click.Command:
    """The click command ``name`` as ``app.command``/``app.add_typer`` would have built it."""
    module, attribute, kind, _ = COMMANDS[name]
    target: Any = getattr(importlib.import_module(f"api.cli.{module}"), attribute)
    holder = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    if kind == "group":
        holder.add_typer(target, name=name)
    else:
        holder.command(name)(target)
    built = typer.main.get_command(holder)
    if isinstance(built, TyperGroup):  # a group (or several commands): the one we added
        built = built.commands[name]
    return built


class LazyGroup(TyperGroup):
    """A ``TyperGroup`` whose commands (``COMMANDS``) are built on first use; while it prints
    its own help it lists them from the table instead."""

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *(n for n in self.commands if n not in COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return self.commands.get(cmd_name)
        if self._listing:  # the listing needs a name and a line of help, not the command
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name][3])
        self.commands[cmd_name] = load(cmd_name)
        return self.commands[cmd_name]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return self._click_resolve_command(ctx, args)
        except click.exceptions.UsageError as e:  # as TyperGroup's, suggesting from every command, loaded or not
            matches = get_close_matches(args[0], self.list_commands(ctx)) if self.suggest_commands and args else []
            if matches:
                e.message = f"{e.message.rstrip('.')}. Did you mean {', '.join(repr(m) for m in matches)}?"
            raise
