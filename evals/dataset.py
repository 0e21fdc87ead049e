"""Eval datasets as JSONL files: one row per utterance, checked row by row.

A row holds ``text`` (what was said; the reference transcript of a recording) and/or
``audio`` (a WAV/FLAC/OGG/MP3 file, relative to the JSONL file), optional ``id``,
``notation`` (FDI or UNIVERSAL), ``context`` ({"tooth", "perio_mode"}), ``tags`` and the
``expected`` output in the voice contract's shape, with only the keys that matter. Rows
without ``expected`` are scored for speech recognition only.

Why line-numbered problems instead of an exception: a clinic's file of a thousand recordings
with one typo must still be evaluated; the bad rows are listed in the report with their line.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The fields of a proposal that an expected row may give (and that scorers compare).
PROPOSAL_FIELDS: tuple[str, ...] = ("command", "tooth", "teeth", "surfaces", "label", "code", "values", "missing", "from_context")

DATASETS_DIR = Path(__file__).resolve().parent / "datasets"
AUDIO_SUFFIXES = frozenset({".wav", ".flac", ".ogg", ".opus", ".mp3", ".webm"})
KINDS = frozenset({"proposal", "no_command", "clarify", "control"})
NOTATIONS = frozenset({"FDI", "UNIVERSAL"})
_ROW_KEYS = frozenset({"id", "text", "audio", "notation", "context", "expected", "tags", "note", "split"})
_EXPECTED_KEYS = frozenset({"kind", "proposals", "clarify_options_include", "control"})


@dataclass(frozen=True)
class Sample:
    """One checked row: what goes in, what should come out, and where it came from."""

    id: str
    line: int
    text: str | None = None
    audio: Path | None = None
    notation: str = "FDI"
    context: dict[str, Any] | None = None
    expected: dict[str, Any] | None = None
    tags: tuple[str, ...] = ()
    audio_ref: str | None = None  # the path as the row gave it (reports show this, not our absolute path)

    def public(self) -> dict[str, Any]:
        """The row as a report shows it (audio as given, relative where possible)."""
        out: dict[str, Any] = {"id": self.id, "line": self.line}
        if self.text is not None:
            out["text"] = self.text
        if self.audio is not None:
            out["audio"] = self.audio_ref or self.audio.name
        return out


@dataclass(frozen=True)
class Problem:
    """A row that could not be used, and why (reported, never fatal)."""

    line: int
    error: str
    id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "id": self.id, "error": self.error}


@dataclass
class Dataset:
    """The usable samples of one file, plus the rows that were refused."""

    name: str
    path: Path | None
    samples: list[Sample]
    problems: list[Problem] = field(default_factory=list)
    sha256: str | None = None

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "path": str(self.path) if self.path else None, "sha256": self.sha256,
                "rows": len(self.samples), "problems": [p.as_dict() for p in self.problems]}

    def subset(self, ids: list[str] | tuple[str, ...] | None = None, limit: int | None = None) -> Dataset:
        """The same dataset restricted to ``ids`` (in file order) and/or the first ``limit`` rows."""
        samples = [s for s in self.samples if ids is None or s.id in set(ids)]
        problems = list(self.problems)
        if ids is not None:
            known = {s.id for s in self.samples}
            problems += [Problem(0, "id not in the dataset", i) for i in ids if i not in known]
        return Dataset(self.name, self.path, samples[:limit] if limit else samples, problems, self.sha256)


def builtin(name: str) -> Path:
    """A dataset shipped with the package (``evals/datasets/NAME``)."""
    return DATASETS_DIR / name


def load_dataset(path: str | Path) -> Dataset:
    """Read and check every row of a JSONL file; bad rows become ``problems``, the rest samples."""
    path = Path(path)
    raw = path.read_bytes()
    samples: list[Sample] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for lineno, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            sample = parse_row(line, lineno, path.parent)
        except RowError as exc:
            problems.append(Problem(lineno, str(exc), exc.row_id))
            continue
        if sample.id in seen:
            problems.append(Problem(lineno, f"duplicate id {sample.id!r}", sample.id))
            continue
        seen.add(sample.id)
        samples.append(sample)
    return Dataset(path.name, path, samples, problems, hashlib.sha256(raw).hexdigest())


def from_rows(rows: list[dict[str, Any]], name: str = "inline") -> Dataset:
    """A dataset from rows already in memory (the built-in evals, tests)."""
    samples: list[Sample] = []
    problems: list[Problem] = []
    for i, row in enumerate(rows, start=1):
        try:
            samples.append(parse_row(json.dumps(row), i, DATASETS_DIR))
        except RowError as exc:
            problems.append(Problem(i, str(exc), exc.row_id))
    return Dataset(name, None, samples, problems)


class RowError(ValueError):
    """Why one row is unusable."""

    def __init__(self, message: str, row_id: str | None = None) -> None:
        super().__init__(message)
        self.row_id = row_id


def parse_row(line: str, lineno: int, base: Path) -> Sample:
    """One JSONL line -> a ``Sample`` (raises ``RowError`` with a reason a person can act on)."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RowError(f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(row, dict):
        raise RowError("a row must be a JSON object")
    row_id = row.get("id")
    row_id = str(row_id) if row_id is not None else f"line-{lineno}"
    unknown = sorted(set(row) - _ROW_KEYS)
    if unknown:
        raise RowError(f"unknown keys {unknown}", row_id)
    text, audio = row.get("text"), row.get("audio")
    if text is not None and (not isinstance(text, str) or not text.strip()):
        raise RowError("text must be a non-empty string", row_id)
    if text is None and audio is None:
        raise RowError("a row needs text or audio", row_id)
    audio_path = _audio_path(audio, base, row_id) if audio is not None else None
    notation = str(row.get("notation") or "FDI").upper()
    if notation not in NOTATIONS:
        raise RowError(f"notation must be FDI or UNIVERSAL, got {row.get('notation')!r}", row_id)
    context = row.get("context")
    if context is not None:
        _check_context(context, row_id)
    expected = row.get("expected")
    if expected is not None:
        check_expected(expected, row_id)
    tags = row.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise RowError("tags must be a list of strings", row_id)
    return Sample(row_id, lineno, text, audio_path, notation, context or None, expected, tuple(tags),
                  audio if audio_path is not None else None)


