"""The clinic web app: server-rendered pages over the JSON API, served by the API process.

Pages only check the session and lay out the screen; every clinical read and change goes
through ``/api/v1`` from the browser (session cookie + CSRF header), so the web app can do
nothing the API would not let the same user do.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"


def install(app: FastAPI) -> None:
    """Mount the static files and the page routes on ``app``."""
    from api.web import pages

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(pages.router)
