"""Start-up facts shared by the CLI, the API and ``doctor``: mode, versions, readiness."""

from __future__ import annotations

from typing import Any

from core_schema import migrate
from core_schema.db import get_database
from core_schema.redis_store import get_redis
from core_schema.settings import get_settings


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
    }
