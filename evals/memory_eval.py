"""``dentalagent memory eval``: retrieval quality per ranking mode, and the effect of habit learning.

Retrieval: the labelled set of ``memory.eval_data`` is written into the clinic under scopes of
its own (a synthetic workflow and synthetic patients, ``source_type = 'EVAL'``), every query
is run with full text only, vectors only and hybrid, and the rows are deleted again. Metrics:
recall@5 (the right memory among the first five) and MRR over the first ten, per family.

Habits: one clinician's shorthand set is interpreted with the rules interpreter; a reviewer
corrects each wrong proposal, corrections become habits at ``habits.THRESHOLD``, and the
accuracy on a held-out set of the same clinician is measured after N corrections.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from sqlalchemy import text

from core_schema.db import Database, get_database
from memory import habits
from memory.eval_data import dataset, shorthand_set
from memory.records import MemoryWrite, Scope
from memory.repository import MODES, MemoryFilter, MemoryRepository
from memory.writers import repository_for
from voice.interpreter import InterpretContext, interpret

EVAL_NAMESPACE = uuid.UUID("6e1c0b9a-52f4-4f0b-a1d7-93c2e8f4b615")


def retrieval(db: Database, repo: MemoryRepository, tenant_id: uuid.UUID, *, k: int = 5,
              patients: int = 25) -> dict[str, Any]:
    memories, queries = dataset(patients=patients)
    workflow = uuid.uuid5(EVAL_NAMESPACE, "protocols")
    patient_ids = {p: uuid.uuid5(EVAL_NAMESPACE, f"patient-{p}") for p in {m.patient for m in memories if m.patient is not None}}

    def scope_of(patient: int | None) -> Scope:
        return Scope.workflow(workflow) if patient is None else Scope.patient(patient_ids[patient])

    _delete(db, tenant_id)
    try:
        t0 = time.perf_counter()
        written = repo.remember_many(tenant_id, [
            MemoryWrite(scope=scope_of(m.patient), kind=m.kind, content=m.content, source_type="EVAL") for m in memories
        ], merge=False)
        write_s = time.perf_counter() - t0
        key_of = {w.id: m.key for w, m in zip(written, memories, strict=True)}
        everything = MemoryFilter(scopes=(scope_of(None), *(scope_of(p) for p in patient_ids)))
        results: dict[str, Any] = {}
        for mode in MODES:
            per_family: dict[str, list[tuple[int, float]]] = defaultdict(list)
            t0 = time.perf_counter()
            for q in queries:
                flt = everything if q.patient is None else MemoryFilter(scopes=(scope_of(q.patient),))
                ranked = [key_of.get(m.id) for m in repo.search(tenant_id, q.text, flt, limit=10, mode=mode, count_access=False)]
                rank = ranked.index(q.relevant) + 1 if q.relevant in ranked else 0
                per_family[q.family].append((int(0 < rank <= k), 1.0 / rank if rank else 0.0))
            elapsed = time.perf_counter() - t0
            allq = [x for v in per_family.values() for x in v]
            results[mode] = {
                f"recall@{k}": round(sum(h for h, _ in allq) / len(allq), 4), "mrr@10": round(sum(r for _, r in allq) / len(allq), 4),
                "mean_search_ms": round(elapsed * 1000 / len(allq), 2),
                "by_family": {f: {f"recall@{k}": round(sum(h for h, _ in v) / len(v), 4),
                                  "mrr@10": round(sum(r for _, r in v) / len(v), 4), "queries": len(v)}
                              for f, v in sorted(per_family.items())},
            }
        return {"embedder": repo.embedder.name, "vector_backend": "pgvector" if db.has_vector else "real[] exact cosine",
                "memories": len(memories), "queries": len(queries), "write_s": round(write_s, 2), "modes": results}
    finally:
        _delete(db, tenant_id)


def _delete(db: Database, tenant_id: uuid.UUID) -> None:
    with db.tenant_session(tenant_id) as s:
        s.execute(text("DELETE FROM agent_memories WHERE source_type = 'EVAL'"))


def habit_learning(corrections_seen: tuple[int, ...] = (0, 1, 2, 3, 5, 10)) -> dict[str, Any]:
    """Accuracy on a held-out set of one clinician's dictations after N reviewer corrections."""

    def proposal(dictation: str) -> dict[str, Any] | None:
        out = interpret(dictation, "FDI", InterpretContext()).model_dump()
        props = [p for p in out.get("proposals", []) if p["command"] == "chart.finding.add"]
        if not props:
            return None
        p = props[0]
        return {"tool": "update_dental_chart", "arguments": {"changes": [
            {"tooth": p["tooth"], "label": p["label"], "surfaces": p.get("surfaces") or []}]}}

    train, test = shorthand_set(90, seed=11), shorthand_set(60, seed=23)
    train_props = [(proposal(d), tooth, label) for d, tooth, label in train]
    test_props = [(proposal(d), tooth, label) for d, tooth, label in test]

    def learned_from(corrections: list[habits.Correction]) -> list[tuple[Any, habits.Correction]]:
        counts: dict[str, int] = defaultdict(int)
        for c in corrections:
            counts[repr(c)] += 1
        unique = {repr(c): c for c in corrections}
        return [(SimpleNamespace(id=uuid.uuid5(EVAL_NAMESPACE, key)), unique[key])
                for key, n in counts.items() if n >= habits.THRESHOLD]

    def accuracy(rules: list[tuple[Any, habits.Correction]]) -> float:
        right = 0
        for prop, tooth, label in test_props:
            if prop is None:
                continue
            args, _ = habits.apply(rules, prop["tool"], prop["arguments"])
            change = args["changes"][0]
            right += int(change["tooth"] == tooth and change["label"] == label)
        return round(right / len(test_props), 4)

    rows = []
    for budget in corrections_seen:
        corrections: list[habits.Correction] = []
        for prop, _tooth, label in train_props:  # the reviewer corrects wrong proposals, in dictation order
            if len(corrections) >= budget:
                break
            if prop is None:
                continue
            args, _ = habits.apply(learned_from(corrections), prop["tool"], prop["arguments"])
            if args["changes"][0]["label"] != label:
                corrected = {"tool": prop["tool"], "arguments": {"changes": [{**args["changes"][0], "label": label}]}}
                corrections += habits.corrections({"tool": prop["tool"], "arguments": args}, corrected)
        rows.append({"corrections": budget, "accuracy": accuracy(learned_from(corrections))})
    return {"clinician_set": len(test), "shorthand": "'query caries on N' meant as a lesion to watch",
            "threshold": habits.THRESHOLD, "accuracy_after_corrections": rows}


def evaluate(tenant_id: uuid.UUID, *, patients: int = 25) -> dict[str, Any]:
    """The memory eval (``dentalagent memory eval``): retrieval by mode on the labelled set, and habit learning."""
    db = get_database()
    return {"retrieval": retrieval(db, repository_for(db), tenant_id, patients=patients), "habits": habit_learning()}
