"""Embedders: the local ONNX default, and an OpenAI-compatible endpoint served by a real local HTTP server."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from memory.embeddings import EmbeddingError, MiniLMOnnxEmbedder, OpenAICompatibleEmbedder, to_column
from memory.records import MemoryWrite, Scope
from memory.repository import MemoryRepository
from memory.tokens import count_tokens, truncate
from tests.llm_server import JSONHandler, serve
from tests.memory.helpers import DEMO_TENANT_ID

VOCAB = ["caries", "crown", "fluoride", "implant", "extraction"]


def _fake_vector(text: str, dims: int) -> list[float]:
    """A deterministic bag-of-words vector (the server's 'model'), deliberately not normalised."""
    v = [0.0] * dims
    for word in text.lower().split():
        v[(VOCAB.index(word) if word in VOCAB else len(VOCAB) + hash(word) % (dims - len(VOCAB)))] += 3.0
    return v


class _Handler(JSONHandler):
    requests: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.read_json()
        type(self).requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        if self.path != "/v1/embeddings" or body.get("model") != "test-embed":
            self.send_json(404, {"error": {"message": "model not found"}})
            return
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [{"object": "embedding", "index": i, "embedding": _fake_vector(t, 64)} for i, t in enumerate(inputs)]
        payload = {"object": "list", "data": list(reversed(data)), "model": "test-embed",
                   "usage": {"prompt_tokens": sum(len(t.split()) for t in inputs), "total_tokens": 0}}
        self.send_json(200, payload)


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.requests = []
    with serve(_Handler) as url:
        yield url


def test_openai_compatible_embedder_speaks_the_protocol(server) -> None:
    emb = OpenAICompatibleEmbedder(server, "test-embed", api_key="sk-test", batch_size=2)
    vectors = emb.embed(["caries crown", "fluoride", "implant extraction"])
    assert vectors.shape == (3, 64) and emb.dimensions == 64
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)  # normalised here
    assert vectors[1][VOCAB.index("fluoride")] == pytest.approx(1.0)  # order restored from "index"
    assert [len(r["body"]["input"]) for r in _Handler.requests] == [2, 1]  # batched
    assert _Handler.requests[0]["auth"] == "Bearer sk-test" and emb.prompt_tokens == 5
    assert _Handler.requests[0]["body"]["encoding_format"] == "float" and "dimensions" not in _Handler.requests[0]["body"]
    OpenAICompatibleEmbedder(server, "test-embed").embed(["x"])  # no key: no Authorization header at all
    assert _Handler.requests[-1]["auth"] is None


def test_openai_compatible_embedder_errors_are_one_line(server) -> None:
    with pytest.raises(EmbeddingError, match="answered 404: .*model not found"):
        OpenAICompatibleEmbedder(server, "other-model").embed(["x"])
    assert len(_Handler.requests) == 1  # no retries
    with pytest.raises(EmbeddingError, match="unreachable"):
        OpenAICompatibleEmbedder("http://127.0.0.1:9/v1", "test-embed", timeout_s=2).embed(["x"])


def test_repository_with_the_endpoint_embedder(platform, server, clean) -> None:
    repo = MemoryRepository(platform.db, OpenAICompatibleEmbedder(server, "test-embed"))
    repo.remember_many(DEMO_TENANT_ID, [MemoryWrite(scope=Scope.tenant(), kind="semantic", content=c)
                                        for c in ("implant", "fluoride", "crown")])
    assert repo.search(DEMO_TENANT_ID, "fluoride", mode="vector", limit=1)[0].content == "fluoride"


def test_local_default_embedder() -> None:
    emb = MiniLMOnnxEmbedder()
    v = emb.embed(["caries on tooth 16", "decay in the upper right first molar", "the clinic opens at eight"])
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]  # meaning, not words
    assert np.allclose(emb.embed(["caries on tooth 16"])[0], v[0], atol=1e-5)  # batching does not change a vector
    assert emb.count_tokens("occlusal") > 1  # WordPiece


def test_padding_keeps_cosine() -> None:
    a, b = np.random.default_rng(1).normal(size=(2, 384))
    pa, pb = np.array(to_column(a)), np.array(to_column(b))
    assert len(pa) == 1536 and not pa[384:].any()
    cos = lambda x, y: x @ y / np.linalg.norm(x) / np.linalg.norm(y)  # noqa: E731
    assert cos(pa, pb) == pytest.approx(cos(a, b))
    with pytest.raises(EmbeddingError):
        to_column(np.zeros(2000))


def test_token_counts_use_a_real_bpe_tokenizer() -> None:
    assert count_tokens("hello world") == 2
    assert count_tokens("<|endoftext|>") > 1  # special-token text counted as plain text
    assert count_tokens(truncate("one two three four five six", 3)) == 3
