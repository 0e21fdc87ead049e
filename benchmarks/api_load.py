"""HTTP API under load, and what the HTTP layer costs over calling the services directly.

1. The real app is started with uvicorn in a subprocess on a free loopback port. N clients
   (httpx.AsyncClient, each signed in as the demo dentist with its own bearer token) repeat
   a round for --rounds times: list their approvals, dictate a short sentence as text, approve
   what the dictation proposed. Throughput and p50/p95 per route.
2. The same rounds with the same concurrency (N threads) in this process, calling the
   services the routes call (no HTTP, no auth, no JSON); then the HTTP/in-process ratio of
   p50, p95 and throughput per route.

Loopback only; bounded by --clients (at most 32) and --rounds (at most 50) per client.

Usage: python -m benchmarks.api_load [--clients 8] [--rounds 5]   (embedded mode unless DATABASE_URL is set)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from benchmarks._platform import bench_platform
from core_schema.stats import percentile

PHRASES = ["caries on {t} mesial occlusal", "tooth {t} occlusal caries", "tooth {t} distal caries", "{t} buccal caries",
           "tooth {t} mesial caries"]
TEETH = ["14", "15", "16", "17", "24", "25", "26", "27", "34", "35", "36", "37", "44", "45", "46", "47"]
DENTIST = "dentist@demo.clinic"
LIST, DICTATE, APPROVE = "GET /api/v1/approvals", "POST /api/v1/dictations", "POST /api/v1/approvals/{id}/approve"
ROUTES = [LIST, DICTATE, APPROVE]


@dataclass
class Stats:
    """Latencies (ms) per route and failures by kind; shared by all clients of one phase."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)
    wall_s: float = 0.0

    def time(self, route: str, ms: float) -> None:
        with self.lock:
            self.latencies[route].append(ms)

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] += 1


def sentence(client: int, round_: int) -> str:
    return PHRASES[(client + round_) % len(PHRASES)].format(t=TEETH[(client * 7 + round_) % len(TEETH)])


# ---------------------------------------------------------------------------------------------- HTTP


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    """The app as `dentalagent serve` runs it (one uvicorn process), on loopback; waits for /healthz."""
    import httpx

    code = ("import uvicorn; from api.app import create_app; "
            f"uvicorn.run(create_app(), host='127.0.0.1', port={port}, log_level='warning')")
    proc = subprocess.Popen([sys.executable, "-c", code], env=dict(os.environ))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the API server exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the API server did not answer /healthz within 120 s")


async def http_client(base: str, index: int, rounds: int, patient: uuid.UUID, stats: Stats,
                      start: asyncio.Event) -> None:
    import httpx

    from core_schema.seed.demo import DEMO_PASSWORD

    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        t0 = time.perf_counter()
        login = await http.post("/auth/login", json={"email": DENTIST, "password": DEMO_PASSWORD})
        stats.time("POST /auth/login (once per client)", (time.perf_counter() - t0) * 1000)
        login.raise_for_status()
        http.cookies.clear()
        http.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        await start.wait()

        async def timed(route: str, method: str, url: str, **kwargs: Any) -> Any:
            t = time.perf_counter()
            response = await http.request(method, url, **kwargs)
            stats.time(route, (time.perf_counter() - t) * 1000)
            if response.status_code != 200:
                stats.error(f"{route} -> {response.status_code} {response.json().get('code', '')}")
                return None
            return response.json()

        for r in range(rounds):
            await timed(LIST, "GET", "/api/v1/approvals")
            result = await timed(DICTATE, "POST", "/api/v1/dictations",
                                 json={"patient_id": str(patient), "text": sentence(index, r)})
            if result is None:
                continue
            if not result["approval_ids"]:
                stats.error("dictation proposed nothing")
            for approval_id in result["approval_ids"]:
                await timed(APPROVE, "POST", f"/api/v1/approvals/{approval_id}/approve")


async def http_phase(base: str, clients: int, rounds: int) -> Stats:
    from core_schema.seed.demo import DEMO_PATIENT_IDS

    stats, start = Stats(), asyncio.Event()
    tasks = [asyncio.create_task(http_client(base, i, rounds, DEMO_PATIENT_IDS[i % len(DEMO_PATIENT_IDS)], stats, start))
             for i in range(clients)]
    while len(stats.latencies["POST /auth/login (once per client)"]) < clients:  # everyone signed in: then go
        await asyncio.sleep(0.05)
        for t in tasks:
            if t.done() and t.exception():
                raise t.exception()  # type: ignore[misc]  # t.exception() is not None: checked just above
    t0 = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    stats.wall_s = time.perf_counter() - t0
    return stats


# ---------------------------------------------------------------------------------------------- in-process


