"""``dentalagent storage``: reconcile rows with stored objects, move a home's files into the store.

Thin over ``core_schema.storage.lifecycle``; the store is the one ``DENTALAGENT_STORAGE_URL`` names.
"""

from __future__ import annotations

import typer

from api.cli.output import JSON, emit

app = typer.Typer(help="Object storage: verify rows against objects, migrate a home's files.", no_args_is_help=True)


@app.command("verify")
def verify_command(
    no_hash: bool = typer.Option(False, "--no-hash", help="Only check presence (do not re-read every object)."),
    as_json: bool = JSON,
) -> None:
    """Rows against objects: missing, tampered (bytes not their name's SHA-256), orphaned. Exit 1 if any."""
    from core_schema.storage import lifecycle

    report = lifecycle.verify_configured(check_hashes=not no_hash)
    emit(report, as_json)
    if not report["ok"]:
        raise typer.Exit(1)


@app.command("migrate")
def migrate_command(as_json: bool = JSON) -> None:
    """Move this home's recordings and images into the configured store (resumable, idempotent)."""
    from core_schema.storage import lifecycle

    emit(lifecycle.migrate_configured(), as_json)
