"""Adapt tiny.en's decoder to dental dictation on CPU; the encoder stays frozen.

Runs in a separate venv with PyTorch (never a product dependency)::

    python3 -m venv /work/asr-train-venv && /work/asr-train-venv/bin/pip install torch numpy
    PYTHONPATH=. /work/asr-train-venv/bin/python evals/asr_training/train_decoder.py \\
        --data /work/asr-train-data --base <tiny.en folder>/model.bin --out delta.npz

Why this shape: the data come from ``prepare.py`` as the int8 encoder's outputs, exactly as the
recogniser computes them. The Whisper decoder is written here directly over CTranslate2's tensor
names (``voice/asr/ct2_file.py`` reads the packaged float16 ``model.bin``), so no conversion to
another checkpoint format is needed, and the trained tensors go back under the same names. Token
embeddings (tied to the output layer), positions and the cross-attention key/value projections
stay frozen: the keys and values of each utterance are then computed once, and a step costs
little more than the vocabulary projection. Trained: self-attention, cross-attention query and
output, the feed-forward blocks and the layer norms. The loss covers what follows the prompt
(timestamps, text, end of text); the prompt is the recogniser's own biasing prompt.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from evals.asr_training.held_out import held_out_texts  # standard library only (run with PYTHONPATH=.)

_HERE = Path(__file__).resolve()
_spec = importlib.util.spec_from_file_location("ct2_file", _HERE.parents[2] / "voice" / "asr" / "ct2_file.py")
assert _spec is not None and _spec.loader is not None
ct2_file: Any = importlib.util.module_from_spec(_spec)
sys.modules["ct2_file"] = ct2_file  # dataclasses look their module up by name
_spec.loader.exec_module(ct2_file)

FROZEN_SUFFIXES = ("attention/linear_1/weight", "attention/linear_1/bias")  # cross-attention K/V (not self_attention)


def trainable(name: str) -> bool:
    """Decoder layer tensors except the cross-attention key/value projection."""
    if not name.startswith("decoder/layer_"):  # the layers and the final layer norm
        return False
    return not (any(name.endswith(s) for s in FROZEN_SUFFIXES) and "/self_attention/" not in name)


class Decoder(torch.nn.Module):
    """Whisper's pre-norm decoder over CTranslate2 tensor names."""

    def __init__(self, model: Any, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.names = [n for n in model.variables if n.startswith("decoder/") and model.variables[n].shape]
        self.layers = sorted({int(n.split("/")[1].split("_")[1]) for n in self.names if n.startswith("decoder/layer_") and n.split("/")[1][6:].isdigit()})
        self.p = torch.nn.ParameterDict()
        for n in self.names:
            value = torch.from_numpy(model.variables[n].array().astype(np.float32))
            self.p[n.replace("/", "__")] = torch.nn.Parameter(value, requires_grad=trainable(n))

    def w(self, name: str) -> torch.Tensor:
        return self.p[name.replace("/", "__")]

    def ln(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return F.layer_norm(x, (x.shape[-1],), self.w(name + "/gamma"), self.w(name + "/beta"), 1e-5)

    def lin(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return F.linear(x, self.w(name + "/weight"), self.w(name + "/bias"))

    def split(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        return x.view(b, t, self.heads, d // self.heads).transpose(1, 2)

    @torch.no_grad()
    def cross_kv(self, enc: torch.Tensor) -> torch.Tensor:
        """Keys and values of the encoder output for every layer: [layers, 2, batch, frames, dim]."""
        out = []
        for i in self.layers:
            kv = self.lin(enc, f"decoder/layer_{i}/attention/linear_1")
            out.append(torch.stack(kv.chunk(2, dim=-1)))
        return torch.stack(out)

    def _layer(self, x: torch.Tensor, kv: torch.Tensor, n: int, i: int,
               past: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """One decoder layer; ``past`` is the normed self-attention input of earlier positions (all visible)."""
        pre = f"decoder/layer_{i}"
        h = self.ln(x, f"{pre}/self_attention/layer_norm")
        q, k, v = self.lin(h, f"{pre}/self_attention/linear_0").chunk(3, dim=-1)
        if past is None:
            a = F.scaled_dot_product_attention(self.split(q), self.split(k), self.split(v), is_causal=True)
        else:
            _, pk, pv = self.lin(past, f"{pre}/self_attention/linear_0").chunk(3, dim=-1)
            t, p = x.shape[1], past.shape[1]
            mask = torch.ones(t, p + t, dtype=torch.bool).tril(diagonal=p)
            a = F.scaled_dot_product_attention(self.split(q), self.split(torch.cat([pk, k], 1)),
                                               self.split(torch.cat([pv, v], 1)), attn_mask=mask)
        x = x + self.lin(a.transpose(1, 2).reshape(x.shape), f"{pre}/self_attention/linear_1")
        h2 = self.ln(x, f"{pre}/attention/layer_norm")
        q = self.lin(h2, f"{pre}/attention/linear_0")
        a = F.scaled_dot_product_attention(self.split(q), self.split(kv[n, 0]), self.split(kv[n, 1]))
        x = x + self.lin(a.transpose(1, 2).reshape(x.shape), f"{pre}/attention/linear_2")
        h3 = self.ln(x, f"{pre}/ffn/layer_norm")
        return x + self.lin(F.gelu(self.lin(h3, f"{pre}/ffn/linear_0")), f"{pre}/ffn/linear_1"), h

    def forward(self, tokens: torch.Tensor, kv: torch.Tensor, out_from: int) -> torch.Tensor:
        """Logits for positions ``out_from`` onwards.

        The positions before ``out_from`` (the prompt, the same for every utterance) run without
        gradient: the forward pass is exact, but gradients do not flow back through the prompt's
        hidden states (a truncation that makes a step about three times cheaper)."""
        pos = self.w("decoder/position_encodings/encodings")
        emb = self.w("decoder/embeddings/weight")
        x = F.embedding(tokens, emb) + pos[: tokens.shape[1]]
        xp, xt = x[:, :out_from].detach(), x[:, out_from:]
        for n, i in enumerate(self.layers):
            with torch.no_grad():
                xp, hp = self._layer(xp, kv, n, i, None)
            xt, _ = self._layer(xt, kv, n, i, hp)
        return F.linear(self.ln(xt, "decoder/layer_norm"), emb)


def batches(indices: list[int], size: int, rng: random.Random) -> list[list[int]]:
    order = indices[:]
    rng.shuffle(order)
    return [order[i:i + size] for i in range(0, len(order), size)]


def run_batch(model: Decoder, rows: list[dict[str, Any]], kv: torch.Tensor) -> tuple[torch.Tensor, int, int]:
    """Summed loss, tokens and correct top-1 tokens for one batch (all prompts have one length)."""
    plen = len(rows[0]["prompt"])
    width = max(len(r["target"]) for r in rows)
    seqs = torch.full((len(rows), plen + width), 50256, dtype=torch.long)  # pad with end of text
    labels = torch.full((len(rows), width), -100, dtype=torch.long)
    for j, r in enumerate(rows):
        seq = r["prompt"] + r["target"]
        seqs[j, : len(seq)] = torch.tensor(seq)
        labels[j, : len(r["target"])] = torch.tensor(r["target"])
    logits = model(seqs[:, :-1], kv, plen - 1)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100, reduction="sum")
    mask = labels != -100
    correct = int(((logits.argmax(-1) == labels) & mask).sum())
    return loss, int(mask.sum()), correct


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--base", type=Path, required=True, help="the packaged tiny.en model.bin (float16)")
    ap.add_argument("--out", type=Path, required=True, help="where the trained tensors go (.npz, float16)")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=2e-5)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--val", type=float, default=0.06, help="share of utterances held out for validation loss")
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cache-kv", action="store_true", help="precompute the cross-attention keys/values to disk")
    ap.add_argument("--limit", type=int, default=None, help="use only the first N prepared utterances")
    ap.add_argument("--init", type=Path, default=None, help="start from an earlier delta (.npz) instead of tiny.en")
    args = ap.parse_args(argv)

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    base = ct2_file.read(args.base)
    heads = int(base.variables["decoder/num_heads"].array())
    model = Decoder(base, heads)
    if args.init is not None:  # continue an earlier adaptation on new data
        with np.load(args.init) as delta:
            for key in delta.files:
                model.p[key.replace("|", "__")].data.copy_(torch.from_numpy(delta[key].astype(np.float32)))
        print(f"started from {args.init} ({len(delta.files)} tensors)", flush=True)
    meta = json.loads((args.data / "meta.json").read_text())
    rows = meta["rows"][: args.limit] if args.limit else meta["rows"]
    enc = np.load(args.data / "encoder.npy", mmap_mode="r")
    banned = held_out_texts()
    ids = [i for i, r in enumerate(rows) if str(r["text"]).strip().lower() not in banned]
    if len(ids) < len(rows):
        print(f"dropped {len(rows) - len(ids)} utterances whose sentence is in a held-out split", flush=True)
    rng.shuffle(ids)
    n_val = max(8, int(len(ids) * args.val))
    val, train = sorted(ids[:n_val]), ids[n_val:]
    print(f"{len(train)} train, {len(val)} validation utterances", flush=True)

    kv_cache = None
    if args.cache_kv:  # worth it from two epochs on: the keys/values cost about as much as a training step
        t0 = time.time()
        kv_cache = np.lib.format.open_memmap(args.data / "cross_kv.npy", mode="w+", dtype=np.float16,
                                             shape=(len(rows), len(model.layers), 2, enc.shape[1], enc.shape[2]))
        for i in range(0, len(rows), 16):
            chunk = torch.from_numpy(np.asarray(enc[i:i + 16], dtype=np.float32))
            kv_cache[i:i + 16] = model.cross_kv(chunk).permute(2, 0, 1, 3, 4).numpy().astype(np.float16)
        print(f"cross-attention keys/values in {time.time() - t0:.0f} s", flush=True)

    def kv_of(batch: list[int]) -> torch.Tensor:
        if kv_cache is None:
            return model.cross_kv(torch.from_numpy(np.stack([enc[i] for i in batch]).astype(np.float32)))
        return torch.from_numpy(np.stack([kv_cache[i] for i in batch]).astype(np.float32)).permute(1, 2, 0, 3, 4)

    def evaluate() -> tuple[float, float]:
        model.eval()
        total, tokens, correct = 0.0, 0, 0
        with torch.no_grad():
            for b in [val[i:i + args.batch] for i in range(0, len(val), args.batch)]:
                loss, n, c = run_batch(model, [rows[i] for i in b], kv_of(b))
                total, tokens, correct = total + float(loss), tokens + n, correct + c
        model.train()
        return total / tokens, correct / tokens

    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    steps = args.epochs * math.ceil(len(train) / args.batch)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 30) * max(0.05, 1 - s / steps))
    loss0, acc0 = evaluate()
    print(f"epoch 0: validation loss {loss0:.3f}/token, token accuracy {acc0:.1%}", flush=True)
    best: tuple[float, dict[str, np.ndarray] | None] = (loss0, None)
    for epoch in range(1, args.epochs + 1):
        t0 = time.time()
        for b in batches(train, args.batch, rng):
            loss, n, _ = run_batch(model, [rows[i] for i in b], kv_of(b))
            opt.zero_grad()
            (loss / n).backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
        vloss, vacc = evaluate()
        print(f"epoch {epoch}: validation loss {vloss:.3f}/token, token accuracy {vacc:.1%} ({time.time() - t0:.0f} s)",
              flush=True)
        if vloss < best[0]:
            best = (vloss, {n: p.detach().numpy().astype(np.float16) for n, p in model.p.items() if p.requires_grad})
    if best[1] is None:
        print("no epoch improved on the base model; nothing written")
        return 1
    tensors = {k.replace("__", "/"): v for k, v in best[1].items()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(args.out, allow_pickle=False, **{k.replace("/", "|"): v for k, v in tensors.items()})
    print(f"wrote {len(tensors)} tensors ({sum(v.nbytes for v in tensors.values()) / 1e6:.1f} MB) to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
