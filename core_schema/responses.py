"""The response base class every service's schemas share."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Out(BaseModel):
    """A response: the CLI's ``--json`` object and the API's body. Extra keys are allowed and kept
    (the contract extends only by adding keys)."""

    model_config = ConfigDict(extra="allow")
