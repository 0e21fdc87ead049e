"""A throwaway platform for evals that run the real workflow: private, seeded, removed after.

Why: the workflow solver writes voice sessions, runs and approval requests; an engineer
evaluating on a clinic's machine must never leave those in the clinic's data. With a
PostgreSQL server configured, a fresh database on that server (and a private Redis key
prefix) is used; in embedded mode, a fresh ``DENTALAGENT_HOME`` with its own servers.
The process's settings, database, Redis and engine handles point at the sandbox while it is
open and are put back afterwards (the same objects: ``core_schema.handles``).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core_schema.db import Database

log = logging.getLogger(__name__)

_ENV_KEYS = ("DENTALAGENT_HOME", "DATABASE_URL", "DENTALAGENT_DATABASE_URL", "REDIS_URL", "DENTALAGENT_REDIS_URL",
             "DENTALAGENT_REDIS_PREFIX", "DENTALAGENT_STORAGE_URL")  # the sandbox's objects: a folder in its home


def _set_aside() -> list[Callable[[], None]]:
    """Forget the process's platform handles (not closing them: their owner still uses them); the
    functions returned put those very handles back (not new copies: a second engine of the outer
    platform would advance its queued runs without what its callers registered on the first)."""
    from core_schema.db import get_database  # noqa: PLC0415
    from core_schema.redis_store import get_redis  # noqa: PLC0415
    from core_schema.settings import get_settings  # noqa: PLC0415
    from core_schema.storage import blob_store  # noqa: PLC0415
    from runtime.process import get_engine  # noqa: PLC0415

    return [handle.set_aside() for handle in (get_engine, get_settings, get_database, get_redis, blob_store)]


def _libpq(url: str, database: str | None = None) -> str:
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    u = make_url(url).set(drivername="postgresql")
    if database is not None:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)


def restore_environ(saved: dict[str, str | None]) -> None:
    """Put these environment variables back as they were (None: it was not set)."""
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def migrate_and_seed() -> Database:
    """Bring the process's (just re-pointed, empty) database to the schema's head and seed the demo
    clinic: how every private platform (an eval sandbox, a test session) starts; returns the database."""
    from core_schema import migrate  # noqa: PLC0415
    from core_schema.db import get_database  # noqa: PLC0415
    from core_schema.seed.demo import seed  # noqa: PLC0415

    db = get_database()
    migrate.upgrade(db)
    with db.system_session() as session:
        seed(session)
    return db


@contextmanager
def throwaway_platform() -> Iterator[Any]:
    """Yield the engine of a fresh migrated, seeded platform; delete everything on exit."""
    import psycopg  # noqa: PLC0415

    from core_schema import embedded  # noqa: PLC0415
    from core_schema.db import get_database  # noqa: PLC0415
    from core_schema.redis_store import get_redis  # noqa: PLC0415
    from core_schema.settings import get_settings  # noqa: PLC0415
    from runtime.process import get_engine  # noqa: PLC0415

    outer = get_settings()
    run_id = uuid.uuid4().hex[:10]
    home = Path(tempfile.mkdtemp(prefix=f"dentalagent-eval-{run_id}-"))
    env = {"DENTALAGENT_HOME": str(home)}
    db_name = f"da_eval_{run_id}"
    server_url = outer.database_url
    if server_url:
        try:
            with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{db_name}"')
        except Exception:
            shutil.rmtree(home, ignore_errors=True)
            raise
        env["DATABASE_URL"] = _libpq(server_url, db_name)
    if outer.redis_url:
        env["REDIS_URL"] = outer.redis_url
        env["DENTALAGENT_REDIS_PREFIX"] = f"{outer.redis_prefix}eval:{run_id}:"
    saved = {k: os.environ.get(k) for k in _ENV_KEYS}
    servers_before = len(embedded._SERVERS)
    for k in _ENV_KEYS:
        os.environ.pop(k, None)
    os.environ.update(env)
    put_back = _set_aside()
    try:
        migrate_and_seed()
        log.info("eval sandbox %s ready", run_id)
        yield get_engine()
    finally:
        try:
            if get_engine.cache_info().currsize:
                get_engine().close()
            get_database().dispose()
            redis = get_redis()
            if "DENTALAGENT_REDIS_PREFIX" in env:
                for key in redis.scan_iter(match=env["DENTALAGENT_REDIS_PREFIX"] + "*", count=1000):
                    redis.delete(key)
            else:
                redis.shutdown(nosave=True)  # the sandbox's own embedded Redis
        except Exception:  # noqa: BLE001 - cleanup goes on; the folder and database are removed below
            log.warning("eval sandbox %s: cleanup of connections failed", run_id, exc_info=True)
        for server in embedded._SERVERS[servers_before:]:
            try:
                server.cleanup()
            except Exception:  # noqa: BLE001
                log.warning("eval sandbox %s: embedded server cleanup failed", run_id, exc_info=True)
        del embedded._SERVERS[servers_before:]
        if server_url:
            with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        shutil.rmtree(home, ignore_errors=True)
        restore_environ(saved)
        _set_aside()  # the sandbox's handles, closed above
        for put in put_back:
            put()
