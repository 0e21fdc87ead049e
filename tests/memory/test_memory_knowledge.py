"""Clinic knowledge: live protocol versions indexed as semantic memory, searched by the read-only tool."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from memory import knowledge
from tests.memory.helpers import DEMO_TENANT_ID, DENTIST_ID, UNIVERSAL_TENANT_ID, count_rows
from tools.executor import Call
from tools.registry import REGISTRY

pytestmark = pytest.mark.usefixtures("clean")

PROPHYLAXIS = """# Antibiotic prophylaxis

Give amoxicillin 2 g orally one hour before extractions, implant surgery or scaling for patients with a
prosthetic heart valve or previous infective endocarditis.

Clindamycin is no longer recommended; with a penicillin allergy use azithromycin 500 mg."""
FLUORIDE = "# Fluoride varnish\n\nApply 22,600 ppm fluoride varnish every three months to children at high caries risk."


def _document(db, tenant, slug: str, versions: list[tuple[str, str]], current: int | None = None) -> tuple[uuid.UUID, list[uuid.UUID]]:
    doc = uuid.uuid4()
    ids = [uuid.uuid4() for _ in versions]
    with db.system_session() as s:
        s.execute(text("INSERT INTO knowledge_documents (id, tenant_id, slug, title, status) VALUES (:i, :t, :s, :s, 'PUBLISHED')"),
                  {"i": doc, "t": tenant, "s": slug})
        for n, ((status, content), vid) in enumerate(zip(versions, ids, strict=True), start=1):
            s.execute(text("INSERT INTO knowledge_versions (id, tenant_id, knowledge_document_id, version_number, title, content, status) "
                           "VALUES (:i, :t, :d, :n, :title, :c, :st)"),
                      {"i": vid, "t": tenant, "d": doc, "n": n, "title": slug.replace("-", " ").title(), "c": content, "st": status})
        if current is not None:
            s.execute(text("UPDATE knowledge_documents SET current_version_id = :v WHERE id = :d"), {"v": ids[current], "d": doc})
    return doc, ids


@pytest.fixture
def documents(platform):
    made = [
        _document(platform.db, DEMO_TENANT_ID, "antibiotic-prophylaxis", [("SUPERSEDED", "Give penicillin V."), ("PUBLISHED", PROPHYLAXIS)], current=1),
        _document(platform.db, DEMO_TENANT_ID, "fluoride-varnish", [("PUBLISHED", FLUORIDE)]),
        _document(platform.db, UNIVERSAL_TENANT_ID, "universal-only", [("PUBLISHED", "Universal clinic: fluoride gel trays nightly.")]),
    ]
    yield made
    with platform.db.system_session() as s:
        s.execute(text("UPDATE knowledge_documents SET current_version_id = NULL"))
        s.execute(text("DELETE FROM knowledge_versions"))
        s.execute(text("DELETE FROM knowledge_documents"))


def test_index_search_and_reindex(platform, repo, documents) -> None:
    (proph_doc, proph_versions), (fluor_doc, _), _ = documents
    stats = knowledge.index(repo, DEMO_TENANT_ID)
    assert stats == {"documents": 2, "passages_written": 2, "versions_dropped": 0}
    assert knowledge.index(repo, DEMO_TENANT_ID)["passages_written"] == 0  # unchanged: nothing rewritten
    top = knowledge.search(repo, DEMO_TENANT_ID, "antibiotic before pulling a tooth for a heart valve patient", limit=2)
    assert top[0].document_id == proph_doc and top[0].version_id == proph_versions[1]
    assert "amoxicillin" in top[0].text and top[0].title == "Antibiotic Prophylaxis"
    assert all("penicillin V" not in p.text for p in top)  # the superseded version is not indexed
    assert knowledge.search(repo, UNIVERSAL_TENANT_ID, "amoxicillin heart valve") == []

    with platform.db.system_session() as s:  # the fluoride protocol is withdrawn
        s.execute(text("UPDATE knowledge_documents SET status = 'ARCHIVED' WHERE id = :d"), {"d": fluor_doc})
    assert knowledge.index(repo, DEMO_TENANT_ID)["versions_dropped"] == 1
    assert count_rows(platform.db, "source_type = 'KNOWLEDGE_VERSION' AND tenant_id = :t", t=DEMO_TENANT_ID) == 1


def test_the_tool_is_read_only_and_answers_from_the_index(engine, repo, documents) -> None:
    tool = REGISTRY.get("search_clinic_knowledge")
    assert not tool.requires_approval and tool.risk_tier == 1 and tool.category.value == "DATA_RETRIEVAL"
    knowledge.index(repo, DEMO_TENANT_ID)
    outcome = engine.executor.run(Call(tool="search_clinic_knowledge", args={"query": "fluoride for children", "limit": 1},
                                       tenant_id=DEMO_TENANT_ID, user_id=DENTIST_ID, idempotency_key=f"kb:{uuid.uuid4()}"))
    assert outcome.ok, outcome
    [passage] = outcome.output["passages"]
    assert "varnish" in passage["text"] and passage["score"] > 0
