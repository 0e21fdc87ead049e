"""Memory fixtures: the session platform's repository with the default (local ONNX) embedder."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from memory.embeddings import default_embedder
from memory.repository import MemoryRepository


@pytest.fixture(scope="session")
def repo(platform) -> MemoryRepository:
    return MemoryRepository(platform.db, default_embedder())


@pytest.fixture
def clean(platform):
    """No memories before and after the test (every clinic)."""

    def wipe() -> None:
        with platform.db.system_session() as s:
            s.execute(text("DELETE FROM agent_memories"))

    wipe()
    yield
    wipe()
