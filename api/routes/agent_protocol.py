"""The LangGraph agent protocol (``langgraph-sdk``, Agent Inbox, Agent Chat UI) under ``/langgraph``:
thin routes over ``agentserver`` (``docs/agent-protocol.md``).

Point a client at ``http://HOST/langgraph`` with an access token as its API key
(``get_client(url=..., api_key=token)``); a bearer header or the web session cookie work too.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import StreamingResponse

from agentserver import assistants, runs, store, threads
from agentserver.schemas import (
    AssistantSearchIn,
    HistoryIn,
    NamespacesIn,
    RunIn,
    StateUpdateIn,
    StoreDeleteIn,
    StorePutIn,
    StoreSearchIn,
    ThreadCountIn,
    ThreadCreateIn,
    ThreadPatchIn,
    ThreadSearchIn,
)
from api.auth.deps import protocol_principal
from api.auth.principal import Principal
from api.edge import PROTOCOL_PREFIX
from api.schemas import ErrorOut

PREFIX = PROTOCOL_PREFIX
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL: 422 at the door
public = APIRouter(prefix=PREFIX, tags=["agent protocol"])
router = APIRouter(prefix=PREFIX, tags=["agent protocol"], dependencies=[Depends(protocol_principal)],
                   responses={400: {"model": ErrorOut}, 401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut},
                              409: {"model": ErrorOut}, 422: {"model": ErrorOut}})


@public.get("/info")
def info() -> dict[str, Any]:
    """What this server speaks (LangGraph clients ask before anything else)."""
    return {"version": "0.1.0", "langgraph_py_version": None,
            "flags": {"assistants": True, "crons": False, "langsmith": False, "store": True},
            # Agent Inbox reads host.project_id / tenant_id (LangSmith ids): a self-hosted server has none
            "host": {"kind": "self-hosted", "project_id": None, "revision_id": None, "tenant_id": None}}


def _thread(thread_id: str) -> uuid.UUID:
    return threads.parse_id(thread_id)


def _run(run_id: str) -> uuid.UUID:
    return threads.parse_id(run_id, "run")


# -- assistants --------------------------------------------------------------------------------


@router.post("/assistants/search")
def search_assistants(body: AssistantSearchIn, p: Principal = Depends(protocol_principal)) -> list[dict[str, Any]]:
    """One assistant per workflow (``graph_id`` = its name)."""
    p.require("runs:read")
    return assistants.search(graph_id=body.graph_id, metadata=body.metadata, name=body.name, limit=body.limit,
                             offset=body.offset)


@router.get("/assistants/{assistant_id}")
def get_assistant(assistant_id: str, p: Principal = Depends(protocol_principal)) -> dict[str, Any]:
    p.require("runs:read")
    return assistants.get(assistant_id)


@router.get("/assistants/{assistant_id}/graph")
def assistant_graph(assistant_id: str, p: Principal = Depends(protocol_principal)) -> dict[str, Any]:
    p.require("runs:read")
    return assistants.graph(assistant_id)


@router.get("/assistants/{assistant_id}/schemas")
def assistant_schemas(assistant_id: str, p: Principal = Depends(protocol_principal)) -> dict[str, Any]:
    p.require("runs:read")
    return assistants.schemas(assistant_id)


# -- threads -----------------------------------------------------------------------------------


@router.post("/threads")
def create_thread(body: ThreadCreateIn, p: Principal = Depends(protocol_principal)) -> dict[str, Any]:
    """A thread is a voice session; ``metadata.patient_id`` sets its patient."""
    p.require("voice:dictate")
    return threads.create(p.actor, thread_id=body.thread_id, metadata=body.metadata, if_exists=body.if_exists)


@router.post("/threads/search")
def search_threads(body: ThreadSearchIn, p: Principal = Depends(protocol_principal)) -> list[dict[str, Any]]:
    p.require("runs:read")
    return threads.search(p.tenant_id, metadata=body.metadata, status=body.status, ids=body.ids, limit=body.limit,
                          offset=body.offset, sort_by=body.sort_by, sort_order=body.sort_order)


@router.post("/threads/count")
def count_threads(body: ThreadCountIn, p: Principal = Depends(protocol_principal)) -> int:
    p.require("runs:read")
    return threads.count(p.tenant_id, metadata=body.metadata, status=body.status)


@router.get("/threads/{thread_id}")
def get_thread(thread_id: str, p: Principal = Depends(protocol_principal)) -> dict[str, Any]:
    p.require("runs:read")
    return threads.get(p.tenant_id, _thread(thread_id))


@router.patch("/threads/{thread_id}")
def patch_thread(thread_id: str, body: ThreadPatchIn, p: Principal = Depends(protocol_principal)) -> dict[str, Any]:
    p.require("voice:dictate")
    return threads.update(p.tenant_id, _thread(thread_id), body.metadata)


@router.delete("/threads/{thread_id}", status_code=204)
def delete_thread(thread_id: str, p: Principal = Depends(protocol_principal)) -> Response:
    """Only a thread that holds no dictation (a clinical record stays: 409)."""
    p.require("voice:dictate")
    threads.delete(p.tenant_id, _thread(thread_id))
    return Response(status_code=204)


@router.get("/threads/{thread_id}/state")
def thread_state(thread_id: str, p: Principal = Depends(protocol_principal)) -> dict[str, Any]:
    """Values, what runs next, and the pending interrupts in Agent Inbox's shape."""
    p.require("runs:read")
    return threads.state(p.tenant_id, _thread(thread_id))


