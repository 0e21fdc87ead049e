"""The memory repository over ``agent_memories``: remember, recall (hybrid search), list, forget.

Every call runs in a tenant session (row-level security: a clinic sees only its memories).
Search ranks with PostgreSQL full-text search and with embeddings, fused by weighted
reciprocal rank (RRF): pgvector's cosine distance where the extension is installed (the spec's
ivfflat index for clinic-wide searches, an exact scan inside one patient or clinician),
exact cosine over ``real[]`` in SQL where it is not. Reads count: each memory a search or
get returns has its ``access_count`` and ``last_accessed_at`` updated.
"""

from __future__ import annotations

import builtins
import logging
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, DOUBLE_PRECISION
from sqlalchemy.orm import Session

from core_schema.db import Database
from core_schema.errors import InvalidInput
from core_schema.models import AgentMemory
from core_schema.models.base import Embedding
from core_schema.rows import rowcount
from memory.embeddings import Embedder, default_embedder, to_column
from memory.privacy import check_contents
from memory.records import KIND_TO_TYPE, TYPE_TO_KIND, Memory, MemoryWrite, Scope

log = logging.getLogger(__name__)
# Embeddings computed beside the database work of the same write (``remember_many``).
_EMBEDDING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="memory-embed")

# Weighted reciprocal rank fusion: full text counts half as much as vectors, k = 10. Chosen on
# the labelled set of ``memory eval`` (equal weights with k = 60: recall@5 0.948, MRR 0.877;
# these: 0.974 / 0.905), since an OR-query over common words ("tooth") ranks much noise.
RRF_K = 10
FTS_WEIGHT = 0.5
MERGE_SIMILARITY = 0.90  # cosine at or above which two memories of one scope and kind may be one
IVFFLAT_PROBES = 10
MODES = ("hybrid", "fts", "vector")
_WORD = re.compile(r"[a-z0-9]+")
_FACT_TOKEN = re.compile(r"\d[\w.\-/]*|\b[A-Z]\d{2,}[\w.]*")  # teeth, dates, codes (D2392, K02.52)
_COLUMNS = ("id, scope, scope_id, memory_type, content, importance_score, access_count, last_accessed_at, "
            "expires_at, created_at, source_type, source_id")


@dataclass(frozen=True)
class MemoryFilter:
    """Which memories a search or listing considers (all conditions must hold).

    ``scopes``: exact (scope, id) pairs; ``scope_kinds``: whole scope families (e.g. every
    patient's); ``kinds``: semantic / episodic / procedural. Empty means no restriction.
    """

    scopes: tuple[Scope, ...] = ()
    scope_kinds: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    source_types: tuple[str, ...] = ()
    include_expired: bool = False

    def where(self, params: dict[str, Any]) -> str:
        parts = [] if self.include_expired else ["(m.expires_at IS NULL OR m.expires_at > now())"]
        if self.scopes:
            ors = []
            for i, sc in enumerate(self.scopes):
                params[f"sc{i}"] = sc.scope
                if sc.scope_id is None:
                    ors.append(f"(m.scope = :sc{i} AND m.scope_id IS NULL)")
                else:
                    params[f"si{i}"] = sc.scope_id
                    ors.append(f"(m.scope = :sc{i} AND m.scope_id = :si{i})")
            parts.append("(" + " OR ".join(ors) + ")")
        if self.scope_kinds:
            params["scope_kinds"] = list(self.scope_kinds)
            parts.append("m.scope = ANY(:scope_kinds)")
        if self.kinds:
            bad = [k for k in self.kinds if k not in KIND_TO_TYPE]
            if bad:
                raise InvalidInput(f"unknown memory kind {bad[0]!r}: use one of {', '.join(KIND_TO_TYPE)}")
            params["types"] = [KIND_TO_TYPE[k] for k in self.kinds]
            parts.append("m.memory_type = ANY(:types)")
        if self.source_types:
            params["source_types"] = list(self.source_types)
            parts.append("m.source_type = ANY(:source_types)")
        return " AND ".join(parts) or "true"

    @property
    def narrow(self) -> bool:
        """Confined to given scope ids: few rows, so an exact vector scan beats the ANN index."""
        return bool(self.scopes) and all(s.scope_id is not None for s in self.scopes)


