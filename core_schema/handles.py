"""Process-wide handles built on first use: the settings, the database, the Redis client, the engine.

``@process_handle`` is ``functools.lru_cache(maxsize=1)`` for a function without arguments
(``cache_clear``, ``cache_info().currsize``) plus ``set_aside``: forget the handle for a while
and put the very same object back afterwards. An eval sandbox (``evals.sandbox``) points the
process at a private platform while it is open, then back at the handles its callers still hold,
not at new copies of them: a second engine of the same platform would advance queued runs
without what callers registered on the first, and leave the first one's pools open.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Generic, NamedTuple, TypeVar

T = TypeVar("T")


class CacheInfo(NamedTuple):
    currsize: int


class ProcessHandle(Generic[T]):
    """``build()``'s result, built once per process (until ``cache_clear`` or ``set_aside``)."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._held: list[T] = []  # the handle, once built
        functools.update_wrapper(self, build)

    def __call__(self) -> T:
        if not self._held:
            value = self._build()
            if not self._held:  # two first callers at once: the first one's handle is kept
                self._held.append(value)
        return self._held[0]

    def cache_clear(self) -> None:
        self._held.clear()

    def cache_info(self) -> CacheInfo:
        return CacheInfo(currsize=len(self._held))

    def set_aside(self) -> Callable[[], None]:
        """Forget the handle (the next call builds another); the function returned puts this one
        back, or none if none was built."""
        saved = list(self._held)
        self._held.clear()

        def put_back() -> None:
            self._held[:] = saved

        return put_back


def process_handle(build: Callable[[], T]) -> ProcessHandle[T]:
    return ProcessHandle(build)