@router.post("/threads/{thread_id}/state")
def update_thread_state(thread_id: str, body: StateUpdateIn, p: Principal = Depends(protocol_principal)) -> dict[str, Any]:
    """Only Agent Inbox's "mark as resolved" (``as_node="__end__"``): the thread's pending requests are rejected."""
    p.require("approvals:decide")
    return runs.update_state(p.actor, _thread(thread_id), body.values, body.as_node)


@router.post("/threads/{thread_id}/history")
def thread_history(thread_id: str, body: HistoryIn | None = None, p: Principal = Depends(protocol_principal)) -> list[dict[str, Any]]:
    p.require("runs:read")
    return threads.history(p.tenant_id, _thread(thread_id), limit=body.limit if body else 10)


@router.get("/threads/{thread_id}/history")
def thread_history_get(thread_id: str, limit: int = Query(10, ge=1, le=1000),
                       p: Principal = Depends(protocol_principal)) -> list[dict[str, Any]]:
    p.require("runs:read")
    return threads.history(p.tenant_id, _thread(thread_id), limit=limit)


# -- runs --------------------------------------------------------------------------------------


def _start(p: Principal, thread_id: uuid.UUID | None, body: RunIn) -> dict[str, Any]:
    """Start a run (``voice:dictate``) or resume interrupts (``approvals:decide``)."""
    resuming = bool(body.command and "resume" in body.command)
    p.require("approvals:decide" if resuming else "voice:dictate")
    if body.multitask_strategy in ("interrupt", "rollback"):  # they reject what the run in flight waits for
        p.require("approvals:decide")
    return runs.create(p.actor, thread_id, body.model_dump(exclude_none=True), api_client_id=p.api_client_id)


def _location(run: dict[str, Any]) -> dict[str, str]:
    return {"Content-Location": f"{PREFIX}/threads/{run['thread_id']}/runs/{run['run_id']}"}


@router.post("/threads/{thread_id}/runs")
def create_run(thread_id: str, body: RunIn, response: Response, p: Principal = Depends(protocol_principal)) -> dict[str, Any]:
    """A background run: queued for the workers; answered at once."""
    run = _start(p, _thread(thread_id), body)
    response.headers.update(_location(run))
    return run


@router.post("/threads/{thread_id}/runs/wait")
def wait_run(thread_id: str, body: RunIn, response: Response, p: Principal = Depends(protocol_principal)) -> dict[str, Any]:
    """Start (or resume) and answer the run's values once it stops running (``__interrupt__`` when it waits)."""
    run = _start(p, _thread(thread_id), body)
    response.headers.update(_location(run))
    return runs.wait(p.tenant_id, uuid.UUID(run["thread_id"]), uuid.UUID(run["run_id"]))


def _modes(body: RunIn) -> list[str]:
    mode = body.stream_mode or "values"
    return [mode] if isinstance(mode, str) else list(mode)


def _sse(p: Principal, run: dict[str, Any], modes: list[str], after: int = 0) -> StreamingResponse:
    thread_id, run_id = uuid.UUID(run["thread_id"]), uuid.UUID(run["run_id"])
    location = f"{PREFIX}/threads/{thread_id}/runs/{run_id}"
    return StreamingResponse(runs.stream(p.tenant_id, thread_id, run_id, modes, after), media_type="text/event-stream",
                             headers={"Content-Location": location, "Location": location + "/stream",
                                      "Cache-Control": "no-store"})


SSE: dict[int | str, dict[str, Any]] = {200: {
    "description": "server-sent events (``event:``, ``data:`` JSON, ``id:`` the step number)",
    "content": {"text/event-stream": {"schema": {"type": "string"}}}}}


@router.post("/threads/{thread_id}/runs/stream", response_class=StreamingResponse, responses=SSE)
def stream_run(thread_id: str, body: RunIn, p: Principal = Depends(protocol_principal)) -> StreamingResponse:
    """Start (or resume) a run and stream it (SSE; ``values`` and ``updates``); a resumed run streams
    from where it paused."""
    thread = _thread(thread_id)
    marks = runs.step_marks(p.tenant_id, thread) if body.command and "resume" in body.command else {}
    run = _start(p, thread, body)
    return _sse(p, run, _modes(body), marks.get(run["run_id"], 0))


