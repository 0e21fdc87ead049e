"""Redis access: one client per process, keys namespaced ``{service}:{resource}:{id}``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis

from core_schema import embedded
from core_schema.errors import ConfigError
from core_schema.handles import process_handle
from core_schema.settings import Settings, get_settings


def open_redis(settings: Settings) -> Any:
    """A connected client for ``REDIS_URL``, or the embedded server; fails fast with one line."""
    if not settings.redis_url:
        return embedded.start_redis(settings.home)
    try:
        client = redis.Redis.from_url(
            settings.redis_url,
            decode_responses=True,
            socket_connect_timeout=settings.connect_timeout_s,
            socket_timeout=settings.connect_timeout_s,
            retry=embedded.quick_retry(),
        )
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise ConfigError(f"cannot connect to Redis at {_without_password(settings.redis_url)}: {exc}") from None
    return client


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def key(*parts: object) -> str:
    """A namespaced key, prefixed per deployment (or per test run) by ``DENTALAGENT_REDIS_PREFIX``."""
    return get_settings().redis_prefix + ":".join(str(p) for p in parts)


@process_handle
def get_redis() -> Any:
    """The process-wide Redis client."""
    return open_redis(get_settings())