class MemoryRepository:
    """Memories of any clinic, each call inside that clinic's tenant session."""

    def __init__(self, db: Database, embedder: Embedder | None = None) -> None:
        self.db = db
        self._embedder = embedder

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = default_embedder()
        return self._embedder

    # -- writing ---------------------------------------------------------------------------

    def remember(self, tenant_id: uuid.UUID, write: MemoryWrite) -> Memory:
        return self.remember_many(tenant_id, [write])[0]

    def remember_many(self, tenant_id: uuid.UUID, writes: Sequence[MemoryWrite], *, merge: bool = True) -> list[Memory]:
        """Store memories (privacy-checked, embedded), merging each into a near-duplicate if one exists.

        A near-duplicate is a memory of the same scope and kind whose embedding is at least
        ``MERGE_SIMILARITY`` similar *and* that names the same teeth, codes and dates: it is
        updated (newest wording, highest importance, latest expiry) instead of a second row.
        """
        if not writes:
            return []
        contents = [w.content for w in writes]
        # The embedding (ONNX, which lets go of the GIL) is computed while the session binds its
        # clinic and checks the contents: what is stored is the same, the wait for both is shorter.
        embedding = _EMBEDDING.submit(self.embedder.embed, contents)
        out: list[Memory] = []
        with self.db.tenant_session(tenant_id) as s:
            try:
                check_contents(s, contents)
            except BaseException:
                embedding.result()  # an embedding that failed is the error reported, as it was before
                raise
            vectors = embedding.result()
            for w, vec in zip(writes, vectors, strict=True):
                if w.id is not None:  # a stable id (a LangGraph key) is replaced, never merged elsewhere
                    target = w.id if s.get(AgentMemory, w.id) is not None else None
                else:
                    target = self._near_duplicate(s, w, vec) if merge else None
                if target is not None:
                    out.append(self._merge_into(s, target, w, vec, replace=w.id is not None))
                else:
                    out.append(self._insert(s, tenant_id, w, vec))
        return out

    def _insert(self, s: Session, tenant_id: uuid.UUID, w: MemoryWrite, vec: np.ndarray) -> Memory:
        row = AgentMemory(
            id=w.id or uuid.uuid4(), tenant_id=tenant_id, api_client_id=w.api_client_id, memory_type=KIND_TO_TYPE[w.kind],
            scope=w.scope.scope, scope_id=w.scope.scope_id, content=w.content, content_locale=None,
            content_language=w.language, embedding=to_column(vec), source_type=w.source_type, source_id=w.source_id,
            importance_score=Decimal(str(round(float(w.importance), 2))), expires_at=w.expires_at,
        )
        s.add(row)
        s.flush()
        return self._load(s, [row.id])[0]

    def _merge_into(self, s: Session, target: uuid.UUID, w: MemoryWrite, vec: np.ndarray, *, replace: bool) -> Memory:
        params = {"id": target, "content": w.content, "imp": Decimal(str(round(float(w.importance), 2))),
                  "exp": w.expires_at, "st": w.source_type, "sid": w.source_id, "lang": w.language}
        s.execute(text(
            "UPDATE agent_memories SET content = :content, content_language = :lang, embedding = :emb, "
            "source_type = coalesce(:st, source_type), source_id = coalesce(:sid, source_id), "
            + ("importance_score = :imp, expires_at = :exp " if replace else
               "importance_score = greatest(importance_score, :imp), "
               "expires_at = CASE WHEN expires_at IS NULL OR CAST(:exp AS timestamptz) IS NULL THEN NULL "
               "ELSE greatest(expires_at, :exp) END ")
            + "WHERE id = :id"
        ).bindparams(bindparam("emb", type_=Embedding())), {**params, "emb": to_column(vec)})
        memory = self._load(s, [target])[0]
        memory.merged = not replace
        return memory

    def _near_duplicate(self, s: Session, w: MemoryWrite, vec: np.ndarray) -> uuid.UUID | None:
        flt = MemoryFilter(scopes=(w.scope,), kinds=(w.kind,))
        hits = self._vector_ranked(s, flt, vec, 5, exact=True)
        if not hits:
            return None
        facts = _facts(w.content)
        rows: dict[uuid.UUID, str] = dict(s.execute(text("SELECT id, content FROM agent_memories WHERE id = ANY(:ids)"),
                              {"ids": [h for h, _ in hits]}).all())
        for mid, sim in hits:
            if sim >= MERGE_SIMILARITY and _facts(rows[mid]) == facts:
                return mid
        return None

    # -- reading ---------------------------------------------------------------------------

    @contextmanager
    def _tx(self, tenant_id: uuid.UUID, session: Session | None) -> Iterator[Session]:
        """The caller's open tenant transaction (a tool's), or a new one of ``tenant_id``."""
        if session is not None:
            yield session
            return
        with self.db.tenant_session(tenant_id) as s:
            yield s

    def search(self, tenant_id: uuid.UUID, query: str, flt: MemoryFilter = MemoryFilter(), *, limit: int = 10,
               offset: int = 0, mode: str = "hybrid", count_access: bool = True,
               session: Session | None = None) -> list[Memory]:
        """Memories ranked for ``query``: ``hybrid`` (FTS + vectors, RRF), ``fts`` or ``vector`` alone."""
        if mode not in MODES:
            raise InvalidInput(f"unknown search mode {mode!r}: use one of {', '.join(MODES)}")
        if not 1 <= limit <= 200 or offset < 0:
            raise InvalidInput("limit is between 1 and 200, offset at least 0")
        want = limit + offset
        pool = max(want * 4, 40)
        vec = self.embedder.embed_one(query) if mode in ("hybrid", "vector") and query.strip() else None
        with self._tx(tenant_id, session) as s:
            lists: list[list[tuple[uuid.UUID, float]]] = []
            if mode in ("hybrid", "fts"):
                lists.append(self._fts_ranked(s, flt, query, pool))
            if vec is not None:
                lists.append(self._vector_ranked(s, flt, vec, pool, exact=flt.narrow))
            if mode == "hybrid":
                scores: dict[uuid.UUID, float] = {}
                weights = [FTS_WEIGHT, 1.0][: len(lists)] if mode == "hybrid" and vec is not None else [1.0]
                for weight, ranked in zip(weights, lists, strict=False):
                    for rank, (mid, _) in enumerate(ranked):
                        scores[mid] = scores.get(mid, 0.0) + weight / (RRF_K + rank + 1)
                ranked_ids = sorted(scores.items(), key=lambda kv: -kv[1])
            else:
                ranked_ids = lists[0] if lists else []
            page = ranked_ids[offset:want]
            memories = self._load(s, [m for m, _ in page], touch=count_access)
            by_id = {m.id: m for m in memories}
            out = []
            for mid, score in page:
                if mid in by_id:
                    by_id[mid].score = float(score)
                    out.append(by_id[mid])
            return out

    def _fts_ranked(self, s: Session, flt: MemoryFilter, query: str, n: int, op: str = "|") -> list[tuple[uuid.UUID, float]]:
        words = list(dict.fromkeys(_WORD.findall(query.lower())))[:32]
        if not words:
            return []
        params: dict[str, Any] = {"tsq": f" {op} ".join(words), "n": n}
        where = flt.where(params)
        rows = s.execute(text(
            "SELECT m.id, ts_rank_cd(to_tsvector('english', m.content), q) AS r "
            "FROM agent_memories m, to_tsquery('english', :tsq) q "
            f"WHERE {where} AND to_tsvector('english', m.content) @@ q ORDER BY r DESC, m.created_at DESC LIMIT :n"
        ), params).all()
        return [(r[0], float(r[1])) for r in rows]

    def _vector_ranked(self, s: Session, flt: MemoryFilter, vec: np.ndarray, n: int, *,
                       exact: bool) -> list[tuple[uuid.UUID, float]]:
        params: dict[str, Any] = {"n": n}
        where = flt.where(params)
        if self.db.has_vector:
            if not exact:
                s.execute(text(f"SET LOCAL ivfflat.probes = {IVFFLAT_PROBES}"))
            # "+ 0" hides the ORDER BY from the ivfflat index: an exact scan of the filtered rows.
            order = "(m.embedding <=> :q) + 0" if exact else "m.embedding <=> :q"
            stmt = text(
                f"SELECT m.id, 1 - (m.embedding <=> :q) AS sim FROM agent_memories m "
                f"WHERE {where} AND m.embedding IS NOT NULL ORDER BY {order} LIMIT :n"
            ).bindparams(bindparam("q", type_=Embedding()))
            rows = s.execute(stmt, {**params, "q": to_column(vec)}).all()
            if not exact and len(rows) < n:
                # ivfflat probes a few lists: with few rows, or rows clustered away from the probed
                # centroids, it returns fewer than there are (even none); the filtered rows are few
                # then, so scan them exactly.
                return self._vector_ranked(s, flt, vec, n, exact=True)
        else:
            dims = len(vec)
            stmt = text(
                f"SELECT m.id, (SELECT sum(CAST(a AS float8) * b) FROM unnest(m.embedding[1:{dims}], :q) AS t(a, b)) AS sim "
                f"FROM agent_memories m WHERE {where} AND m.embedding IS NOT NULL ORDER BY sim DESC NULLS LAST LIMIT :n"
            ).bindparams(bindparam("q", type_=ARRAY(DOUBLE_PRECISION)))
            rows = s.execute(stmt, {**params, "q": [float(v) for v in vec]}).all()
        return [(r[0], float(r[1] or 0.0)) for r in rows]

    def get(self, tenant_id: uuid.UUID, memory_id: uuid.UUID, *, count_access: bool = True) -> Memory | None:
        with self.db.tenant_session(tenant_id) as s:
            found = self._load(s, [memory_id], touch=count_access)
            return found[0] if found else None

    def touch(self, tenant_id: uuid.UUID, memory_ids: Sequence[uuid.UUID]) -> None:
        """Count a read of these memories (access count, last access)."""
        with self.db.tenant_session(tenant_id) as s:
            self._load(s, memory_ids, touch=True)

    def list(self, tenant_id: uuid.UUID, flt: MemoryFilter = MemoryFilter(), *, limit: int = 50,
             offset: int = 0) -> list[Memory]:
        """Newest first; listing is browsing, not recall, so access counts stay as they are."""
        params: dict[str, Any] = {"n": limit, "o": offset}
        where = flt.where(params)
        with self.db.tenant_session(tenant_id) as s:
            rows = s.execute(text(f"SELECT {_COLUMNS} FROM agent_memories m WHERE {where} "
                                  "ORDER BY m.created_at DESC, m.id LIMIT :n OFFSET :o"), params).all()
            return [_memory(r) for r in rows]

    def namespaces(self, tenant_id: uuid.UUID) -> builtins.list[tuple[Scope, str]]:  # `list` is a method here
        with self.db.tenant_session(tenant_id) as s:
            rows = s.execute(text(
                "SELECT DISTINCT scope, scope_id, memory_type FROM agent_memories m "
                "WHERE m.expires_at IS NULL OR m.expires_at > now() ORDER BY 1, 2, 3")).all()
        return [(Scope(r[0], r[1]), TYPE_TO_KIND.get(r[2], "semantic")) for r in rows if r[0] in ("GLOBAL", "CLINICIAN", "PATIENT", "WORKFLOW")]

    def _load(self, s: Session, ids: Iterable[uuid.UUID], *, touch: bool = False) -> builtins.list[Memory]:
        ids = list(ids)
        if not ids:
            return []
        if touch:
            rows = s.execute(text(
                "UPDATE agent_memories m SET access_count = m.access_count + 1, last_accessed_at = now() "
                f"WHERE m.id = ANY(:ids) AND (m.expires_at IS NULL OR m.expires_at > now()) RETURNING {_COLUMNS}"
            ), {"ids": ids}).all()
        else:
            rows = s.execute(text(f"SELECT {_COLUMNS} FROM agent_memories m WHERE m.id = ANY(:ids)"), {"ids": ids}).all()
        order = {mid: i for i, mid in enumerate(ids)}
        return sorted((_memory(r) for r in rows), key=lambda m: order[m.id])

    # -- forgetting ------------------------------------------------------------------------

    def delete(self, tenant_id: uuid.UUID, memory_ids: Sequence[uuid.UUID]) -> int:
        with self.db.tenant_session(tenant_id) as s:
            return rowcount(s.execute(text("DELETE FROM agent_memories WHERE id = ANY(:ids)"), {"ids": list(memory_ids)}))

    def forget_patient(self, tenant_id: uuid.UUID, patient_id: uuid.UUID) -> int:
        """Erase a patient's memories, their vectors with them (one row holds both)."""
        with self.db.tenant_session(tenant_id) as s:
            return rowcount(s.execute(text(
                "DELETE FROM agent_memories WHERE (scope = 'PATIENT' AND scope_id = :p) "
                "OR (source_type = 'PATIENT' AND source_id = :p)"), {"p": patient_id}))

    def purge_expired(self, tenant_id: uuid.UUID, now: datetime | None = None) -> int:
        with self.db.tenant_session(tenant_id) as s:
            return rowcount(s.execute(text("DELETE FROM agent_memories WHERE expires_at <= coalesce(:now, now())"),
                                      {"now": now}))


def _memory(r: Any) -> Memory:
    return Memory(
        id=r.id, scope=Scope(r.scope, r.scope_id), kind=TYPE_TO_KIND.get(r.memory_type, "semantic"), content=r.content,
        importance=float(r.importance_score if r.importance_score is not None else 0.5), access_count=r.access_count,
        last_accessed_at=r.last_accessed_at, expires_at=r.expires_at, created_at=r.created_at,
        source_type=r.source_type, source_id=r.source_id,
    )


def _facts(content: str) -> frozenset[str]:
    """The teeth, codes and dates a memory names: two memories that differ here are never merged."""
    return frozenset(t.lower().rstrip(".") for t in _FACT_TOKEN.findall(content))
