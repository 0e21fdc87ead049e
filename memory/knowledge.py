"""Clinic knowledge (semantic memory): the published version of each protocol, indexed for recall.

Each ``knowledge_documents`` row's current version (``current_version_id``, else its newest
PUBLISHED / APPROVED version) is cut into passages of about ``CHUNK_WORDS`` words, each a
tenant-wide semantic memory whose source is the version. Re-indexing replaces the passages
of a document whose version changed and drops those of documents no longer published.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from core_schema.rows import present
from memory.records import MemoryWrite, Scope
from memory.repository import MemoryFilter, MemoryRepository

SOURCE_TYPE = "KNOWLEDGE_VERSION"
CHUNK_WORDS = 120
LIVE_STATUSES = ("PUBLISHED", "APPROVED", "ACTIVE")
KNOWLEDGE_NAMESPACE = uuid.UUID("a3c4e5f6-0718-4b29-8c3d-4e5f60718293")


@dataclass(frozen=True)
class Passage:
    memory_id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    title: str
    text: str
    score: float


def chunks(content: str, words: int = CHUNK_WORDS) -> list[str]:
    """Paragraph-aligned passages of at most about ``words`` words (markdown headings kept)."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", content) if p.strip()]
    out: list[str] = []
    current: list[str] = []
    for para in paragraphs:
        tokens = para.split()
        while len(tokens) > words:  # a very long paragraph is cut
            if current:
                out.append(" ".join(current))
                current = []
            out.append(" ".join(tokens[:words]))
            tokens = tokens[words:]
        if current and len(current) + len(tokens) > words:
            out.append(" ".join(current))
            current = []
        current += tokens
    if current:
        out.append(" ".join(current))
    return out


def _live_versions(s: Session) -> list[tuple[uuid.UUID, uuid.UUID, str, str]]:
    """(document id, version id, title, content) of every document's live version."""
    rows = s.execute(text(
        "SELECT DISTINCT ON (d.id) d.id, v.id, v.title, v.content FROM knowledge_documents d "
        "JOIN knowledge_versions v ON v.knowledge_document_id = d.id "
        "WHERE upper(d.status) = ANY(:live) AND (v.id = d.current_version_id OR "
        "(d.current_version_id IS NULL AND upper(v.status) = ANY(:live))) "
        "ORDER BY d.id, (v.id = d.current_version_id) DESC, v.version_number DESC"), {"live": list(LIVE_STATUSES)}).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def index(repo: MemoryRepository, tenant_id: uuid.UUID) -> dict[str, int]:
    """Bring the clinic's knowledge memories in line with its live protocol versions."""
    with repo.db.tenant_session(tenant_id) as s:
        live = _live_versions(s)
        indexed = {r[0] for r in s.execute(text("SELECT DISTINCT source_id FROM agent_memories WHERE source_type = :t"),
                                           {"t": SOURCE_TYPE})}
    live_ids = {v for _, v, _, _ in live}
    stale = indexed - live_ids
    if stale:
        with repo.db.tenant_session(tenant_id) as s:
            s.execute(text("DELETE FROM agent_memories WHERE source_type = :t AND source_id = ANY(:ids)"),
                      {"t": SOURCE_TYPE, "ids": list(stale)})
    writes = [
        MemoryWrite(scope=Scope.tenant(), kind="semantic", content=f"{title}: {passage}", importance=0.7,
                    source_type=SOURCE_TYPE, source_id=version_id, id=uuid.uuid5(KNOWLEDGE_NAMESPACE, f"{version_id}/{i}"))
        for _, version_id, title, content in live if version_id not in indexed
        for i, passage in enumerate(chunks(content or ""))
    ]
    repo.remember_many(tenant_id, writes, merge=False)
    return {"documents": len(live), "passages_written": len(writes), "versions_dropped": len(stale)}


def search(repo: MemoryRepository, tenant_id: uuid.UUID, query: str, *, limit: int = 5,
           session: Session | None = None) -> list[Passage]:
    """The protocol passages that best answer ``query`` (hybrid ranking)."""
    flt = MemoryFilter(scopes=(Scope.tenant(),), kinds=("semantic",), source_types=(SOURCE_TYPE,))
    hits = repo.search(tenant_id, query, flt, limit=limit, session=session)
    if not hits:
        return []
    with repo._tx(tenant_id, session) as s:
        docs: dict[uuid.UUID, uuid.UUID] = dict(s.execute(text("SELECT id, knowledge_document_id FROM knowledge_versions WHERE id = ANY(:ids)"),
                              {"ids": list({h.source_id for h in hits})}).all())
    out = []
    for h in hits:
        title, _, body = h.content.partition(": ")
        version_id = present(h.source_id, "a knowledge passage's version id")  # every passage is written with one
        out.append(Passage(h.id, docs.get(version_id, version_id), version_id, title, body, float(h.score or 0)))
    return out
