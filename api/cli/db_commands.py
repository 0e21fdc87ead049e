"""``dentalagent db``: migrate and seed the platform database."""

from __future__ import annotations

import typer

from runtime import platform as platform_service

app = typer.Typer(help="Database schema and demo data.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations (an empty database gets all 108 tables and row-level security)."""
    typer.echo(f"database at revision {platform_service.upgrade(revision)}")


@app.command()
def downgrade(revision: str = typer.Argument(..., help="Target revision, e.g. 'base' to remove everything.")) -> None:
    """Revert migrations down to ``revision``."""
    typer.echo(f"database at revision {platform_service.downgrade(revision) or 'base'}")


@app.command("seed")
def seed_command() -> None:
    """Write the demo clinic (idempotent: running it again changes nothing)."""
    platform_service.seed_demo()
    typer.echo("demo clinic seeded")


@app.command()
def current() -> None:
    """Print the schema revision."""
    typer.echo(platform_service.current_revision() or "base")
