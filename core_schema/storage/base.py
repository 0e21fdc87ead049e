"""The blob store interface and its keys.

Every object (a recording, a radiograph, its renderings, a vendor findings file) is stored once
under a key named by the SHA-256 of its own bytes and prefixed by its clinic:
``{tenant}/{kind}/{sha[:2]}/{sha}.{ext}``. Rows keep the key, never a filesystem path; any
process reads the object back through the configured store (``core_schema.storage.blob_store``).
A key's name is also its checksum: ``storage verify`` recomputes it.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import BinaryIO

from core_schema.errors import DomainError, NotFound

KINDS = ("recordings", "images", "findings")
CHUNK = 64 * 1024
_KEY = re.compile(r"^(?P<tenant>[0-9a-f-]{36})/(?P<kind>[a-z]+)/(?P<fan>[0-9a-f]{2})/(?P<sha>[0-9a-f]{64})\.(?P<ext>[a-z0-9]{1,8})$")


class BlobMissing(NotFound):
    """The key names no stored object (deleted, never written, or another clinic's)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"stored object {key} not found")
        self.key = key


class StorageError(DomainError):
    """The object store refused (configuration, credentials, permissions)."""

    def __init__(self, message: str) -> None:
        super().__init__("storage_unavailable", message, 503)


class StorageUnavailable(StorageError):
    """The object store cannot be reached or answered a server error: transient, like a database
    restart (a run that meets it stays RUNNING and is resumed, ``workflows.engine.TRANSIENT``)."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_key(tenant_id: uuid.UUID | str, kind: str, data: bytes, ext: str) -> str:
    """The key of ``data``: tenant-prefixed and named by its SHA-256."""
    if kind not in KINDS:
        raise ValueError(f"unknown object kind {kind!r}")
    digest = sha256(data)
    return check_key(f"{uuid.UUID(str(tenant_id))}/{kind}/{digest[:2]}/{digest}.{ext.lower().lstrip('.')}")


_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "tif": "image/tiff", "tiff": "image/tiff",
          "dcm": "application/dicom", "json": "application/json"}


def content_type(kind: str, ext: str) -> str:
    """The media type an object of ``kind`` with extension ``ext`` is stored with."""
    return f"audio/{ext}" if kind == "recordings" else _TYPES.get(ext, "application/octet-stream")


def check_key(key: str) -> str:
    """``key`` if it is one of ours (no path tricks, no other shape); ``BlobMissing`` otherwise."""
    if not _KEY.match(key):
        raise BlobMissing(key[:120])
    return key


def digest_of(key: str) -> str:
    """The SHA-256 a key's name promises."""
    m = _KEY.match(key)
    if m is None:
        raise BlobMissing(key[:120])
    return m["sha"]


def tenant_of(key: str) -> str:
    m = _KEY.match(key)
    if m is None:
        raise BlobMissing(key[:120])
    return m["tenant"]


def file_chunks(f: BinaryIO, chunk_size: int = CHUNK) -> Iterator[bytes]:
    """An open file's bytes in chunks; the file is closed when they end (or the reader stops)."""
    with f:
        while chunk := f.read(chunk_size):
            yield chunk


def is_key(ref: str) -> bool:
    return bool(_KEY.match(ref))


class BlobStore(ABC):
    """Where objects live. Writes are idempotent (same key, same bytes); reads stream.

    Implementations: ``LocalBlobStore`` (a folder: the embedded default) and ``S3BlobStore``
    (any S3 API: AWS, MinIO). Nothing here knows tenants beyond the key's prefix: callers go
    through ``core_schema.storage.blobs``, which checks the prefix against the clinic first.
    """

    url: str

    @abstractmethod
    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> bool:
        """Store ``data`` under ``key`` unless it is there; True when it was written now."""

    @abstractmethod
    def stream(self, key: str, chunk_size: int = CHUNK) -> Iterator[bytes]:
        """The object's bytes in chunks; ``BlobMissing`` is raised here, before the first chunk."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def size(self, key: str) -> int:
        """The object's size in bytes (``BlobMissing`` when absent)."""

    @abstractmethod
    def delete(self, key: str) -> bool:
        """Remove the object; True when there was one."""

    @abstractmethod
    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key under ``prefix`` (for ``storage verify``)."""

    def presign(self, key: str, ttl_s: int) -> str | None:
        """A URL that reads the object for ``ttl_s`` seconds, or None (a folder has none: the API streams)."""
        return None

    def read(self, key: str) -> bytes:
        return b"".join(self.stream(key))
