"""What every domain service shares: the response base class and the runtime."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from workflows.engine import Engine


class Out(BaseModel):
    """A response: the CLI's ``--json`` object and the API's body. Extra keys are allowed and kept
    (the contract extends only by adding keys)."""

    model_config = ConfigDict(extra="allow")


def engine() -> Engine:
    """The process's runtime (database, Redis, executor, graphs), built on first use."""
    from workflows.runtime import get_engine

    return get_engine()
