"""Sign-in throttling: failed attempts counted per client in Redis (``auth:rate_limit:{client}:{window}``).

A client is the caller's address plus the account it tries, hashed: one account cannot be
guessed at quickly, and one noisy caller does not lock others out.
"""

from __future__ import annotations

import hashlib
import time

from core_schema.errors import DomainError
from core_schema.redis_store import get_redis, key
from core_schema.settings import get_settings


class TooManyAttempts(DomainError):
    """Past the limit: 429 with the seconds until the window closes."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("too_many_attempts", f"too many failed sign-in attempts: try again in {retry_after} s", 429)
        self.retry_after = retry_after


def _window() -> tuple[int, int, int]:
    """The current window's number, its size and the seconds left in it."""
    size = get_settings().login_window_s
    now = int(time.time())
    return now // size, size, size - now % size


def _key(address: str, account: str, window: int) -> str:
    client = hashlib.sha256(f"{address}|{account.strip().lower()}".encode()).hexdigest()[:32]
    return key("auth", "rate_limit", client, window)


def check(address: str, account: str) -> None:
    """Raise ``TooManyAttempts`` when this client used up its failed attempts.

    The failures of this window and the one before both count, so the limit does not reset
    the moment a window turns over.
    """
    window, size, left = _window()
    current, previous = get_redis().mget(_key(address, account, window), _key(address, account, window - 1))
    if int(current or 0) + int(previous or 0) >= get_settings().login_attempts:
        raise TooManyAttempts(left + size if current else left)


def failed(address: str, account: str) -> None:
    """Count one failed attempt (the counter lives two windows)."""
    window, size, left = _window()
    name = _key(address, account, window)
    redis = get_redis()
    redis.incr(name)
    redis.expire(name, left + size + 1)
