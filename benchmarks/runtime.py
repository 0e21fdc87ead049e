"""Runtime overhead and approval round trip.

1. Per-step time: the same 5-node graph on LangGraph with an in-memory checkpointer, on
   LangGraph's own ``PostgresSaver`` in the same database (the baseline the runtime is held
   to: at most 1.2x), and on our persisted runtime (Postgres checkpoints, a step row per
   node, run row under its lease, metrics, spans) three ways: executed in the calling
   process (``InlineDispatcher``), through the run queue as the CLI takes it (no worker
   alive: the caller advances the run), and through the run queue with a worker running (as
   the API takes it: ``serve`` runs one beside it). The variants run interleaved, one run of
   each in turn, so a machine that gets busier mid-benchmark weighs on all of them alike.
2. Approval round trip for a tier-3 chart change: propose -> interrupt -> request queued in
   Redis -> approved -> resumed -> applied, p50/p95 of each part and of the whole; once
   executed in the caller's process and once through the run queue with a worker running.

Usage: python -m benchmarks.runtime [--runs 30]   (embedded mode unless DATABASE_URL is set)
"""

from __future__ import annotations

import argparse
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, TypedDict

NODES = ["a", "b", "c", "d", "e"]


class S(TypedDict, total=False):
    execution_id: str
    tenant_id: str
    user_id: str
    n: int


def chain(graph, nodes) -> None:
    from langgraph.graph import END, START

    graph.add_edge(START, nodes[0])
    for x, y in zip(nodes, nodes[1:], strict=False):
        graph.add_edge(x, y)
    graph.add_edge(nodes[-1], END)


def baseline_ms_per_step(runs: int, nodes: list[str] = NODES) -> list[float]:
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.graph import StateGraph

    g = StateGraph(S)
    for name in nodes:
        g.add_node(name, lambda s: {"n": s.get("n", 0) + 1})
    chain(g, nodes)
    compiled = g.compile(checkpointer=InMemorySaver())
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        compiled.invoke({"n": 0}, {"configurable": {"thread_id": str(uuid.uuid4())}})
        out.append((time.perf_counter() - t0) * 1000 / len(nodes))
    return out


def postgres_saver_ms_per_step(runs: int, nodes: list[str] = NODES) -> list[float]:
    """The same graph on LangGraph's PostgresSaver (the engine's own, same database and pool)."""
    from langgraph.graph import StateGraph

    from runtime.process import get_engine

    g = StateGraph(S)
    for name in nodes:
        g.add_node(name, lambda s: {"n": s.get("n", 0) + 1})
    chain(g, nodes)
    compiled = g.compile(checkpointer=get_engine().checkpointer)
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        thread = str(uuid.uuid4())  # the same input channels as a run of ours carries
        compiled.invoke({"execution_id": thread, "tenant_id": str(uuid.uuid4()), "user_id": str(uuid.uuid4()), "n": 0},
                        {"configurable": {"thread_id": thread}})
        out.append((time.perf_counter() - t0) * 1000 / len(nodes))
    return out


def _chain_workflow(engine: Any, nodes: list[str]) -> str:
    from langgraph.graph import StateGraph

    from workflows.engine import WorkflowSpec

    def build(e):
        g = StateGraph(S)
        for name in nodes:
            g.add_node(name, e.node(name, "DECISION")(lambda s, ctx: {"n": s.get("n", 0) + 1}))
        chain(g, nodes)
        return g

    name = f"bench-chain-{len(nodes)}"
    if name not in engine.graphs:
        engine.add(WorkflowSpec(name, "benchmark chain", "DIAGNOSTIC", build))
    return name


def persisted_ms_per_step(runs: int, nodes: list[str] = NODES) -> list[float]:
    """The graph on the persisted runtime, through whichever dispatcher the engine has."""
    from core_schema.seed.demo import DEMO_TENANT_ID, sid
    from runtime.process import get_engine

    engine = get_engine()
    name = _chain_workflow(engine, nodes)
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = engine.start(name, tenant_id=DEMO_TENANT_ID, user_id=sid("user", "dentist@demo.clinic"), inputs={"n": 0})
        assert result.status == "COMPLETED", result.error
        out.append((time.perf_counter() - t0) * 1000 / len(nodes))
    return out


def interleaved(runs: int, variants: dict[str, tuple[Callable[[int], list[float]], Callable[[], Any]]]) -> dict[str, list[float]]:
    """One run of each variant in turn, ``runs`` times: ``(measure, set_up)`` per variant,
    ``set_up`` called before each of its runs (it picks the engine's dispatcher)."""
    out: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, (measure, set_up) in variants.items():
            set_up()
            out[name] += measure(1)
    return out


def approval_round_trips(runs: int) -> dict[str, list[float]]:
    from approvals import queue as approval_queue
    from approvals.chart_change import propose
    from approvals.decisions import decide
    from core_schema.directory import find_actor
    from core_schema.seed.demo import DEMO_PATIENT_IDS, DEMO_TENANT_ID, sid
    from runtime.process import get_engine

    engine = get_engine()
    with engine.db.system_session() as s:
        dentist = find_actor(s, "dentist@demo.clinic")
    parts: dict[str, list[float]] = {"interrupt_and_queue": [], "approve_resume_apply": [], "round_trip": []}
    teeth = ["11", "12", "13", "14", "15", "21", "22", "23", "24", "25"]
    for i in range(runs):
        call = ("update_dental_chart", {"patient_id": str(DEMO_PATIENT_IDS[i % 3]),
                                        "changes": [{"tooth": teeth[i % len(teeth)], "label": "watch", "surfaces": []}]})
        t0 = time.perf_counter()
        run = propose(engine, tenant_id=DEMO_TENANT_ID, user_id=sid("user", "dentist@demo.clinic"), calls=[call],
                      patient_id=DEMO_PATIENT_IDS[i % 3])
        approval = run.state["approval_ids"][0]
        assert approval in approval_queue.queued(engine.redis, DEMO_TENANT_ID, dentist.user_id)
        t1 = time.perf_counter()
        decision = decide(engine, uuid.UUID(approval), dentist, "approve")
        assert decision.run is not None and decision.run.status == "COMPLETED"
        t2 = time.perf_counter()
        parts["interrupt_and_queue"].append((t1 - t0) * 1000)
        parts["approve_resume_apply"].append((t2 - t1) * 1000)
        parts["round_trip"].append((t2 - t0) * 1000)
    return parts


