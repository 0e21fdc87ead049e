"""``S3BlobStore``: objects in an S3-compatible bucket (``s3://bucket/prefix``: AWS S3, MinIO...).

Every object is written with server-side encryption (SSE-S3, or SSE-KMS with the configured
key) and no ACL beyond the bucket owner's; reads stream the body; presigned URLs are GETs that
expire after the configured seconds. The endpoint and credentials come from the settings
(``DENTALAGENT_S3_*``) or, when unset, boto3's usual chain (``AWS_*`` variables, profiles, roles).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from core_schema.storage.base import CHUNK, BlobMissing, BlobStore, StorageError, StorageUnavailable, check_key

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_ABSENT = {"404", "NoSuchKey", "NotFound"}
_TRANSIENT = {"500", "502", "503", "504", "InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout"}
T = TypeVar("T")


class S3BlobStore(BlobStore):
    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None, region: str | None = None,
                 access_key_id: str | None = None, secret_access_key: str | None = None,
                 sse: str = "AES256", kms_key_id: str | None = None, max_attempts: int = 3) -> None:
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.url = f"s3://{bucket}/{self.prefix}".rstrip("/")
        self.client: S3Client = boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region or "us-east-1",
            aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key,
            config=Config(signature_version="s3v4", retries={"max_attempts": max_attempts, "mode": "standard"},
                          s3={"addressing_style": "path" if endpoint_url else "auto"}))
        self._encryption: dict[str, Any] = {}
        if kms_key_id:
            self._encryption = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id}
        elif sse != "none":
            self._encryption = {"ServerSideEncryption": sse}

    def _name(self, key: str) -> str:
        return f"{self.prefix}/{check_key(key)}" if self.prefix else check_key(key)

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> bool:
        if self.exists(key):
            return False
        _guard(key, lambda: self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data,
                                                   ContentType=content_type, **self._encryption))
        return True

    def stream(self, key: str, chunk_size: int = CHUNK) -> Iterator[bytes]:
        body = _guard(key, lambda: self.client.get_object(Bucket=self.bucket, Key=self._name(key)))["Body"]
        return _chunks(body, chunk_size)

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
            return True
        except BlobMissing:
            return False

    def size(self, key: str) -> int:
        return int(self.head(key)["ContentLength"])

    def head(self, key: str) -> dict[str, Any]:
        """The object's metadata as S3 reports it (its encryption, for the tests)."""
        return dict(_guard(key, lambda: self.client.head_object(Bucket=self.bucket, Key=self._name(key))))

    def delete(self, key: str) -> bool:
        there = self.exists(key)
        _guard(key, lambda: self.client.delete_object(Bucket=self.bucket, Key=self._name(key)))
        return there

    def keys(self, prefix: str = "") -> Iterator[str]:
        root = f"{self.prefix}/" if self.prefix else ""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=root + prefix)
        for page in _guard(prefix, lambda: list(pages)):
            for item in page.get("Contents", []):
                yield item["Key"][len(root):]

    def presign(self, key: str, ttl_s: int) -> str | None:
        return str(_guard(key, lambda: self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": self._name(key)}, ExpiresIn=ttl_s)))


def _chunks(body: Any, chunk_size: int) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(chunk_size)
    finally:
        body.close()


def _guard(key: str, call: Callable[[], T]) -> T:
    """``call()``; a 404 from the store -> ``BlobMissing``, unreachable or a server error ->
    ``StorageUnavailable`` (transient), any other refusal -> ``StorageError`` (the message names
    the S3 error code, never the credentials)."""
    try:
        return call()
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _ABSENT:
            raise BlobMissing(key) from None
        if code in _TRANSIENT:
            raise StorageUnavailable(f"the object store answered {code}; try again") from None
        raise StorageError(f"the object store refused: {code or 'error'}") from None
    except BotoCoreError as exc:
        raise StorageUnavailable(f"the object store cannot be reached: {type(exc).__name__}") from None
