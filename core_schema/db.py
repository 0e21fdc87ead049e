"""PostgreSQL access: an owner engine for migrations and sweepers, an app engine for tenants.

Tenant sessions log in as ``dentalagent_app``, a role that owns nothing and can become no one
else, and bind their clinic with a token signed by a per-database key the role cannot read
(migrations 0003, 0006), so even raw SQL in a tenant session stays inside its clinic. The
token is signed for one backend and sent as a bound parameter: seen elsewhere, it binds
nothing. A pooled connection is wiped each time it changes hands, and its
session parameters are pinned when it connects, so nothing one clinic's SQL leaves on it
reaches the next.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from core_schema import embedded
from core_schema.errors import ConfigError
from core_schema.handles import process_handle
from core_schema.settings import Settings, get_settings

# Login role of every tenant session: not a superuser, member of no role, owner of nothing.
APP_ROLE = "dentalagent_app"
TENANT_SETTING = "app.tenant_id"
# Sent as a bound parameter: pg_stat_activity shows ``$1``, never the token.
_BIND = f"SELECT set_config('{TENANT_SETTING}', %(token)s, true)"
# Role defaults (``ALTER ROLE ... SET``) reach a session at connect; none should exist for the app role.
_ROLE_DEFAULTS = "SELECT count(*) FROM pg_db_role_setting WHERE setrole = current_user::regrole"

log = logging.getLogger(__name__)


def tenant_token(key: bytes, tenant_id: str, backend_pid: int, nonce: str | None = None) -> str:
    """``<uuid>.<pid>.<nonce>.<signature>``: what app_current_tenant() (migration 0006) accepts,
    on backend ``backend_pid`` only. A fresh nonce per transaction: no two bindings are alike."""
    body = f"{tenant_id}.{backend_pid}.{nonce or secrets.token_hex(8)}"
    inner = hashlib.sha256(key + body.encode()).digest()
    return f"{body}.{hashlib.sha256(key + inner).hexdigest()}"


def tenant_lock(session: Session, key: str) -> None:
    """A transaction-level lock on ``key`` within the session's clinic (``app_tenant_lock``, 0006):
    the app role cannot take raw advisory locks, so no clinic can hold one another needs."""
    session.execute(text("SELECT app_tenant_lock(:k)"), {"k": key})


def _pinned_options(settings: Settings) -> str:
    """Session parameters of every tenant connection, given at connect: they outrank any
    ``ALTER ROLE dentalagent_app SET`` and survive ``DISCARD ALL``."""
    pinned = {
        "statement_timeout": str(settings.tenant_statement_timeout_ms),
        "lock_timeout": "0",
        "default_transaction_read_only": "off",
        "row_security": "on",
        "idle_in_transaction_session_timeout": "0",
    }
    return " ".join(f"-c {name}={value}" for name, value in pinned.items())


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
        # No pre-ping: the wipe of every checkout (below) is the liveness check too.
        self.app_engine: Engine = create_engine(
            self.app_url, connect_args={**connect_args, "options": _pinned_options(get_settings())})
        event.listen(self.app_engine, "connect", self._check_role_defaults)
        event.listen(self.app_engine, "checkout", _wipe_on_checkout)
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
            engine.dialect.dentalagent_has_vector = self.has_vector  # type: ignore[attr-defined]  # our flag on the SQLAlchemy dialect, read by models.base.Embedding
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

    @property
    def runs_channel(self) -> str:
        """The NOTIFY channel of run changes, named from the key: the app role can LISTEN to
        any channel it can name, and it cannot name this one."""
        return "dentalagent_runs_" + hashlib.sha256(self.tenant_key() + b"runs").hexdigest()[:24]

    def catalog_sealed(self) -> bool | None:
        """Whether migration 0006 could revoke the cross-backend catalog from PUBLIC (it needs a
        superuser): the app role then cannot read other sessions' activity or take advisory locks.
        None before the schema (and the role) exist."""
        with self.engine.connect() as conn:
            if conn.execute(text(f"SELECT to_regrole('{APP_ROLE}')")).scalar_one() is None:
                return None
            return not conn.execute(text(
                f"SELECT has_function_privilege('{APP_ROLE}', 'pg_advisory_lock(bigint)', 'EXECUTE') "
                f"OR has_table_privilege('{APP_ROLE}', 'pg_catalog.pg_stat_activity', 'SELECT')")).scalar_one()

    def _check_role_defaults(self, dbapi_conn: psycopg.Connection, record: object) -> None:
        """A new tenant connection that carries role defaults someone stored with
        ``ALTER ROLE ... SET`` (from a tenant session, say): clear them as the owner, and
        have the pool throw this connection away at checkout."""
        with dbapi_conn.cursor() as cur:
            tampered = cur.execute(_ROLE_DEFAULTS).fetchone()
        dbapi_conn.rollback()
        if tampered and tampered[0]:
            log.warning("security: %s had %d stored role default(s); cleared them", APP_ROLE, tampered[0])
            self.clear_role_defaults()
            record.info["discard"] = True  # type: ignore[attr-defined]  # the pool's connection record (typed as a DBAPI connection by the event)

    def clear_role_defaults(self) -> None:
        """``ALTER ROLE dentalagent_app RESET ALL``, everywhere and in this database, as the owner."""
        with self.engine.connect() as conn:
            database = conn.execute(text("SELECT current_database()")).scalar_one()
            conn.exec_driver_sql(f"ALTER ROLE {APP_ROLE} RESET ALL")
            conn.exec_driver_sql(f'ALTER ROLE {APP_ROLE} IN DATABASE "{database}" RESET ALL')
            conn.commit()

    @contextmanager
    def tenant_session(self, tenant_id: uuid.UUID | str) -> Iterator[Session]:
        """One transaction, as the app role, that can only see and change rows of ``tenant_id``.

        Commits on success, rolls back on error. The connection was wiped when it was checked
        out; one round trip binds the clinic: a token signed for this backend, transaction-local,
        as a bound parameter.
        """
        tid = str(uuid.UUID(str(tenant_id)))
        key = self.tenant_key()
        with self.app_sessions() as session, session.begin():
            try:
                conn = session.connection()
                pid = conn.connection.driver_connection.info.backend_pid  # type: ignore[union-attr]  # a live session's connection always has its psycopg driver connection
                conn.exec_driver_sql(_BIND, {"token": tenant_token(key, tid, pid)})
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


# What a pooled tenant connection's previous user may have left: cursors WITH HOLD, session
# settings, LISTENs (the parts of DISCARD ALL that the app role can make use of: it has no
# TEMP privilege, no sequences and no advisory locks; and not DEALLOCATE ALL / DISCARD PLANS:
# planning RLS queries is the costly part of a small transaction, so psycopg's own prepared
# statements are kept). Then the prepared statements the session has: PREPAREd from SQL
# (``from_sql``), or made over the protocol (psycopg's).
_WIPE = ("CLOSE ALL; RESET ALL; UNLISTEN *; "
         "SELECT count(*) FILTER (WHERE from_sql), count(*) FILTER (WHERE NOT from_sql) FROM pg_prepared_statements")


def _wipe_on_checkout(dbapi_conn: psycopg.Connection, record: object, proxy: object) -> None:
    """Wipe a pooled tenant connection each time it changes hands, so nothing one clinic's SQL
    left on it reaches the next; replace it (the pool reconnects) when its prepared statements
    are not exactly psycopg's own: a statement PREPAREd in SQL could stand in for one of psycopg's
    and run with the next clinic's binding, a DEALLOCATEd one would fail the next clinic's query.
    A connection that does not answer, or carried tampered role defaults, is replaced too."""
    if record.info.get("discard"):  # type: ignore[attr-defined]  # the pool's connection record (typed as a DBAPI connection by the event)
        raise DisconnectionError("tenant connection carried stored role defaults")
    try:
        dbapi_conn.autocommit = True  # one implicit transaction for the whole simple query
        with dbapi_conn.cursor() as cur:
            cur.execute(_WIPE)
            while cur.nextset():
                pass
            from_sql, from_protocol = cur.fetchone() or (0, 0)
        dbapi_conn.autocommit = False
    except psycopg.Error as exc:
        raise DisconnectionError(str(exc)) from exc
    if from_sql or from_protocol != _prepared_by_psycopg(dbapi_conn):
        raise DisconnectionError("tenant connection had prepared statements that were not its own")


def _prepared_by_psycopg(dbapi_conn: psycopg.Connection) -> int:
    """How many statements psycopg prepared on this connection (psycopg keeps no public count;
    its PrepareManager's names are its record)."""
    names = getattr(getattr(dbapi_conn, "_prepared", None), "_names", None)
    return len(names) if names is not None else -1  # unknown: never equal, so the connection is replaced


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


@process_handle
def get_database() -> Database:
    """The process-wide database (tests clear this cache to switch databases)."""
    settings = get_settings()
    return Database(database_url(settings), settings.connect_timeout_s, settings.app_db_password or "").verify()
