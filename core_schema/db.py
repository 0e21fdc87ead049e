"""PostgreSQL access: an owner engine for migrations and sweepers, an app engine for tenants.

Tenant sessions log in as ``dentalagent_app``, a role that owns nothing and can become no one
else, and bind their clinic with a token signed by a per-database key the role cannot read
(migration 0003), so even raw SQL in a tenant session stays inside its clinic.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from core_schema import embedded
from core_schema.errors import ConfigError
from core_schema.settings import Settings, get_settings

# Login role of every tenant session: not a superuser, member of no role, owner of nothing.
APP_ROLE = "dentalagent_app"
TENANT_SETTING = "app.tenant_id"


def tenant_token(key: bytes, tenant_id: str) -> str:
    """``<uuid>.<signature>``: what app_current_tenant() (migration 0003) accepts for ``tenant_id``."""
    inner = hashlib.sha256(key + tenant_id.encode()).digest()
    return f"{tenant_id}.{hashlib.sha256(key + inner).hexdigest()}"


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
    """The owner engine, the tenant (app role) engine, and facts about the server."""

    def __init__(self, url: str, connect_timeout_s: int = 5, app_password: str | None = None) -> None:
        self.url = normalize_url(url)
        connect_args = {"connect_timeout": connect_timeout_s}
        self.engine: Engine = create_engine(self.url, pool_pre_ping=True, connect_args=connect_args)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        if app_password is None:
            app_password = get_settings().app_db_password
        self.app_url = make_url(self.url).set(username=APP_ROLE, password=app_password or None).render_as_string(
            hide_password=False
        )
        self.app_engine: Engine = create_engine(self.app_url, pool_pre_ping=True, connect_args=connect_args)
        self.app_sessions = sessionmaker(self.app_engine, expire_on_commit=False)
        self.server_version = ""
        self.has_vector = False
        self._key: bytes | None = None
        self._key_lock = threading.Lock()

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
        for engine in (self.engine, self.app_engine):
            engine.dialect.dentalagent_has_vector = self.has_vector  # type: ignore[attr-defined]
        return self

    def tenant_key(self) -> bytes:
        """The per-database signing key, read once through the owner engine."""
        if self._key is None:
            with self._key_lock:
                if self._key is None:
                    try:
                        with self.engine.connect() as conn:
                            self._key = bytes(conn.execute(text("SELECT key FROM app_private.tenant_key")).scalar_one())
                    except DBAPIError as exc:
                        raise ConfigError(
                            f"the database has no tenant key ({_first_line(exc)}): run `dentalagent db upgrade` first"
                        ) from None
        return self._key

    def forget_key(self) -> None:
        """Drop the cached key (after a migration rebuilt it)."""
        self._key = None

    @contextmanager
    def tenant_session(self, tenant_id: uuid.UUID | str) -> Iterator[Session]:
        """One transaction, as the app role, that can only see and change rows of ``tenant_id``.

        Commits on success, rolls back on error. One round trip of setup: ``RESET ALL`` drops
        any session-level setting a previous user of this pooled connection left behind, then
        the signed tenant token is set transaction-local.
        """
        tid = str(uuid.UUID(str(tenant_id)))
        token = tenant_token(self.tenant_key(), tid)  # uuid and hex digits only: safe inline
        with self.app_sessions() as session, session.begin():
            try:
                session.connection().exec_driver_sql(f"RESET ALL; SELECT set_config('{TENANT_SETTING}', '{token}', true)")
            except OperationalError as exc:
                if not _is_login_refusal(exc):
                    raise  # the server is down or restarting: a transient failure, not a configuration one
                raise ConfigError(
                    f"cannot connect to PostgreSQL as {APP_ROLE} at {describe_url(self.app_url)}: {_first_line(exc)} "
                    "(run `dentalagent db upgrade`; set DENTALAGENT_APP_DB_PASSWORD if the server asks for one)"
                ) from None
            yield session

    @contextmanager
    def system_session(self) -> Iterator[Session]:
        """One transaction as the owning role: migrations, seed, cross-tenant sweepers, logins."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        self.app_engine.dispose()


def _is_login_refusal(exc: BaseException) -> bool:
    """The server answered and refused the app role (missing role, wrong or missing password)."""
    text_ = str(getattr(exc, "orig", None) or exc).lower()
    return any(m in text_ for m in ("authentication failed", "does not exist", "no password supplied",
                                    "not permitted to log in"))


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
    return Database(database_url(settings), settings.connect_timeout_s, settings.app_db_password or "").verify()
