"""Per-tenant, per-tool call limits in Redis (fixed one-minute windows).

Redis is a cache (architecture: its loss degrades): while it is unreachable, the calls are
counted in this process instead, so a limit still holds per process and a read of the chart
does not fail because a counter could not be written.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import Any

from redis.exceptions import RedisError

from core_schema.redis_store import key

log = logging.getLogger(__name__)

_local: dict[str, int] = {}  # counter key -> calls, while Redis is down
_local_lock = threading.Lock()


def allow(redis: Any, tenant_id: uuid.UUID, tool_name: str, limit: int | None) -> bool:
    """Count one call; False when this minute's calls for this tenant and tool exceed ``limit``."""
    if not limit:
        return True
    window = int(time.time() // 60)
    counter = key("tools", "rate_limit", tenant_id, tool_name, window)
    try:
        pipe = redis.pipeline()
        pipe.incr(counter)
        pipe.expire(counter, 120)
        count, _ = pipe.execute()
    except RedisError as exc:
        log.warning("Redis unavailable, the rate limit of %s is counted in this process: %s", tool_name, exc)
        count = _count_locally(counter, window)
    return int(count) <= limit


def _count_locally(counter: str, window: int) -> int:
    """One more call on ``counter`` in this process; counters of past windows are dropped."""
    suffix = f":{window}"
    with _local_lock:
        for stale in [k for k in _local if not k.endswith(suffix)]:
            del _local[stale]
        _local[counter] = _local.get(counter, 0) + 1
        return _local[counter]