@contextmanager
def _worker_thread(engine, queue, enabled: bool) -> Iterator[None]:
    """A queue worker in a thread of this process for the duration of the block."""
    if not enabled:
        yield
        return
    import asyncio

    from workflows.run_queue import worker_options

    loop = asyncio.new_event_loop()
    stop = threading.Event()

    async def work() -> None:
        async with queue.app.open_async():
            task = asyncio.create_task(queue.app.run_worker_async(**worker_options(concurrency=1, wait=True, name="bench")))
            while not stop.is_set():
                await asyncio.sleep(0.05)
            task.cancel()  # the worker finishes its job and unregisters, so callers work alone again
            try:
                await task
            except asyncio.CancelledError:
                pass

    thread = threading.Thread(target=lambda: loop.run_until_complete(work()), daemon=True)
    thread.start()
    while queue.live_workers() == 0:
        time.sleep(0.05)
    try:
        yield
    finally:
        stop.set()
        thread.join(10)


def _row(label: str, values: list[float], base: list[float] | None = None) -> str:
    from core_schema.stats import percentile

    ratio = f"  {percentile(values, 50) / percentile(base, 50):5.2f}x PostgresSaver" if base else ""
    return f"  {label:44s} p50 {percentile(values, 50):7.3f} ms  p95 {percentile(values, 95):7.3f} ms{ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    from benchmarks._platform import bench_platform
    from core_schema.stats import percentile

    with bench_platform():
        from runtime.process import get_engine, get_queue
        from workflows.engine import InlineDispatcher

        engine = get_engine()
        queue = get_queue()
        inline = InlineDispatcher(engine)

        def use(dispatcher: Any) -> Callable[[], None]:
            return lambda: setattr(engine, "dispatcher", dispatcher)

        nothing = lambda: None  # noqa: E731
        for variant in (baseline_ms_per_step, postgres_saver_ms_per_step, persisted_ms_per_step):  # warm-up
            variant(3)
        for nodes in (NODES, [f"n{i}" for i in range(20)]):
            r = interleaved(args.runs, {
                "memory": (partial(baseline_ms_per_step, nodes=nodes), nothing),
                "saver": (partial(postgres_saver_ms_per_step, nodes=nodes), nothing),
                "inline": (partial(persisted_ms_per_step, nodes=nodes), use(inline)),
                "queue": (partial(persisted_ms_per_step, nodes=nodes), use(queue)),
            })
            print(f"per-step time over {args.runs} runs of a {len(nodes)}-node graph, no worker running (the CLI's path)")
            print(_row("LangGraph + InMemorySaver", r["memory"], r["saver"]))
            print(_row("LangGraph + PostgresSaver (baseline)", r["saver"]))
            print(_row("persisted runtime, inline", r["inline"], r["saver"]))
            print(_row("persisted runtime, through the run queue", r["queue"], r["saver"]))
            if nodes is NODES:
                five = r
        # what one more node costs, from the two lengths (the per-run work cancels out)
        twenty = r
        for label in ("saver", "inline", "queue"):
            slope = (percentile(twenty[label], 50) * 20 - percentile(five[label], 50) * 5) / 15
            print(f"  {label:7s} marginal cost of a node {slope:6.3f} ms, fixed cost of a run "
                  f"{percentile(five[label], 50) * 5 - slope * 5:6.2f} ms")
        with _worker_thread(engine, queue, True):
            persisted_ms_per_step(3)
            r = interleaved(args.runs, {
                "memory": (baseline_ms_per_step, nothing),
                "saver": (postgres_saver_ms_per_step, nothing),
                "queue": (persisted_ms_per_step, use(queue)),
            })
        print(f"per-step time over {args.runs} runs of a 5-node graph, one worker running in this process (the API's path)")
        print(_row("LangGraph + InMemorySaver", r["memory"], r["saver"]))
        print(_row("LangGraph + PostgresSaver (baseline)", r["saver"]))
        print(_row("persisted runtime, through the run queue", r["queue"], r["saver"]))
        print("target: persisted runtime <= 1.2x PostgresSaver (p50)")
        for label, dispatcher in (("in the caller's process", inline), ("through the run queue, no worker running", queue),
                                  ("through the run queue, one worker running", queue)):
            engine.dispatcher = dispatcher
            with _worker_thread(engine, queue, label.endswith("one worker running")):
                approval_round_trips(3)  # warm-up
                parts = approval_round_trips(args.runs)
            print(f"approval round trip over {args.runs} tier-3 chart changes, {label}")
            for name, values in parts.items():
                print(f"  {name:22s} p50 {percentile(values, 50):8.2f} ms  p95 {percentile(values, 95):8.2f} ms")
        print("target: round trip through the run queue p95 <= 50 ms")
        engine.dispatcher = queue
        engine.close()


if __name__ == "__main__":
    main()
