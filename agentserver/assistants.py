"""Assistants: one per registered workflow, ``assistant_id`` = ``graph_id`` = the workflow's name."""

from __future__ import annotations

import typing
from datetime import datetime, timezone
from typing import Any

from pydantic import TypeAdapter

from core_schema.errors import NotFound
from runtime.process import SPECS, get_engine

# The platform's graphs exist since the process started; an assistant's dates are its registration.
_REGISTERED = datetime(2026, 1, 1, tzinfo=timezone.utc).isoformat()

# What a protocol run of each graph takes as ``input`` (JSON Schema); graphs started elsewhere have none.
INPUT_SCHEMAS: dict[str, dict[str, Any]] = {
    "voice-to-chart": {
        "title": "VoiceToChartInput", "type": "object", "required": ["patient_id", "text"],
        "properties": {"patient_id": {"type": "string", "format": "uuid"},
                       "text": {"type": "string", "description": "the dictation, as spoken"}},
    },
}


def _assistant(name: str) -> dict[str, Any]:
    spec = next(s for s in SPECS if s.name == name)
    engine = get_engine()
    return {"assistant_id": name, "graph_id": name, "name": name, "description": spec.description,
            "config": {}, "context": {}, "metadata": {"workflow_type": spec.workflow_type,
                                                      "workflow_id": str(engine.workflow_ids[name]),
                                                      "startable": name in INPUT_SCHEMAS},
            "version": 1, "created_at": _REGISTERED, "updated_at": _REGISTERED}


def names() -> list[str]:
    return [s.name for s in SPECS]


def resolve(assistant_id: str) -> str:
    """The workflow an assistant id (or graph id) names; ``NotFound`` otherwise."""
    if assistant_id in names():
        return assistant_id
    raise NotFound(f"assistant {assistant_id!r} not found: one of {', '.join(names())}")


def get(assistant_id: str) -> dict[str, Any]:
    return _assistant(resolve(assistant_id))


def search(*, graph_id: str | None = None, metadata: dict[str, Any] | None = None, name: str | None = None,
           limit: int = 10, offset: int = 0) -> list[dict[str, Any]]:
    found = [_assistant(n) for n in names() if graph_id in (None, n) and (name is None or name in n)]
    found = [a for a in found if all(a["metadata"].get(k) == v for k, v in (metadata or {}).items())]
    return found[offset:offset + limit]


def graph(assistant_id: str) -> dict[str, Any]:
    """Nodes and edges in the shape LangGraph's ``get_graph().to_json()`` gives."""
    compiled = get_engine().graphs[resolve(assistant_id)]
    drawn = compiled.get_graph()
    return {"nodes": [{"id": n, "type": "runnable", "data": {"id": n, "name": n}} for n in drawn.nodes],
            "edges": [{"source": e.source, "target": e.target, **({"conditional": True} if e.conditional else {})}
                      for e in drawn.edges]}


def schemas(assistant_id: str) -> dict[str, Any]:
    name = resolve(assistant_id)
    compiled = get_engine().graphs[name]
    state = _json_schema(compiled)
    return {"graph_id": name, "input_schema": INPUT_SCHEMAS.get(name), "output_schema": state,
            "state_schema": state, "config_schema": None, "context_schema": None}


def _json_schema(compiled: Any) -> dict[str, Any]:
    """The graph's state as JSON Schema, field by field (pydantic reads no ``typing.TypedDict`` whole on
    Python 3.11, but reads each field's type); every field optional, as the state is built up by the nodes."""
    state = compiled.builder.state_schema
    fields = typing.get_type_hints(state)
    return {"title": state.__name__, "type": "object",
            "properties": {name: TypeAdapter(kind).json_schema() for name, kind in fields.items()}}
