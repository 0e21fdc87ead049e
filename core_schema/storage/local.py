"""``LocalBlobStore``: objects as files under one folder (``file:///path``), the embedded default.

A folder several processes mount (an NFS share) works the same; writes go to a temporary name
first and are renamed into place, so a reader never sees half an object.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from core_schema.storage.base import CHUNK, BlobMissing, BlobStore, check_key, file_chunks


class LocalBlobStore(BlobStore):
    def __init__(self, root: Path) -> None:
        self.root = root.expanduser().resolve()
        self.url = self.root.as_uri()

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> bool:
        path = self.path(key)
        if path.exists():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}.part")
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)  # never readable by other users of the machine
        tmp.replace(path)
        return True

    def stream(self, key: str, chunk_size: int = CHUNK) -> Iterator[bytes]:
        try:
            f = open(self.path(key), "rb")  # closed by file_chunks
        except FileNotFoundError:
            raise BlobMissing(key) from None
        return file_chunks(f, chunk_size)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            raise BlobMissing(key) from None

    def delete(self, key: str) -> bool:
        try:
            self.path(key).unlink()
            return True
        except FileNotFoundError:
            return False

    def keys(self, prefix: str = "") -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.endswith(".part"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key
