"""How the CLI prints: JSON for machines, compact text for people, one-line errors."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer
from pydantic import BaseModel

JSON = typer.Option(False, "--json", help="Print JSON.")


def plain(data: Any) -> Any:
    """A service's answer (a schema, a list of them, or plain data) as JSON-able data."""
    if isinstance(data, BaseModel):
        return data.model_dump(mode="json")
    if isinstance(data, list):
        return [plain(item) for item in data]
    if isinstance(data, dict):
        return {k: plain(v) for k, v in data.items()}
    return data


def emit(data: Any, as_json: bool) -> None:
    """Print ``data`` as JSON, or as ``key: value`` lines / one row per item."""
    data = plain(data)
    if as_json:
        typer.echo(json.dumps(data, indent=2, default=str))
        return
    rows = data if isinstance(data, list) else [data]
    for row in rows:
        if isinstance(row, dict):
            typer.echo("  ".join(f"{k}={v}" for k, v in row.items()) if isinstance(data, list)
                       else "\n".join(f"{k}: {v}" for k, v in row.items()))
        else:
            typer.echo(str(row))


def fail(message: str, as_json: bool, code: int = 2, **extra: Any) -> NoReturn:
    """One line on stderr (``{"error": ...}`` on stdout with --json), then exit non-zero."""
    if as_json:
        typer.echo(json.dumps({"error": message, **plain(extra)}, indent=2 if extra else None))
    else:
        typer.echo(f"error: {message}", err=True)
    sys.exit(code)
