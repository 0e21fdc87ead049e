"""How long a patient's history and a run's changes take to read (the chart page's History, the
run trace's Changes), on a fresh clinic and then on one whose audit log is large.

The history is read from ``audit_events``, which has no index on its metadata: the query is
bounded by the tenant-and-time index (since the patient's first run). Run:
``.venv/bin/python -m benchmarks.change_history [--changes 20] [--filler 200000] [--n 30]``; it
prints p50/p95 of both reads with the small log (the baseline), then with ``--filler`` unrelated
audit rows (other patients' applied changes) older than the patient's first run, then with as
many again since it (which the time bound cannot skip), in the same run.
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Callable

from sqlalchemy import text

from benchmarks._platform import bench_platform
from core_schema.stats import percentile

SAID = ["occlusal caries", "distal caries", "mesial caries", "buccal caries"]
TEETH = ["18", "17", "16", "15", "14", "13", "12", "11", "21", "22", "23", "24", "25", "26", "27", "28"]


def _times(fn: Callable[[], object], n: int) -> tuple[float, float]:
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return percentile(samples, 50), percentile(samples, 95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--filler", type=int, default=200_000)
    parser.add_argument("--n", type=int, default=30)
    args = parser.parse_args()
    with bench_platform():
        from approvals import service as approvals
        from core_schema.directory import find_actor
        from core_schema.models import Patient
        from core_schema.seed.demo import DEMO_TENANT_ID
        from runtime.process import get_engine
        from undo import service as undo
        from voice.service import run_dictation

        engine = get_engine()
        with engine.db.system_session() as s:
            dentist = find_actor(s, "dentist@demo.clinic")
            patient = Patient(tenant_id=DEMO_TENANT_ID, first_name="Bench", last_name="History")
            s.add(patient)
            s.flush()
            patient_id = patient.id
        run_id = ""
        for i in range(args.changes):
            out = run_dictation(engine, dentist, patient_id, text=f"{TEETH[i % len(TEETH)]} {SAID[i // len(TEETH) % len(SAID)]}")
            if out["approval_ids"]:
                approvals.decide(engine, [uuid.UUID(a) for a in out["approval_ids"]], dentist, "approve")
                run_id = out["run_id"]
        applied = len(undo.patient_history(engine, dentist, patient_id))

        def measure(label: str) -> None:
            h50, h95 = _times(lambda: undo.patient_history(engine, dentist, patient_id), args.n)
            r50, r95 = _times(lambda: undo.run_changes(engine, dentist, uuid.UUID(run_id)), args.n)
            with engine.db.system_session() as s:
                rows = s.scalar(text("SELECT count(*) FROM audit_events"))
            print(f"{label:<10} audit rows {rows:>8}  history ({applied} changes) p50 {h50:7.1f} ms p95 {h95:7.1f} ms  "
                  f"run changes p50 {r50:7.1f} ms p95 {r95:7.1f} ms")

        measure("baseline")
        for label, when in (("old log", "now() - interval '1 day' - (g || ' seconds')::interval"),
                            ("+recent", "(SELECT min(started_at) FROM agent_executions WHERE patient_id = :p)"
                                        " + (g || ' microseconds')::interval")):
            with engine.db.system_session() as s:  # other patients' changes: before the first run, then since
                s.execute(text(f"""INSERT INTO audit_events (tenant_id, actor_type, actor_id, event_type, resource_type,
                                   resource_id, occurred_at, metadata)
                                   SELECT :t, 'USER', :u, 'CLINICAL_UPDATE', 'DENTAL_CHART', uuid_generate_v4(), {when},
                                          jsonb_build_object('tool', 'update_dental_chart', 'execution_id', uuid_generate_v4()::text,
                                                             'action_history_id', uuid_generate_v4()::text)
                                   FROM generate_series(1, :n) g"""),
                          {"t": DEMO_TENANT_ID, "u": dentist.user_id, "n": args.filler, "p": patient_id})
                s.execute(text("ANALYZE audit_events"))
            measure(label)


if __name__ == "__main__":
    main()
