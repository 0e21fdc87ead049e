"""The FastAPI application (thin routes over services; api-contract.md)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import JSONResponse

from api import edge, web
from api.auth.deps import current_principal
from api.routes import (
    actions,
    agent_protocol,
    approvals,
    auth,
    dictation_stream,
    dictations,
    errors,
    events,
    exams,
    fhir,
    me,
    patients,
    runs,
)
from api.routes import imaging as imaging_routes
from api.routes import memory as memory_routes
from api.routes import reconcile as reconcile_routes
from api.schemas import ErrorOut
from runtime.status import health, platform_status

QUEUE_WATCH_S = 5.0  # how often a server checks that Redis still holds the approval queues
# Facts about the host are not for unauthenticated callers (the data folder's absolute path).
_PRIVATE_HEALTH_KEYS = frozenset({"home"})


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    platform_status()  # fail fast: connect to PostgreSQL and Redis before serving
    from runtime.process import get_engine, restore_queues
    from runtime.worker_loop import start_queue_watch

    restore_queues()  # Redis may have lost its queues: PostgreSQL holds the pending requests
    stop = threading.Event()
    start_queue_watch(get_engine(), QUEUE_WATCH_S, stop)  # and may lose them while serving (a flush, a restart)
    try:
        yield
    finally:
        stop.set()


def _api_v1() -> APIRouter:
    """Every ``/api/v1`` route: the caller must be authenticated before anything else runs."""
    api = APIRouter(prefix="/api/v1", dependencies=[Depends(current_principal)],
                    responses={400: {"model": ErrorOut}, 401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}})
    for module in (me, patients, dictations, exams, approvals, actions, runs, events, memory_routes, imaging_routes,
                   reconcile_routes, fhir):
        api.include_router(module.router)
    return api


def create_app() -> FastAPI:
    app = FastAPI(title="dentalagent", version="0.1.0", lifespan=lifespan)
    errors.install(app)

    @app.get("/healthz", responses={503: {"description": "degraded: PostgreSQL or Redis is down (named in `down`)"}})
    def healthz() -> JSONResponse:
        """Liveness and what the platform runs on (mode, server versions, schema revision);
        503 ``degraded`` naming what is down when PostgreSQL or Redis does not answer."""
        status, body = health()
        return JSONResponse({k: v for k, v in body.items() if k not in _PRIVATE_HEALTH_KEYS}, status_code=status)

    app.include_router(auth.router, prefix="/auth")
    app.include_router(auth.router, prefix="/api/v1/auth")  # the same endpoints beside the rest of the API
    app.include_router(_api_v1())
    app.include_router(agent_protocol.public)  # the LangGraph agent protocol (docs/agent-protocol.md)
    app.include_router(agent_protocol.router)
    # WebSockets authenticate themselves (api.auth.websocket): the HTTP dependency above cannot run on them.
    app.include_router(dictation_stream.router, prefix="/api/v1")
    web.install(app)  # the clinic web app: pages at /, static files at /static
    edge.install(app)  # body caps before anything reads a body; CSP and companions on the way out
    return app
