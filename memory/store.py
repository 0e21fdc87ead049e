"""Memory as LangGraph's ``BaseStore``: any graph node can take ``store`` the LangGraph way.

One store per clinic (it holds the tenant; every operation runs under row-level security).
Namespaces: ``("tenant", KIND)``, ``("clinician" | "patient" | "workflow", ID, KIND)`` with
KIND one of semantic / episodic / procedural. A value is ``{"content": str}`` plus optional
``importance`` (0..1), ``source_type`` and ``source_id``; other keys are refused, since the
spec's table has no column for them. A key is a memory id: a uuid is used as is, any other
string is mapped to a stable uuid5 of (namespace, key), so search results carry the id as
their key. ``ttl`` (minutes) sets ``expires_at``; expiry is absolute, not refreshed on read.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from langgraph.store.base import (
    BaseStore,
    GetOp,
    Item,
    ListNamespacesOp,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
)

from core_schema.errors import InvalidInput
from memory.records import ROOT_TO_SCOPE, Memory, MemoryWrite, Scope, namespace_of, parse_namespace
from memory.repository import MemoryFilter, MemoryRepository

KEY_NAMESPACE = uuid.UUID("5b0e7a8e-3f1c-4d52-9a57-0c4f7d2e9b61")
VALUE_KEYS = {"content", "importance", "source_type", "source_id"}
_OPS = {"$eq": lambda a, b: a == b, "$ne": lambda a, b: a != b, "$gt": lambda a, b: a is not None and a > b,
        "$gte": lambda a, b: a is not None and a >= b, "$lt": lambda a, b: a is not None and a < b,
        "$lte": lambda a, b: a is not None and a <= b}


def memory_id(namespace: tuple[str, ...], key: str) -> uuid.UUID:
    """The row id behind a LangGraph key."""
    try:
        return uuid.UUID(str(key))
    except ValueError:
        return uuid.uuid5(KEY_NAMESPACE, "/".join(namespace) + "/" + str(key))


class PostgresMemoryStore(BaseStore):
    """``agent_memories`` of one clinic behind LangGraph's store interface."""

    supports_ttl = True

    def __init__(self, repository: MemoryRepository, tenant_id: uuid.UUID | str) -> None:
        self.repository = repository
        self.tenant_id = uuid.UUID(str(tenant_id))

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        return [self._one(op) for op in ops]

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        return await asyncio.get_running_loop().run_in_executor(None, self.batch, list(ops))

    def _one(self, op: Op) -> Result:
        if isinstance(op, GetOp):
            return self._get(op)
        if isinstance(op, SearchOp):
            return self._search(op)
        if isinstance(op, PutOp):
            self._put(op)
            return None
        if isinstance(op, ListNamespacesOp):
            return self._namespaces(op)
        raise InvalidInput(f"unsupported store operation {type(op).__name__}")

    def _get(self, op: GetOp) -> Item | None:
        parse_namespace(op.namespace)
        found = self.repository.get(self.tenant_id, memory_id(op.namespace, op.key))
        if found is None or found.namespace != tuple(op.namespace):
            return None
        return Item(value=_value(found), key=op.key, namespace=found.namespace, created_at=found.created_at,
                    updated_at=found.last_accessed_at or found.created_at)

    def _put(self, op: PutOp) -> None:
        scope, kind = parse_namespace(op.namespace)
        mid = memory_id(op.namespace, op.key)
        if op.value is None:
            self.repository.delete(self.tenant_id, [mid])
            return None
        unknown = sorted(set(op.value) - VALUE_KEYS)
        if unknown:
            raise InvalidInput(f"memory values hold {', '.join(sorted(VALUE_KEYS))}; not {', '.join(unknown)}")
        if not isinstance(op.value.get("content"), str):
            raise InvalidInput("a memory value needs a 'content' string")
        ttl = op.ttl if isinstance(op.ttl, (int, float)) else None
        self.repository.remember(self.tenant_id, MemoryWrite(
            scope=scope, kind=kind, content=op.value["content"], importance=float(op.value.get("importance", 0.5)),
            source_type=op.value.get("source_type"),
            source_id=uuid.UUID(str(op.value["source_id"])) if op.value.get("source_id") else None,
            expires_at=datetime.now(timezone.utc) + timedelta(minutes=ttl) if ttl else None, id=mid,
        ))
        return None

    def _search(self, op: SearchOp) -> list[SearchItem]:
        flt = filter_for_prefix(tuple(op.namespace_prefix))
        want = op.offset + op.limit
        fetch = want if not op.filter else min(200, max(want * 5, 50))
        if op.query:
            found = self.repository.search(self.tenant_id, op.query, flt, limit=fetch, count_access=not op.filter)
        else:
            found = self.repository.list(self.tenant_id, flt, limit=fetch)
        if op.filter:
            found = [m for m in found if _matches(_value(m), op.filter)]
        page = found[op.offset:want]
        if op.filter and op.query and page:  # counted only once they are really returned
            self.repository.touch(self.tenant_id, [m.id for m in page])
        return [SearchItem(namespace=m.namespace, key=str(m.id), value=_value(m), created_at=m.created_at,
                           updated_at=m.last_accessed_at or m.created_at, score=m.score) for m in page]

    def _namespaces(self, op: ListNamespacesOp) -> list[tuple[str, ...]]:
        names = [namespace_of(scope, kind) for scope, kind in self.repository.namespaces(self.tenant_id)]
        for cond in op.match_conditions or ():
            names = [n for n in names if _match(n, tuple(cond.path), cond.match_type)]
        if op.max_depth is not None:
            names = [n[: op.max_depth] for n in names]
        names = sorted(set(names))
        return names[op.offset: op.offset + op.limit]


