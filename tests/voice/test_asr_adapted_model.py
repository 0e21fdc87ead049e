"""The dental-adapted tiny.en: the model file reader, the composition from the shipped delta, its pins.

Everything runs on the real packaged tiny.en ``model.bin`` and the real shipped delta; no mocks of
the speech model.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from core_schema.model_files import PINNED_MODELS, sha256_file
from core_schema.settings import get_settings
from voice.asr import adapted_model, ct2_file
from voice.asr.adapted_model import DELTA_PATH, AdaptedModelError, compose, is_composed, load_delta
from voice.asr.model import ModelNotFoundError, default_model_path, load_model, model_name, resolve_model_path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DENTALAGENT_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path / "home"
    monkeypatch.undo()
    get_settings.cache_clear()


def test_model_file_round_trip_is_byte_identical(tmp_path: Path) -> None:
    source = default_model_path() / "model.bin"
    model = ct2_file.read(source)
    assert model.spec == "WhisperSpec" and model.aliases == {"decoder/projection/weight": "decoder/embeddings/weight"}
    ct2_file.write(model, tmp_path / "model.bin")
    assert sha256_file(tmp_path / "model.bin") == sha256_file(source)


def test_replace_refuses_unknown_names_and_other_shapes() -> None:
    model = ct2_file.read(default_model_path() / "model.bin")
    with pytest.raises(ct2_file.ModelFileError, match="no tensor"):
        ct2_file.replace(model, {"decoder/layer_9/ffn/linear_0/bias": np.zeros(1536, np.float16)})
    with pytest.raises(ct2_file.ModelFileError, match="does not match"):
        ct2_file.replace(model, {"decoder/layer_0/ffn/linear_0/bias": np.zeros(1536, np.float32)})
    bias = np.full(1536, 0.5, np.float16)
    changed = ct2_file.replace(model, {"decoder/layer_0/ffn/linear_0/bias": bias})
    assert np.array_equal(changed.variables["decoder/layer_0/ffn/linear_0/bias"].array(), bias)
    assert model.variables["decoder/layer_0/ffn/linear_0/bias"].array()[0] != 0.5  # the original is untouched


def test_truncated_model_file_is_refused(tmp_path: Path) -> None:
    data = (default_model_path() / "model.bin").read_bytes()[:100_000]
    (tmp_path / "model.bin").write_bytes(data)
    with pytest.raises(ct2_file.ModelFileError, match="ends early"):
        ct2_file.read(tmp_path / "model.bin")


def test_shipped_delta_matches_its_pin_and_changes_only_decoder_layers() -> None:
    assert sha256_file(DELTA_PATH) == PINNED_MODELS[adapted_model.DELTA_PIN].files[DELTA_PATH.name]
    tensors = load_delta()
    base = ct2_file.read(default_model_path() / "model.bin")
    assert tensors and all(name.startswith("decoder/layer") for name in tensors)
    for name, value in tensors.items():
        assert (str(value.dtype), value.shape) == (base.variables[name].dtype, base.variables[name].shape), name
    assert any(not np.array_equal(v, base.variables[n].array()) for n, v in tensors.items())


def test_tampered_delta_is_refused_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / DELTA_PATH.name
    data = bytearray(DELTA_PATH.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte inside a tensor
    bad.write_bytes(bytes(data))
    with pytest.raises(AdaptedModelError) as err:
        compose(default_model_path(), tmp_path / "out", bad)
    message = str(err.value)
    assert "\n" not in message and "does not match its pinned sha256" in message
    assert not (tmp_path / "out").exists()


def test_composed_once_then_reused_and_checked(home: Path) -> None:
    path = resolve_model_path(adapted_model.MODEL_NAME)
    assert path == home.resolve() / "models" / adapted_model.FOLDER_NAME and is_composed(path)
    assert model_name(path) == adapted_model.MODEL_NAME
    stamp = (path / "model.bin").stat().st_mtime_ns
    assert resolve_model_path(adapted_model.MODEL_NAME) == path
    assert (path / "model.bin").stat().st_mtime_ns == stamp  # reused, not rewritten
    for name, sha in PINNED_MODELS[adapted_model.PIN].files.items():
        assert sha256_file(path / name) == sha, name


def test_hand_edited_composed_folder_is_refused(home: Path) -> None:
    path = resolve_model_path(adapted_model.MODEL_NAME)
    with open(path / "model.bin", "r+b") as fh:
        fh.seek(-2, 2)
        fh.write(b"\x00\x01")
    with pytest.raises(ModelNotFoundError) as err:
        resolve_model_path(adapted_model.MODEL_NAME)
    assert "\n" not in str(err.value) and "pinned sha256" in str(err.value)


def test_stale_composition_is_rebuilt(home: Path) -> None:
    path = resolve_model_path(adapted_model.MODEL_NAME)
    (path / adapted_model.MANIFEST).write_text(json.dumps({"model": "older"}))
    assert not is_composed(path)
    assert resolve_model_path(adapted_model.MODEL_NAME) == path and is_composed(path)


def test_the_named_model_is_the_one_loaded(home: Path) -> None:
    from voice.asr import Transcriber

    _, path, _, _ = load_model(adapted_model.MODEL_NAME, device="cpu")
    assert path.name == adapted_model.FOLDER_NAME
    assert Transcriber(model=adapted_model.MODEL_NAME, device="cpu").model_name == adapted_model.MODEL_NAME
    assert Transcriber(device="cpu").model_name == "tiny.en"
