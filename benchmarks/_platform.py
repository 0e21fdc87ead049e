"""A throwaway migrated + seeded platform for a benchmark run (embedded unless DATABASE_URL is set)."""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def bench_platform() -> Iterator[None]:
    home = tempfile.mkdtemp(prefix="dentalagent-bench-")
    os.environ["DENTALAGENT_HOME"] = home
    os.environ.setdefault("DENTALAGENT_REDIS_PREFIX", f"bench:{os.getpid()}:")
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

        for server in embedded._SERVERS:
            server.cleanup()
        shutil.rmtree(home, ignore_errors=True)


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of ``values``."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1]
