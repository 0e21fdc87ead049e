"""Memory as LangGraph's BaseStore: put / get / search / list_namespaces / delete, sync and async,
and a compiled graph whose node takes ``store`` the LangGraph way."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from langgraph.graph import START, StateGraph
from langgraph.store.base import BaseStore

from core_schema.errors import InvalidInput
from memory.store import PostgresMemoryStore, memory_id
from tests.memory.helpers import DEMO_TENANT_ID, DENTIST_ID, P1, P2, UNIVERSAL_TENANT_ID, count_rows

pytestmark = pytest.mark.usefixtures("clean")


@pytest.fixture
def store(repo) -> PostgresMemoryStore:
    return PostgresMemoryStore(repo, DEMO_TENANT_ID)


def test_put_get_search_delete(platform, store) -> None:
    ns = ("patient", str(P1), "episodic")
    store.put(ns, "visit-1", {"content": "Visit 2026-03-04: tooth 36 caries (O) under watch.", "importance": 0.7})
    store.put(("patient", str(P2), "episodic"), "visit-1", {"content": "Visit 2026-03-05: tooth 36 crown prepared."})
    item = store.get(ns, "visit-1")
    assert item is not None and item.key == "visit-1" and item.namespace == ns
    assert item.value["content"].startswith("Visit 2026-03-04") and item.value["importance"] == 0.7
    assert item.value["memory_type"] == "SUMMARY" and item.value["access_count"] == 1  # a get is a read
    assert store.get(("patient", str(P2), "episodic"), str(memory_id(ns, "visit-1"))) is None  # wrong namespace

    hits = store.search(("patient", str(P1)), query="caries on tooth 36")
    assert [h.key for h in hits] == [str(memory_id(ns, "visit-1"))] and hits[0].score > 0
    assert len(store.search(("patient",), query="tooth 36")) == 2
    assert store.search(("patient",), query="tooth 36", filter={"importance": {"$gte": 0.6}})[0].value["importance"] == 0.7
    listed = store.search(("patient", str(P2)))  # no query: newest first, no score
    assert len(listed) == 1 and listed[0].score is None

    store.put(ns, "visit-1", {"content": "Visit 2026-03-04: tooth 36 caries (OD) under watch."})  # same key: replaced
    assert store.get(ns, "visit-1").value["content"].endswith("(OD) under watch.")
    assert count_rows(platform.db, "scope_id = :p", p=P1) == 1
    store.delete(ns, "visit-1")
    assert store.get(ns, "visit-1") is None
    assert count_rows(platform.db, "scope_id = :p", p=P1) == 0


def test_list_namespaces(store) -> None:
    store.put(("tenant", "semantic"), "opening", {"content": "The clinic opens at 8."})
    store.put(("clinician", str(DENTIST_ID), "procedural"), "mo", {"content": "Says MO for mesio-occlusal."})
    store.put(("patient", str(P1), "episodic"), "v", {"content": "Visit 2026-01-02: tooth 11 sealed."})
    names = store.list_namespaces()
    assert set(names) == {("tenant", "semantic"), ("clinician", str(DENTIST_ID), "procedural"),
                          ("patient", str(P1), "episodic")}
    assert store.list_namespaces(prefix=("patient",)) == [("patient", str(P1), "episodic")]
    assert store.list_namespaces(suffix=("procedural",)) == [("clinician", str(DENTIST_ID), "procedural")]
    assert set(store.list_namespaces(max_depth=1)) == {("tenant",), ("clinician",), ("patient",)}


def test_ttl_sets_expiry(store) -> None:
    store.put(("tenant", "semantic"), "note", {"content": "Autoclave serviced this week."}, ttl=60)
    item = store.get(("tenant", "semantic"), "note")
    assert item is not None and item.value["expires_at"] is not None


def test_another_clinics_store_sees_nothing(repo, store) -> None:
    store.put(("tenant", "semantic"), "k", {"content": "Fluoride varnish for high-risk children."})
    other = PostgresMemoryStore(repo, UNIVERSAL_TENANT_ID)
    assert other.search(("tenant",), query="fluoride") == []
    assert other.get(("tenant", "semantic"), "k") is None


def test_bad_namespaces_and_values_are_refused(store) -> None:
    with pytest.raises(InvalidInput):
        store.put(("patients", str(P1), "episodic"), "k", {"content": "x"})
    with pytest.raises(InvalidInput):
        store.put(("patient", "not-an-id", "episodic"), "k", {"content": "x"})
    with pytest.raises(InvalidInput):
        store.put(("tenant", "semantic"), "k", {"content": "x", "patient_name": "y"})


def test_async_batch_and_a_graph_node_using_the_store(store) -> None:
    asyncio.run(store.aput(("tenant", "semantic"), "varnish", {"content": "Fluoride varnish every six months for children."}))
    assert asyncio.run(store.aget(("tenant", "semantic"), "varnish")) is not None

    def recall(state: dict, *, store: BaseStore) -> dict:
        hits = store.search(("tenant", "semantic"), query=state["question"], limit=1)
        return {"answer": hits[0].value["content"] if hits else ""}

    graph = StateGraph(dict)
    graph.add_node("recall", recall)
    graph.add_edge(START, "recall")
    out = graph.compile(store=store).invoke({"question": "how often topical fluoride for kids"})
    assert "Fluoride varnish" in out["answer"]


def test_keys_map_to_stable_ids() -> None:
    ns = ("tenant", "semantic")
    assert memory_id(ns, "a") == memory_id(ns, "a") != memory_id(("tenant", "episodic"), "a")
    u = uuid.uuid4()
    assert memory_id(ns, str(u)) == u