@router.post("/runs/wait")
def wait_stateless(body: RunIn, response: Response, p: Principal = Depends(protocol_principal)) -> dict[str, Any]:
    """A run on a new thread of its own, waited for."""
    run = _start(p, None, body)
    response.headers.update(_location(run))
    return runs.wait(p.tenant_id, uuid.UUID(run["thread_id"]), uuid.UUID(run["run_id"]))


@router.post("/runs/stream", response_class=StreamingResponse, responses=SSE)
def stream_stateless(body: RunIn, p: Principal = Depends(protocol_principal)) -> StreamingResponse:
    return _sse(p, _start(p, None, body), _modes(body))


@router.post("/runs")
def create_stateless(body: RunIn, response: Response, p: Principal = Depends(protocol_principal)) -> dict[str, Any]:
    run = _start(p, None, body)
    response.headers.update(_location(run))
    return run


@router.get("/threads/{thread_id}/runs")
def list_runs(thread_id: str, limit: int = Query(10, ge=1, le=1000), offset: int = Query(0, ge=0),
              status: str | None = Query(None, max_length=20), p: Principal = Depends(protocol_principal)) -> list[dict[str, Any]]:
    p.require("runs:read")
    return runs.list_runs(p.tenant_id, _thread(thread_id), limit=limit, offset=offset, status=status)


@router.get("/threads/{thread_id}/runs/{run_id}")
def get_run(thread_id: str, run_id: str, p: Principal = Depends(protocol_principal)) -> dict[str, Any]:
    p.require("runs:read")
    return runs.get(p.tenant_id, _thread(thread_id), _run(run_id))


@router.get("/threads/{thread_id}/runs/{run_id}/join")
def join_run(thread_id: str, run_id: str, p: Principal = Depends(protocol_principal)) -> dict[str, Any]:
    """The run's values once it stops running."""
    p.require("runs:read")
    return runs.wait(p.tenant_id, _thread(thread_id), _run(run_id))


@router.get("/threads/{thread_id}/runs/{run_id}/stream", response_class=StreamingResponse, responses=SSE)
def join_stream(thread_id: str, run_id: str, request: Request, stream_mode: list[str] = Query(["values", "updates"]),
                last_event_id: str | None = Header(None, max_length=40),
                p: Principal = Depends(protocol_principal)) -> StreamingResponse:
    """Stream a run already started; ``Last-Event-ID`` (a step number) replays only what came after it."""
    p.require("runs:read")
    run = runs.get(p.tenant_id, _thread(thread_id), _run(run_id))
    after = int(last_event_id) if last_event_id and last_event_id.isdigit() else 0
    return _sse(p, run, stream_mode, after)


@router.post("/threads/{thread_id}/runs/{run_id}/cancel", status_code=204)
def cancel_run(thread_id: str, run_id: str, p: Principal = Depends(protocol_principal)) -> Response:
    """Cancel a run waiting for approval: its requests are rejected (audited), nothing is applied."""
    p.require("approvals:decide")
    runs.cancel(p.actor, _thread(thread_id), _run(run_id))
    return Response(status_code=204)


# -- store -------------------------------------------------------------------------------------


@router.put("/store/items", status_code=204)
def put_item(body: StorePutIn, p: Principal = Depends(protocol_principal)) -> Response:
    p.require("memory:write")
    store.put(p.tenant_id, body.namespace, body.key, body.value, ttl=body.ttl)
    return Response(status_code=204)


@router.get("/store/items")
def get_item(namespace: str = Query(..., max_length=1000, pattern=NO_NUL), key: str = Query(..., max_length=500, pattern=NO_NUL),
             p: Principal = Depends(protocol_principal)) -> dict[str, Any]:
    """``namespace`` dot-joined, as the SDK sends it."""
    p.require("patients:read")
    return store.get(p.tenant_id, namespace.split("."), key)


@router.delete("/store/items", status_code=204)
def delete_item(body: StoreDeleteIn, p: Principal = Depends(protocol_principal)) -> Response:
    p.require("memory:write")
    store.delete(p.tenant_id, body.namespace, body.key)
    return Response(status_code=204)


@router.post("/store/items/search")
def search_items(body: StoreSearchIn, p: Principal = Depends(protocol_principal)) -> dict[str, Any]:
    p.require("patients:read")
    return store.search(p.tenant_id, body.namespace_prefix, query=body.query, filter=body.filter, limit=body.limit,
                        offset=body.offset)


@router.post("/store/namespaces")
def list_namespaces(body: NamespacesIn, p: Principal = Depends(protocol_principal)) -> dict[str, Any]:
    p.require("patients:read")
    return store.namespaces(p.tenant_id, prefix=body.prefix, suffix=body.suffix, max_depth=body.max_depth,
                            limit=body.limit, offset=body.offset)
