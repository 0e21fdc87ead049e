"""Bad configuration fails fast with one clear line, never a traceback."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

import pytest


def _doctor(platform, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = platform.cli("doctor", env=env, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result


def test_unreachable_database(platform) -> None:
    result = _doctor(platform, {"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nowhere"})
    assert "cannot connect to PostgreSQL at" in result.stderr and "Connection refused" in result.stderr


def test_not_a_postgres_url(platform) -> None:
    result = _doctor(platform, {"DATABASE_URL": "mysql://root@127.0.0.1/test"})
    assert "PostgreSQL is the only supported database" in result.stderr


def test_unreachable_redis(platform) -> None:
    result = _doctor(platform, {"REDIS_URL": "redis://:s3cret@127.0.0.1:1/0"})
    assert "cannot connect to Redis at redis://127.0.0.1:1/0" in result.stderr
    assert "s3cret" not in result.stderr


def test_unwritable_home(platform, tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = {"DENTALAGENT_HOME": str(blocker / "home")}
    if "DATABASE_URL" in platform.env:  # the home is only used in embedded mode
        env["DATABASE_URL"] = ""
    result = _doctor(platform, env)
    assert "is not writable: Not a directory" in result.stderr


@pytest.fixture(scope="module")
def password_server():
    """A throwaway PostgreSQL that demands a password (pgserver, switched to scram auth)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver
    pgdata = Path(tempfile.mkdtemp(prefix="dentalagent-pw-")) / "pg"
    server = pgserver.get_server(pgdata, cleanup_mode="delete")
    server.psql("ALTER USER postgres PASSWORD 'right-password';")
    hba = pgdata / "pg_hba.conf"
    hba.write_text(hba.read_text().replace("trust", "scram-sha-256"))
    server.psql("SELECT pg_reload_conf();")
    yield server
    server.cleanup()
    shutil.rmtree(pgdata.parent, ignore_errors=True)


def test_wrong_password(platform, password_server) -> None:
    uri = str(password_server.get_uri()).replace("postgres:@", "postgres:wrong-password@")
    result = _doctor(platform, {"DATABASE_URL": uri})
    assert "password authentication failed" in result.stderr
    assert "wrong-password" not in result.stderr  # never echo the secret
