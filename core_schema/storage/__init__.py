"""Object storage: one ``BlobStore`` interface, a folder backend and an S3 backend.

``blob_store()`` is the process's store, chosen by ``DENTALAGENT_STORAGE_URL``:
``file:///path`` (``LocalBlobStore``; unset means ``$DENTALAGENT_HOME/objects``) or
``s3://bucket/prefix`` (``S3BlobStore``, endpoint, credentials and encryption from the
``DENTALAGENT_S3_*`` settings). Slices store and read through ``blobs`` (tenant-checked);
``lifecycle`` erases a patient's objects, verifies rows against objects and migrates a home.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from core_schema.errors import ConfigError
from core_schema.handles import process_handle
from core_schema.settings import Settings, get_settings
from core_schema.storage.base import BlobMissing, BlobStore, StorageError, StorageUnavailable, content_key
from core_schema.storage.local import LocalBlobStore

__all__ = ["BlobMissing", "BlobStore", "LocalBlobStore", "StorageError", "StorageUnavailable", "blob_store", "content_key", "default_root",
           "store_for"]


def default_root(settings: Settings) -> Path:
    """The embedded default: ``$DENTALAGENT_HOME/objects``."""
    return Path(settings.home).expanduser().resolve() / "objects"


def store_for(settings: Settings) -> BlobStore:
    """The store ``settings`` name (``ConfigError`` for a URL that names none)."""
    url = settings.storage_url
    if not url:
        return LocalBlobStore(default_root(settings))
    parsed = urlparse(url)
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost") or not parsed.path:
            raise ConfigError(f"DENTALAGENT_STORAGE_URL: a folder is file:///absolute/path, got {url!r}")
        return LocalBlobStore(Path(unquote(parsed.path)))
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise ConfigError(f"DENTALAGENT_STORAGE_URL: s3://bucket/prefix needs a bucket, got {url!r}")
        from core_schema.storage.s3 import S3BlobStore  # boto3 is loaded only by processes that use S3

        return S3BlobStore(parsed.netloc, parsed.path, endpoint_url=settings.s3_endpoint_url, region=settings.s3_region,
                           access_key_id=settings.s3_access_key_id, secret_access_key=settings.s3_secret_access_key,
                           sse=settings.s3_sse, kms_key_id=settings.s3_kms_key_id, max_attempts=settings.s3_max_attempts)
    raise ConfigError(f"DENTALAGENT_STORAGE_URL must be file:///path or s3://bucket/prefix, got {url!r}")


@process_handle
def blob_store() -> BlobStore:
    """The process's object store (tests clear the cache to switch)."""
    return store_for(get_settings())
