"""The blob store: one interface, a folder and an S3 server (moto's server mode, real HTTP).

Both backends store once per content, stream reads, list and delete; S3 objects are encrypted
at rest, never public, and readable by a presigned URL; a key of another clinic reads as
missing (404) exactly like a key never written.
"""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from core_schema.errors import ConfigError
from core_schema.settings import Settings
from core_schema.storage import BlobMissing, BlobStore, LocalBlobStore, blob_store, blobs, store_for
from core_schema.storage.base import check_key, content_key, digest_of, sha256
from tests.object_store import moto_s3, process_env

CLINIC_A, CLINIC_B = uuid.UUID(int=0xA), uuid.UUID(int=0xB)


@pytest.fixture(scope="module")
def s3_env() -> Iterator[dict[str, str]]:
    with moto_s3() as env:
        yield env


@pytest.fixture(params=["folder", "s3"])
def store_env(request, tmp_path: Path, s3_env: dict[str, str]) -> Iterator[BlobStore]:
    """The process's store is a fresh folder, or a fresh prefix of the S3 server's bucket."""
    if request.param == "folder":
        env = {"DENTALAGENT_STORAGE_URL": (tmp_path / "objects").as_uri()}
    else:
        env = {**s3_env, "DENTALAGENT_STORAGE_URL": f"{s3_env['DENTALAGENT_STORAGE_URL']}-{uuid.uuid4().hex[:6]}"}
    with process_env(env):
        yield blob_store()


def test_put_once_stream_list_delete(store_env: BlobStore) -> None:
    store = store_env
    data = bytes(range(256)) * 1000  # 256 kB: read back in several chunks
    key = content_key(CLINIC_A, "recordings", data, "wav")
    assert key == f"{CLINIC_A}/recordings/{sha256(data)[:2]}/{sha256(data)}.wav" and digest_of(key) == sha256(data)
    assert store.put(key, data) is True and store.put(key, data) is False  # content-addressed: stored once
    chunks = list(store.stream(key, chunk_size=64 * 1024))
    assert len(chunks) >= 4 and b"".join(chunks) == data and store.size(key) == len(data)
    assert list(store.keys(f"{CLINIC_A}/")) == [key] and list(store.keys(f"{CLINIC_B}/")) == []
    assert store.delete(key) is True and store.delete(key) is False and not store.exists(key)
    with pytest.raises(BlobMissing) as missing:
        store.stream(key)
    assert missing.value.status == 404


@pytest.mark.parametrize("bad", ["../etc/passwd", f"{CLINIC_A}/../../x", f"{CLINIC_A}/images/ab/{'0' * 64}.png/..",
                                 "/abs/path", f"{CLINIC_A}/images/ab/{'g' * 64}.png"])
def test_only_our_keys_are_keys(bad: str) -> None:
    with pytest.raises(BlobMissing):
        check_key(bad)


def test_another_clinic_never_reads_an_object_by_key(store_env: BlobStore) -> None:
    key = blobs.put(CLINIC_A, "images", b"a radiograph of clinic A", "png", "image/png")
    assert blobs.read(CLINIC_A, key) == b"a radiograph of clinic A"
    for attempt in (lambda: blobs.read(CLINIC_B, key), lambda: blobs.presign(CLINIC_B, key),
                    lambda: blobs.stream(CLINIC_B, key.replace(str(CLINIC_A), f"{CLINIC_B}/../{CLINIC_A}"))):
        with pytest.raises(BlobMissing) as refused:
            attempt()
        assert refused.value.status == 404 and refused.value.code == "not_found"
    assert not blobs.exists(CLINIC_B, key) and blobs.exists(CLINIC_A, key)


def test_s3_objects_are_encrypted_private_and_presigned(s3_env: dict[str, str]) -> None:
    with process_env(s3_env):
        key = blobs.put(CLINIC_A, "images", b"encrypted at rest", "png")  # the media type follows the extension
        store = blob_store()
        head = store.head(key)  # type: ignore[attr-defined]
        assert head["ServerSideEncryption"] == "AES256" and head["ContentType"] == "image/png"
        url = blobs.presign(CLINIC_A, key)
    assert url is not None and "X-Amz-Expires=300" in url and "X-Amz-Signature=" in url
    with urllib.request.urlopen(url) as presigned:
        assert presigned.read() == b"encrypted at rest"
    plain = url.split("?", 1)[0]  # the same object without a signature: refused
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(plain)
    assert anonymous.value.code == 403


def test_kms_key_when_configured(s3_env: dict[str, str]) -> None:
    import boto3

    kms = boto3.client("kms", endpoint_url=s3_env["DENTALAGENT_S3_ENDPOINT_URL"], region_name="us-east-1",
                       aws_access_key_id="test-key", aws_secret_access_key="test-secret")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    with process_env({**s3_env, "DENTALAGENT_S3_KMS_KEY_ID": key_id}):
        key = blobs.put(CLINIC_A, "findings", b'{"findings": []}', "json")
        head = blob_store().head(key)  # type: ignore[attr-defined]
    assert head["ServerSideEncryption"] == "aws:kms" and key_id in head["SSEKMSKeyId"]


def test_an_unreachable_store_is_transient_and_names_no_secret(tmp_path: Path) -> None:
    import socket

    from core_schema.storage import StorageUnavailable
    from workflows.engine import TRANSIENT

    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {"DENTALAGENT_STORAGE_URL": "s3://bucket/p", "DENTALAGENT_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
           "DENTALAGENT_S3_ACCESS_KEY_ID": "key-id-123", "DENTALAGENT_S3_SECRET_ACCESS_KEY": "very-secret-456",
           "DENTALAGENT_S3_MAX_ATTEMPTS": "1"}
    with process_env(env), pytest.raises(StorageUnavailable) as down:
        blobs.read(CLINIC_A, content_key(CLINIC_A, "images", b"x", "png"))
    assert down.value.status == 503 and isinstance(down.value, TRANSIENT)  # a run meeting it is resumed, not failed
    assert "secret" not in down.value.message and "key-id" not in down.value.message


def test_storage_url_picks_the_backend(tmp_path: Path) -> None:
    assert isinstance(store_for(Settings(home=tmp_path)), LocalBlobStore)
    assert store_for(Settings(home=tmp_path)).url == (tmp_path / "objects").resolve().as_uri()
    for bad in ("ftp://x/y", "s3:///prefix", "file://host/x"):
        with pytest.raises(ConfigError, match="DENTALAGENT_STORAGE_URL"):
            store_for(Settings(home=tmp_path, storage_url=bad))
