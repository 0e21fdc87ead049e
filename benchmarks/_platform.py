"""A throwaway migrated + seeded platform for a benchmark run (embedded unless DATABASE_URL is set)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def bench_platform() -> Iterator[None]:
    """Embedded: a fresh home. Server mode: a fresh database on that server, dropped at the end."""
    home = tempfile.mkdtemp(prefix="dentalagent-bench-")
    os.environ["DENTALAGENT_HOME"] = home
    os.environ.setdefault("DENTALAGENT_REDIS_PREFIX", f"bench:{os.getpid()}:")
    server_url = os.environ.get("DATABASE_URL")
    scratch = f"da_bench_{os.getpid()}"
    if server_url:
        import psycopg
        from sqlalchemy.engine import make_url

        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{scratch}"')
        os.environ["DATABASE_URL"] = make_url(server_url).set(database=scratch).render_as_string(hide_password=False)
    from core_schema import migrate
    from core_schema.db import get_database
    from core_schema.seed.demo import seed

    db = get_database()
    migrate.upgrade(db)
    with db.system_session() as s:
        seed(s)
    try:
        yield
    finally:
        from core_schema import embedded

        db.dispose()
        for server in embedded._SERVERS:
            server.cleanup()
        shutil.rmtree(home, ignore_errors=True)
        if server_url:
            import psycopg

            os.environ["DATABASE_URL"] = server_url
            with psycopg.connect(server_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


