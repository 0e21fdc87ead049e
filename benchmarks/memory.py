"""Memory search latency at 10k and 100k memories per clinic, with and without the vector index.

Loads N memories into the demo clinic of a throwaway platform (COPY, owner side: the write path's
privacy check and embedding are not what is measured here). Contents are visit summaries and
protocol lines; vectors are the local model's embeddings of 2,000 distinct texts with a little
noise (so no two rows are equal). 90% of the memories belong to 1,000 patients, 10% to the clinic.
Then p50/p95 of ``MemoryRepository.search`` per mode (fts, vector, hybrid), clinic-wide and inside
one patient. With pgvector (embedded mode) the spec's ivfflat index is rebuilt on the loaded data
(``REINDEX``; probes = 10) and the run is repeated after dropping it (exact scan); on a server
without pgvector the vectors are ``real[]`` and the search is an exact cosine in SQL.

Usage: python -m benchmarks.memory [--sizes 10000,100000] [--queries 20]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._platform import bench_platform  # noqa: E402
from core_schema.stats import percentile  # noqa: E402

POOL = 2000


def _texts(rng: random.Random) -> list[str]:
    from memory.eval_data import FINDINGS, PROTOCOLS, SURFACES, TEETH

    out = [f"Protocol: {p[0]}" for p in PROTOCOLS]
    while len(out) < POOL:
        tooth, (_, words, _), surf = rng.choice(TEETH), rng.choice(FINDINGS), rng.choice(SURFACES)
        out.append(f"Visit 2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}: charted tooth {tooth} {words}"
                   + (f" ({surf})" if surf else "") + f"; checked tooth {rng.choice(TEETH)}.")
    return out


def load(db, tenant, n: int, vectors, texts, patients: list[uuid.UUID], rng: random.Random) -> None:
    import numpy as np

    noise = np.random.default_rng(5)
    fmt = (lambda v: "[" + ",".join(f"{x:.5f}" for x in v) + "]") if db.has_vector else (lambda v: "{" + ",".join(f"{x:.5f}" for x in v) + "}")
    buf = io.StringIO()
    for i in range(n):
        j = rng.randrange(POOL)
        v = vectors[j] + noise.normal(0, 0.01, vectors.shape[1])
        v = np.concatenate([v / np.linalg.norm(v), np.zeros(1536 - vectors.shape[1])])
        glob = i % 10 == 0
        scope, scope_id = ("GLOBAL", "\\N") if glob else ("PATIENT", str(patients[i % len(patients)]))
        kind = "FACT" if glob else "SUMMARY"
        buf.write(f"{uuid.uuid4()}\t{tenant}\t{kind}\t{scope}\t{scope_id}\t{texts[j]} [run {i:06d}]\t{fmt(v)}\tBENCH\t0.50\n")
    buf.seek(0)
    raw = db.engine.raw_connection()
    try:
        with raw.cursor() as cur, cur.copy("COPY agent_memories (id, tenant_id, memory_type, scope, scope_id, content, "
                                          "embedding, source_type, importance_score) FROM STDIN") as copy:
            while chunk := buf.read(1 << 20):
                copy.write(chunk)
        raw.commit()
    finally:
        raw.close()


def measure(repo, tenant, queries: list[str], patient: uuid.UUID) -> dict[str, dict[str, float]]:
    from memory.records import Scope
    from memory.repository import MODES, MemoryFilter

    out = {}
    for where, flt in (("clinic", MemoryFilter()), ("patient", MemoryFilter(scopes=(Scope.patient(patient),)))):
        for mode in MODES:
            repo.search(tenant, queries[0], flt, limit=10, mode=mode, count_access=False)  # warm
            times = []
            for q in queries:
                t0 = time.perf_counter()
                repo.search(tenant, q, flt, limit=10, mode=mode, count_access=False)
                times.append((time.perf_counter() - t0) * 1000)
            out[f"{where}/{mode}"] = {"p50_ms": round(percentile(times, 50), 1), "p95_ms": round(percentile(times, 95), 1)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=20)
    args = parser.parse_args()
    with bench_platform():
        from sqlalchemy import text

        from core_schema.db import get_database
        from core_schema.seed.demo import DEMO_TENANT_ID
        from memory.embeddings import default_embedder
        from memory.eval_data import dataset
        from memory.repository import MemoryRepository

        db, rng = get_database(), random.Random(3)
        embedder = default_embedder()
        texts = _texts(rng)
        t0 = time.perf_counter()
        vectors = embedder.embed(texts)
        embed_s = time.perf_counter() - t0
        repo = MemoryRepository(db, embedder)
        queries = [q.text for q in dataset()[1]][: args.queries]
        patients = [uuid.uuid4() for _ in range(1000)]
        report: dict[str, Any] = {"embedder": embedder.name, "embed_texts_per_s": round(len(texts) / embed_s, 1),
                  "backend": "pgvector ivfflat" if db.has_vector else "real[] exact cosine", "postgres": db.server_version,
                  "sizes": {}}
        loaded = 0
        for n in sorted(int(s) for s in args.sizes.split(",")):
            t0 = time.perf_counter()
            load(db, DEMO_TENANT_ID, n - loaded, vectors, texts, patients, rng)
            loaded = n
            with db.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                if db.has_vector:
                    conn.execute(text("SET maintenance_work_mem = '512MB'"))
                    conn.execute(text("REINDEX INDEX idx_agent_memories_embedding"))
                conn.execute(text("ANALYZE agent_memories"))
            entry: dict[str, Any] = {"load_s": round(time.perf_counter() - t0, 1)}
            entry["with_index" if db.has_vector else "exact"] = measure(repo, DEMO_TENANT_ID, queries, patients[1])
            if db.has_vector:
                with db.engine.begin() as conn:
                    conn.execute(text("DROP INDEX idx_agent_memories_embedding"))
                entry["without_index"] = measure(repo, DEMO_TENANT_ID, queries, patients[1])
                with db.engine.begin() as conn:
                    conn.execute(text("CREATE INDEX idx_agent_memories_embedding ON agent_memories "
                                      "USING ivfflat (embedding vector_cosine_ops) WITH (lists = 100)"))
            report["sizes"][str(n)] = entry
            print(json.dumps({str(n): entry}), flush=True)
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