def service_calls() -> tuple[str, dict[str, Callable[..., Any]]]:
    """The service functions the routes call."""
    from approvals import service as approvals
    from runtime.process import get_engine
    from voice import service as dictation

    return "approvals.service / voice.service", {
        LIST: lambda actor: approvals.pending(get_engine(), actor),
        DICTATE: lambda actor, patient, text: dictation.dictate(get_engine(), actor, patient, text=text),
        APPROVE: lambda actor, approval_id: approvals.decide(get_engine(), [approval_id], actor, "approve"),
    }


def _approval_ids(result: Any) -> list[str]:
    return list(result["approval_ids"] if isinstance(result, dict) else result.approval_ids)


def inprocess_worker(calls: dict[str, Callable[..., Any]], actor: Any, index: int, rounds: int, patient: uuid.UUID,
                     stats: Stats, start: threading.Barrier) -> None:
    def timed(route: str, *args: Any) -> Any:
        t = time.perf_counter()
        try:
            return calls[route](*args)
        except Exception as exc:  # a refusal (conflict...) counts as an error, like a 4xx over HTTP
            stats.error(f"{route} -> {type(exc).__name__}")
            return None
        finally:
            stats.time(route, (time.perf_counter() - t) * 1000)

    start.wait()
    for r in range(rounds):
        timed(LIST, actor)
        result = timed(DICTATE, actor, patient, sentence(index, r))
        if result is None:
            continue
        ids = _approval_ids(result)
        if not ids:
            stats.error("dictation proposed nothing")
        for approval_id in ids:
            timed(APPROVE, actor, uuid.UUID(str(approval_id)))


def inprocess_phase(clients: int, rounds: int) -> tuple[str, Stats]:
    from core_schema.db import get_database
    from core_schema.directory import find_actor
    from core_schema.seed.demo import DEMO_PATIENT_IDS

    where, calls = service_calls()
    with get_database().system_session() as s:
        actor = find_actor(s, DENTIST)
    calls[LIST](actor)  # warm: engine, graphs and connection pool, as the server's first requests did
    stats, barrier = Stats(), threading.Barrier(clients + 1)
    threads = [threading.Thread(target=inprocess_worker, daemon=True,
                                args=(calls, actor, i, rounds, DEMO_PATIENT_IDS[i % len(DEMO_PATIENT_IDS)], stats, barrier))
               for i in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    stats.wall_s = time.perf_counter() - t0
    return where, stats


# ---------------------------------------------------------------------------------------------- report


def report(title: str, stats: Stats, routes: list[str]) -> None:
    total = sum(len(stats.latencies[r]) for r in routes if r in ROUTES)
    print(f"\n{title}: {total} requests in {stats.wall_s:.1f} s = {total / stats.wall_s:.1f} req/s")
    print(f"  {'route':<42} {'n':>5} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for route in routes:
        values = stats.latencies.get(route, [])
        if values and route not in ROUTES:  # not part of the timed load
            print(f"  {route:<42} {len(values):>5} {'':>7} {percentile(values, 50):>8.1f} {percentile(values, 95):>8.1f}")
        elif values:
            print(f"  {route:<42} {len(values):>5} {len(values) / stats.wall_s:>7.1f} {percentile(values, 50):>8.1f} "
                  f"{percentile(values, 95):>8.1f}")
    for kind, n in sorted(stats.errors.items()):
        print(f"  error: {kind} x{n}")


def compare(http: Stats, local: Stats) -> None:
    print("\nHTTP / in-process (1.0 = the HTTP layer costs nothing; throughput: in-process / HTTP)")
    print(f"  {'route':<42} {'p50':>7} {'p95':>7} {'throughput':>11}")
    for route in ROUTES:
        h, c = http.latencies.get(route, []), local.latencies.get(route, [])
        if h and c:
            slower = (len(c) / local.wall_s) / (len(h) / http.wall_s)
            print(f"  {route:<42} {percentile(h, 50) / percentile(c, 50):>6.2f}x {percentile(h, 95) / percentile(c, 95):>6.2f}x {slower:>10.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent signed-in clients (1..32)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per client: list, dictate, approve (1..50)")
    args = parser.parse_args()
    if not 1 <= args.clients <= 32 or not 1 <= args.rounds <= 50:
        parser.error("--clients must be 1..32 and --rounds 1..50")

    with bench_platform():
        mode = "server (DATABASE_URL)" if os.environ.get("DATABASE_URL") else "embedded"
        print(f"API load: {args.clients} clients x {args.rounds} rounds, {mode}, {os.cpu_count()} CPUs")
        port = free_port()
        server = start_server(port)
        try:
            http_stats = asyncio.run(http_phase(f"http://127.0.0.1:{port}", args.clients, args.rounds))
            report("HTTP (uvicorn subprocess, httpx.AsyncClient, bearer tokens)", http_stats,
                   ROUTES + ["POST /auth/login (once per client)"])
            where, local_stats = inprocess_phase(args.clients, args.rounds)
            report(f"in-process ({args.clients} threads calling {where})", local_stats, ROUTES)
            compare(http_stats, local_stats)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


if __name__ == "__main__":
    main()
