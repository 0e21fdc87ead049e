"""PostgreSQL access: one engine per process, tenant sessions under row-level security."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from core_schema import embedded
from core_schema.errors import ConfigError
from core_schema.settings import Settings, get_settings

# Non-owner role every tenant session switches to, so row-level security applies to it even
# when the connecting user owns the tables (owners and superusers otherwise bypass RLS).
APP_ROLE = "dentalagent_app"
TENANT_SETTING = "app.tenant_id"


def normalize_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if not url.startswith("postgresql+psycopg://"):
        raise ConfigError(f"DATABASE_URL must be a postgresql:// URL (PostgreSQL is the only supported database), got {make_url(url).drivername}://...")
    return url


def describe_url(url: str) -> str:
    """The URL without its password, fit for an error line."""
    return make_url(url).render_as_string(hide_password=True)


class Database:
    """An engine, its sessions, and the facts about the server it talks to."""

    def __init__(self, url: str, connect_timeout_s: int = 5) -> None:
        self.url = normalize_url(url)
        self.engine: Engine = create_engine(
            self.url, pool_pre_ping=True, connect_args={"connect_timeout": connect_timeout_s}
        )
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.server_version = ""
        self.has_vector = False

    def verify(self) -> Database:
        """Connect once, fail fast with one line, and record server version and pgvector."""
        try:
            with self.engine.connect() as conn:
                self.server_version = conn.execute(text("SHOW server_version")).scalar_one()
                self.has_vector = bool(
                    conn.execute(
                        text("SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'")
                    ).scalar_one()
                )
        except OperationalError as exc:
            raise ConfigError(f"cannot connect to PostgreSQL at {describe_url(self.url)}: {_first_line(exc)}") from None
        # Read by core_schema.models.base.Embedding to pick vector(1536) or real[].
        self.engine.dialect.dentalagent_has_vector = self.has_vector  # type: ignore[attr-defined]
        return self

    @contextmanager
    def tenant_session(self, tenant_id: uuid.UUID | str) -> Iterator[Session]:
        """One transaction that can only see and change rows of ``tenant_id``.

        Commits on success, rolls back on error. The role switch and the tenant setting are
        transaction-local, so a pooled connection never carries them into another request.
        """
        tid = str(uuid.UUID(str(tenant_id)))
        with self.sessions() as session, session.begin():
            # One round trip: SET LOCAL ROLE and the tenant setting, both transaction-local.
            session.execute(
                text("SELECT set_config('role', :role, true), set_config(:k, :v, true)"),
                {"role": APP_ROLE, "k": TENANT_SETTING, "v": tid},
            )
            yield session

    @contextmanager
    def system_session(self) -> Iterator[Session]:
        """One transaction as the owning role: migrations, seed, cross-tenant sweepers only."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = [ln.strip() for ln in str(orig).strip().splitlines() if ln.strip()]
    return lines[0] if lines else type(orig).__name__


def database_url(settings: Settings) -> str:
    """The server URL, starting the embedded server when none is configured."""
    if settings.database_url:
        return normalize_url(settings.database_url)
    return embedded.start_postgres(settings.home)


@lru_cache(maxsize=1)
def get_database() -> Database:
    """The process-wide database (tests clear this cache to switch databases)."""
    settings = get_settings()
    return Database(database_url(settings), settings.connect_timeout_s).verify()