def _audio_path(audio: Any, base: Path, row_id: str) -> Path:
    if not isinstance(audio, str) or not audio.strip():
        raise RowError("audio must be a file path", row_id)
    p = Path(audio)
    p = p if p.is_absolute() else (base / p)
    if p.suffix.lower() not in AUDIO_SUFFIXES:
        raise RowError(f"audio {audio!r}: not a WAV, FLAC, OGG, MP3 or WebM file", row_id)
    if not p.is_file():
        raise RowError(f"audio file not found: {audio}", row_id)
    return p.resolve()


def _check_context(context: Any, row_id: str) -> None:
    from voice.interpreter import InterpretContext  # noqa: PLC0415 - keep dataset loading light

    if not isinstance(context, dict):
        raise RowError("context must be an object", row_id)
    try:
        InterpretContext.model_validate(context)
    except ValueError as exc:
        raise RowError(f"context: {exc.errors()[0]['msg'] if hasattr(exc, 'errors') else exc}", row_id) from None


def check_expected(expected: Any, row_id: str | None = None) -> None:
    """The expectation must name a known kind and only registry commands and contract fields."""
    from voice.interpreter.registry import COMMANDS  # noqa: PLC0415

    if not isinstance(expected, dict):
        raise RowError("expected must be an object", row_id)
    extra = sorted(set(expected) - _EXPECTED_KEYS)
    if extra:
        raise RowError(f"expected: unknown keys {extra}", row_id)
    if expected.get("kind") not in KINDS:
        raise RowError(f"expected.kind must be one of {sorted(KINDS)}, got {expected.get('kind')!r}", row_id)
    if "control" in expected and not (isinstance(expected["control"], dict) and "action" in expected["control"]):
        raise RowError("expected.control must be an object with an action", row_id)
    proposals = expected.get("proposals") or []
    if not isinstance(proposals, list):
        raise RowError("expected.proposals must be a list", row_id)
    for i, p in enumerate(proposals, start=1):
        if not isinstance(p, dict):
            raise RowError(f"expected proposal {i} must be an object", row_id)
        if p.get("command") not in COMMANDS:
            raise RowError(f"expected proposal {i}: unknown command {p.get('command')!r}", row_id)
        bad = sorted(set(p) - set(PROPOSAL_FIELDS))
        if bad:
            raise RowError(f"expected proposal {i}: unknown fields {bad}", row_id)
