"""``dentalagent db``: migrate and seed the platform database."""

from __future__ import annotations

import typer

from core_schema import migrate
from core_schema.db import get_database
from core_schema.seed.demo import seed

app = typer.Typer(help="Database schema and demo data.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations (an empty database gets all 108 tables and row-level security)."""
    db = get_database()
    migrate.upgrade(db, revision)
    typer.echo(f"database at revision {migrate.current(db)}")


@app.command()
def downgrade(revision: str = typer.Argument(..., help="Target revision, e.g. 'base' to remove everything.")) -> None:
    """Revert migrations down to ``revision``."""
    db = get_database()
    migrate.downgrade(db, revision)
    typer.echo(f"database at revision {migrate.current(db) or 'base'}")


@app.command("seed")
def seed_command() -> None:
    """Write the demo clinic (idempotent: running it again changes nothing)."""
    db = get_database()
    if migrate.current(db) is None:
        raise ValueError("the database has no schema yet: run `dentalagent db upgrade` first")
    with db.system_session() as session:
        seed(session)
    typer.echo("demo clinic seeded")


@app.command()
def current() -> None:
    """Print the schema revision."""
    typer.echo(migrate.current(get_database()) or "base")
