"""The FastAPI application (thin routes over services)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from api.platform import platform_status


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    platform_status()  # fail fast: connect to PostgreSQL and Redis before serving
    from workflows.runtime import restore_queues

    restore_queues()  # Redis may have lost its queues: PostgreSQL holds the pending requests
    yield


def create_app() -> FastAPI:
    app = FastAPI(title="dentalagent", version="0.1.0", lifespan=lifespan)

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        """Liveness and what the platform runs on (mode, server versions, schema revision)."""
        return platform_status()

    return app
