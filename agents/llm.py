"""The one way the platform opens an OpenAI-compatible chat endpoint (a hosted API or a local server)."""

from __future__ import annotations

import openai


def chat_client(base_url: str, api_key: str | None, *, timeout: float, max_retries: int = 0) -> openai.OpenAI:
    """A client for ``base_url``. Local servers take any key, so a missing one is sent as "none";
    retries are off by default because callers report a refusal at once instead of waiting."""
    return openai.OpenAI(base_url=base_url, api_key=api_key or "none", timeout=timeout, max_retries=max_retries)