def filter_for_prefix(prefix: tuple[str, ...]) -> MemoryFilter:
    """The memories under a namespace prefix: (), (root,), (root, id|kind) or a full namespace."""
    if not prefix:
        return MemoryFilter()
    root = prefix[0]
    if root not in ROOT_TO_SCOPE:
        raise InvalidInput(f"memory namespaces start with one of {', '.join(ROOT_TO_SCOPE)}; not {root!r}")
    if root == "tenant":
        if len(prefix) > 2:
            raise InvalidInput("a tenant namespace is ('tenant', KIND)")
        return MemoryFilter(scopes=(Scope.tenant(),), kinds=tuple(prefix[1:2]))
    if len(prefix) == 1:
        return MemoryFilter(scope_kinds=(ROOT_TO_SCOPE[root],))
    if len(prefix) > 3:
        raise InvalidInput(f"a {root} namespace is ({root!r}, ID, KIND)")
    return MemoryFilter(scopes=(Scope(ROOT_TO_SCOPE[root], _uuid(prefix[1])),), kinds=tuple(prefix[2:3]))


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not an id") from None


def _value(m: Memory) -> dict[str, Any]:
    return {"content": m.content, "kind": m.kind, "memory_type": m.memory_type, "importance": m.importance,
            "access_count": m.access_count, "source_type": m.source_type,
            "source_id": str(m.source_id) if m.source_id else None,
            "expires_at": m.expires_at.isoformat() if m.expires_at else None}


def _matches(value: dict[str, Any], flt: dict[str, Any]) -> bool:
    for key, cond in flt.items():
        actual = value.get(key)
        if isinstance(cond, dict):
            for op_name, expected in cond.items():
                if op_name not in _OPS:
                    raise InvalidInput(f"unsupported filter operator {op_name!r}")
                if not _OPS[op_name](actual, expected):
                    return False
        elif actual != cond:
            return False
    return True


def _match(name: tuple[str, ...], path: tuple[str, ...], how: str) -> bool:
    if len(path) > len(name):
        return False
    part = name[: len(path)] if how == "prefix" else name[len(name) - len(path):]
    return all(p == "*" or p == n for p, n in zip(path, part, strict=True))
