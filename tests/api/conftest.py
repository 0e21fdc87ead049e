"""The HTTP API suites' app and client: one app per test module, a client (own cookie jar) per test."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app


@pytest.fixture(scope="module")
def app(platform):
    """The FastAPI app over the session's platform (created once per module, as a server would be)."""
    return create_app()


@pytest.fixture
def http(app) -> TestClient:
    """A client with its own cookie jar."""
    return TestClient(app)
