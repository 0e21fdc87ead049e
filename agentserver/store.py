"""The protocol's store over the clinic's agent memory (``memory.store.PostgresMemoryStore``).

Namespaces are the memory's own: ``("tenant", KIND)``, ``("clinician" | "patient" | "workflow",
ID, KIND)``; a value is ``{"content", "importance"?, "source_type"?, "source_id"?}``. Every
operation runs in the caller's clinic (row-level security): another clinic's items are not found.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from langgraph.store.base import InvalidNamespaceError, Item

from core_schema.db import get_database
from core_schema.errors import DomainError, InvalidInput, NotFound
from memory.store import PostgresMemoryStore
from memory.writers import repository_for


def _store(tenant_id: uuid.UUID) -> PostgresMemoryStore:
    return PostgresMemoryStore(repository_for(get_database()), tenant_id)


@contextmanager
def _refusals() -> Iterator[None]:
    """What the caller sent and the store cannot take answers 422, as the memory's own refusals do:
    LangGraph's namespace checks (empty or dotted labels), a value or filter of the wrong type
    (``importance: "high"``, ``{"$gt": "x"}`` against a number)."""
    try:
        yield
    except DomainError:
        raise
    except InvalidNamespaceError as exc:
        raise InvalidInput(f"namespace: {exc}") from None
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"the store cannot take this: {exc}") from None


def _namespace(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not value or not all(isinstance(p, str) and p for p in value):
        raise InvalidInput("namespace: a non-empty list of strings")
    return tuple(value)


def _item(item: Item) -> dict[str, Any]:
    return {"namespace": list(item.namespace), "key": item.key, "value": item.value,
            "created_at": item.created_at.isoformat(), "updated_at": item.updated_at.isoformat(),
            **({"score": item.score} if hasattr(item, "score") else {})}


def put(tenant_id: uuid.UUID, namespace: Any, key: str, value: dict[str, Any], ttl: float | None = None) -> None:
    with _refusals():
        _store(tenant_id).put(_namespace(namespace), key, value, ttl=ttl)


def get(tenant_id: uuid.UUID, namespace: Any, key: str) -> dict[str, Any]:
    with _refusals():
        found = _store(tenant_id).get(_namespace(namespace), key)
    if found is None:
        raise NotFound(f"no item {key!r} in this namespace of this clinic")
    return _item(found)


def delete(tenant_id: uuid.UUID, namespace: Any, key: str) -> None:
    with _refusals():
        _store(tenant_id).delete(_namespace(namespace), key)


def search(tenant_id: uuid.UUID, prefix: Any, *, query: str | None = None, filter: dict[str, Any] | None = None,
           limit: int = 10, offset: int = 0) -> dict[str, Any]:
    with _refusals():
        found = _store(tenant_id).search(tuple(prefix or ()), query=query, filter=filter, limit=limit, offset=offset)
    return {"items": [_item(i) for i in found]}


def namespaces(tenant_id: uuid.UUID, *, prefix: list[str] | None = None, suffix: list[str] | None = None,
               max_depth: int | None = None, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    with _refusals():
        found = _store(tenant_id).list_namespaces(prefix=tuple(prefix) if prefix else None,
                                                  suffix=tuple(suffix) if suffix else None, max_depth=max_depth,
                                                  limit=limit, offset=offset)
    return {"namespaces": [list(n) for n in found]}
