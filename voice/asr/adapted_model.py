"""tiny.en adapted to dental dictation: the packaged tiny.en with a retrained decoder, composed once.

The repository ships only the decoder tensors the adaptation changed (``adapted/tiny_en_dental.npz``,
float16, made by ``evals/asr_training``); the encoder, embeddings and tokenizer are the packaged
tiny.en's. The first use writes the composed CTranslate2 folder to
``$DENTALAGENT_HOME/models/whisper-tiny.en-dental``: the packaged tiny.en and the delta are both
checked against their pinned sha256 first (``core_schema.model_files``), the folder is built in a
temporary sibling and renamed into place under a file lock, and the result is checked against
its own pinned sha256, so a damaged or hand-edited folder is refused with one line.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from core_schema.model_files import PINNED_MODELS, verify_model_files, verify_model_folder
from voice.asr import ct2_file
from voice.asr.errors import ModelNotFoundError
from voice.asr.model_folder import build_in_place, folder_lock, models_home

MODEL_NAME = "tiny.en-dental"
FOLDER_NAME = "whisper-tiny.en-dental"
PIN = "whisper-tiny.en-dental"
DELTA_PIN = "whisper-tiny.en-dental-delta"
DELTA_PATH = Path(__file__).resolve().parent / "adapted" / "tiny_en_dental.npz"
MANIFEST = "composed.json"
_COPIED = ("config.json", "tokenizer.json", "vocabulary.txt")


class AdaptedModelError(ModelNotFoundError):
    """The delta or the composed folder is missing or damaged: reinstall, or delete the folder."""


def load_delta(path: Path = DELTA_PATH, *, pinned: bool = True) -> dict[str, np.ndarray]:
    """The delta's tensors by CTranslate2 name (stored with "|" for "/"), checked against its pin first."""
    if pinned:
        verify_model_files(DELTA_PIN, {path.name: path}, AdaptedModelError)
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key.replace("|", "/"): data[key] for key in data.files}
    except (OSError, ValueError) as exc:
        raise AdaptedModelError(f"{path} is not a readable tensor file ({exc})") from None


def _manifest(delta: Path) -> dict[str, object]:
    return {"model": MODEL_NAME, "base": "whisper-tiny.en", "delta_sha256": PINNED_MODELS[DELTA_PIN].files[delta.name]}


def is_composed(folder: Path, delta: Path = DELTA_PATH) -> bool:
    """True when ``folder`` holds a composition of this delta (by its manifest)."""
    try:
        return bool(json.loads((folder / MANIFEST).read_text()) == _manifest(delta))
    except (OSError, ValueError, KeyError):
        return False


def compose(base_folder: Path, dest: Path, delta: Path = DELTA_PATH) -> Path:
    """The composed folder at ``dest``: built once (atomic, under a lock), then reused."""
    if is_composed(dest, delta):
        return dest
    with folder_lock(dest):
        if is_composed(dest, delta):  # another process finished while we waited
            return dest
        tensors = load_delta(delta)
        try:
            model = ct2_file.replace(ct2_file.read(base_folder / "model.bin"), tensors)
        except ct2_file.ModelFileError as exc:
            raise AdaptedModelError(f"the dental decoder does not fit the packaged tiny.en: {exc}") from None

        def fill(tmp: Path) -> None:
            ct2_file.write(model, tmp / "model.bin")
            for name in _COPIED:
                shutil.copyfile(base_folder / name, tmp / name)
            (tmp / MANIFEST).write_text(json.dumps(_manifest(delta)))

        return build_in_place(dest, fill)


def default_folder() -> Path:
    """``$DENTALAGENT_HOME/models/whisper-tiny.en-dental``."""
    return models_home(FOLDER_NAME)


def adapted_model_path(base_folder: Path, dest: Path | None = None) -> Path:
    """The composed, checked folder of the dental tiny.en (``base_folder``: the verified packaged tiny.en)."""
    return verify_model_folder(PIN, compose(base_folder, dest or default_folder()), AdaptedModelError)
