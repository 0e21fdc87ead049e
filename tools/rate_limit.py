"""Per-tenant, per-tool call limits in Redis (fixed one-minute windows)."""

from __future__ import annotations

import time
import uuid
from typing import Any

from core_schema.redis_store import key


def allow(redis: Any, tenant_id: uuid.UUID, tool_name: str, limit: int | None) -> bool:
    """Count one call; False when this minute's calls for this tenant and tool exceed ``limit``."""
    if not limit:
        return True
    window = int(time.time() // 60)
    counter = key("tools", "rate_limit", tenant_id, tool_name, window)
    pipe = redis.pipeline()
    pipe.incr(counter)
    pipe.expire(counter, 120)
    count, _ = pipe.execute()
    return int(count) <= limit
