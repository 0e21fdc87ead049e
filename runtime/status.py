"""Start-up facts shared by the CLI, the API and ``doctor``: mode, versions, readiness."""

from __future__ import annotations

from typing import Any

from core_schema import migrate
from core_schema.db import get_database
from core_schema.redis_store import get_redis
from core_schema.settings import get_settings
from core_schema.storage import blob_store


def platform_status() -> dict[str, Any]:
    """Connect to PostgreSQL and Redis (starting embedded ones if configured) and describe them."""
    settings = get_settings()
    db = get_database()
    redis = get_redis()
    with db.engine.connect() as conn:
        vector_installed = bool(conn.exec_driver_sql("SELECT count(*) FROM pg_extension WHERE extname = 'vector'").scalar())
    return {
        "status": "ok",
        "mode": settings.mode,
        "home": str(settings.home.expanduser().resolve()),
        "postgres_version": db.server_version,
        "redis_version": redis.info("server")["redis_version"],
        "pgvector_available": db.has_vector,
        "pgvector_installed": vector_installed,
        "schema_revision": migrate.current(db),
        # False: the migrating role was no superuser, the app role still reaches pg_stat_activity (README).
        "tenant_catalog_sealed": db.catalog_sealed(),
        "storage": blob_store().url,  # where recordings and radiographs are (never credentials)
    }


def health() -> tuple[int, dict[str, Any]]:
    """``/healthz``: 200 and ``ok`` when PostgreSQL and Redis answer; else 503 and ``degraded``,
    naming what is down (``down``) and why (``errors``), with the facts that could still be read.

    Redis down leaves PostgreSQL's reads working (patients, charts, runs); PostgreSQL down leaves
    nearly nothing, but the answer still says which it is.
    """
    settings = get_settings()
    body: dict[str, Any] = {"status": "ok", "mode": settings.mode, "home": str(settings.home.expanduser().resolve())}
    errors: dict[str, str] = {}
    try:
        db = get_database()
        with db.engine.connect() as conn:
            body["pgvector_installed"] = bool(conn.exec_driver_sql(
                "SELECT count(*) FROM pg_extension WHERE extname = 'vector'").scalar())
        body.update(postgres_version=db.server_version, pgvector_available=db.has_vector,
                    schema_revision=migrate.current(db))
    except Exception as exc:
        errors["postgres"] = _one_line(exc)
    try:
        body["redis_version"] = get_redis().info("server")["redis_version"]
    except Exception as exc:
        errors["redis"] = _one_line(exc)
    if not errors:
        return 200, body
    return 503, {**body, "status": "degraded", "down": sorted(errors), "errors": errors}


def _one_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
