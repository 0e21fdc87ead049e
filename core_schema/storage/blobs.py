"""Storing and reading a clinic's objects: every read checks the key's clinic first.

A row's reference is a key (``{tenant}/{kind}/..``) or, for rows written before object storage,
a ``file://`` URI under this process's home (still readable here; ``storage migrate`` moves
them into the store and rewrites the row). A key of another clinic reads as missing (404),
exactly like a key that was never written.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

from core_schema.settings import get_settings
from core_schema.storage import blob_store
from core_schema.storage.base import CHUNK, BlobMissing, check_key, content_key, content_type, file_chunks, tenant_of


def put(tenant_id: uuid.UUID, kind: str, data: bytes, ext: str, media_type: str | None = None) -> str:
    """Store ``data`` for the clinic (once per content); returns its key."""
    key = content_key(tenant_id, kind, data, ext)
    blob_store().put(key, data, media_type or content_type(kind, ext.lower()))
    return key


def legacy_path(ref: str) -> Path | None:
    """The file a pre-storage ``file://`` reference names, or None for a key."""
    if not ref.startswith("file:"):
        return None
    return Path(unquote(urlparse(ref).path))


def legacy_allowed(tenant_id: uuid.UUID, path: Path) -> bool:
    """Whether a pre-storage file is the clinic's: under this home's ``recordings/{tenant}`` or ``images/{tenant}``."""
    home = Path(get_settings().home).expanduser().resolve()
    try:
        inside = path.resolve().relative_to(home)
    except ValueError:
        return False
    return len(inside.parts) >= 2 and inside.parts[0] in ("recordings", "images") and inside.parts[1] == str(tenant_id)


def stream(tenant_id: uuid.UUID, ref: str, chunk_size: int = CHUNK) -> Iterator[bytes]:
    """The object's bytes in chunks; ``BlobMissing`` (404) before the first chunk when it cannot be read."""
    path = legacy_path(ref)
    if path is not None:
        if not legacy_allowed(tenant_id, path) or not path.is_file():
            raise BlobMissing(path.name)
        return file_chunks(open(path, "rb"), chunk_size)
    key = check_key(ref)
    if tenant_of(key) != str(tenant_id):
        raise BlobMissing(key)
    return blob_store().stream(key, chunk_size)


def read(tenant_id: uuid.UUID, ref: str) -> bytes:
    return b"".join(stream(tenant_id, ref))


def exists(tenant_id: uuid.UUID, ref: str) -> bool:
    try:
        path = legacy_path(ref)
        if path is not None:
            return legacy_allowed(tenant_id, path) and path.is_file()
        key = check_key(ref)
        return tenant_of(key) == str(tenant_id) and blob_store().exists(key)
    except BlobMissing:
        return False


def presign(tenant_id: uuid.UUID, ref: str) -> str | None:
    """A short-lived download URL for one of the clinic's objects (None when the store has none)."""
    if legacy_path(ref) is not None:
        return None  # a pre-storage file: the API streams it
    key = check_key(ref)
    if tenant_of(key) != str(tenant_id) or not blob_store().exists(key):
        raise BlobMissing(key)
    return blob_store().presign(key, get_settings().presign_ttl_s)
