"""Helpers of the object-storage tests: an S3 server on loopback (moto's server mode: the real
S3 wire protocol over HTTP) and the environment of a second process that shares only
PostgreSQL, Redis and the object store with the first.

Why here: the storage, voice and imaging suites all point processes with different homes at
one store and check that nothing is left in the first home.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core_schema.settings import get_settings
from core_schema.storage import blob_store

BUCKET = "dentalagent-test"


@contextmanager
def moto_s3() -> Iterator[dict[str, str]]:
    """A fresh S3 server on 127.0.0.1 with one bucket; yields the settings that point at it
    (under a prefix of its own)."""
    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {"DENTALAGENT_STORAGE_URL": f"s3://{BUCKET}/run-{uuid.uuid4().hex[:8]}",
           "DENTALAGENT_S3_ENDPOINT_URL": f"http://{host}:{port}", "DENTALAGENT_S3_REGION": "us-east-1",
           "DENTALAGENT_S3_ACCESS_KEY_ID": "test-key", "DENTALAGENT_S3_SECRET_ACCESS_KEY": "test-secret"}
    boto3.client("s3", endpoint_url=env["DENTALAGENT_S3_ENDPOINT_URL"], region_name="us-east-1",
                 aws_access_key_id="test-key", aws_secret_access_key="test-secret").create_bucket(Bucket=BUCKET)
    try:
        yield env
    finally:
        server.stop()


@contextmanager
def process_env(env: dict[str, str]) -> Iterator[None]:
    """This process (and the children it spawns) on ``env`` while the block runs."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    get_settings.cache_clear()
    blob_store.cache_clear()
    try:
        yield
    finally:
        for k, v in saved.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
        get_settings.cache_clear()
        blob_store.cache_clear()


def servers_env(platform) -> dict[str, str]:
    """PostgreSQL and Redis of the session by URL, so a process with another home reaches the
    same servers (in embedded mode they live in the session's home)."""
    if platform.mode == "server":
        return {}
    from sqlalchemy.engine import make_url

    return {"DATABASE_URL": make_url(platform.db.url).render_as_string(hide_password=False),
            "REDIS_URL": f"unix://{platform.redis.socket_file}"}


def files_under(home: Path, *folders: str) -> list[Path]:
    """The recordings, images and objects a home holds."""
    return [p for f in folders or ("recordings", "images", "objects") if (home / f).is_dir()
            for p in (home / f).rglob("*") if p.is_file()]
