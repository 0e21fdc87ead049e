"""Read and write CTranslate2 ``model.bin`` files, so tensors can be swapped without the converter.

Why: the dental-adapted tiny.en ships as only its changed decoder tensors (a small delta file);
at first use they replace the same-named tensors of the packaged tiny.en ``model.bin``. The
format is CTranslate2's own (``ctranslate2/specs/model_spec.py``, ``_serialize``): a version,
the spec name and revision, the variables (name, shape, dtype id, raw bytes) and aliases.
Unchanged tensors are carried as raw bytes, so reading and writing back is byte-identical.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

# The order of CTranslate2's DataType enum (include/ctranslate2/types.h); bfloat16 has no numpy type.
DTYPES: tuple[str, ...] = ("float32", "int8", "int16", "int32", "float16", "bfloat16")


class ModelFileError(ValueError):
    """The bytes are not a CTranslate2 model file this reader knows."""


@dataclass
class Variable:
    """One tensor: its dtype name, shape and raw little-endian bytes."""

    dtype: str
    shape: tuple[int, ...]
    data: bytes

    def array(self) -> np.ndarray:
        """The tensor as numpy (a copy); bfloat16 is refused."""
        if self.dtype == "bfloat16":
            raise ModelFileError("bfloat16 tensors are not supported")
        return np.frombuffer(self.data, dtype=np.dtype(self.dtype).newbyteorder("<")).reshape(self.shape).copy()

    @classmethod
    def of(cls, value: np.ndarray) -> Variable:
        dtype = str(value.dtype)
        if dtype not in DTYPES:
            raise ModelFileError(f"dtype {dtype} cannot be stored in a CTranslate2 model")
        return cls(dtype, tuple(int(d) for d in value.shape), np.ascontiguousarray(value).astype(value.dtype.newbyteorder("<")).tobytes())


@dataclass
class ModelFile:
    """A parsed ``model.bin``: variables in file order and aliases (alias -> variable name)."""

    version: int
    spec: str
    revision: int
    variables: dict[str, Variable] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)


def _read_exact(f: BinaryIO, n: int) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise ModelFileError("the model file ends early")
    return data


def _read_string(f: BinaryIO) -> str:
    (n,) = struct.unpack("<H", _read_exact(f, 2))
    return _read_exact(f, n)[:-1].decode("utf-8")


def _write_string(f: BinaryIO, text: str) -> None:
    raw = text.encode("utf-8")
    f.write(struct.pack("<H", len(raw) + 1) + raw + b"\0")


def read(path: Path) -> ModelFile:
    """Parse a ``model.bin`` (binary versions 5 and 6, the ones CTranslate2 4.x writes)."""
    with open(path, "rb") as f:
        (version,) = struct.unpack("<I", _read_exact(f, 4))
        if version not in (5, 6):
            raise ModelFileError(f"{path}: CTranslate2 binary version {version} is not supported")
        spec = _read_string(f)
        (revision,) = struct.unpack("<I", _read_exact(f, 4))
        model = ModelFile(version, spec, revision)
        (count,) = struct.unpack("<I", _read_exact(f, 4))
        for _ in range(count):
            name = _read_string(f)
            (rank,) = struct.unpack("<B", _read_exact(f, 1))
            shape = struct.unpack(f"<{rank}I", _read_exact(f, 4 * rank))
            dtype_id, n_bytes = struct.unpack("<BI", _read_exact(f, 5))
            if dtype_id >= len(DTYPES):
                raise ModelFileError(f"{path}: unknown dtype id {dtype_id} for {name}")
            model.variables[name] = Variable(DTYPES[dtype_id], tuple(shape), _read_exact(f, n_bytes))
        (n_aliases,) = struct.unpack("<I", _read_exact(f, 4))
        for _ in range(n_aliases):
            alias = _read_string(f)
            model.aliases[alias] = _read_string(f)
        if f.read(1):
            raise ModelFileError(f"{path}: unexpected bytes after the aliases")
    return model


def write(model: ModelFile, path: Path) -> None:
    """Write ``model`` in the same layout ``read`` parses."""
    with open(path, "wb") as f:
        f.write(struct.pack("<I", model.version))
        _write_string(f, model.spec)
        f.write(struct.pack("<II", model.revision, len(model.variables)))
        for name, var in model.variables.items():
            _write_string(f, name)
            f.write(struct.pack(f"<B{len(var.shape)}I", len(var.shape), *var.shape))
            f.write(struct.pack("<BI", DTYPES.index(var.dtype), len(var.data)))
            f.write(var.data)
        f.write(struct.pack("<I", len(model.aliases)))
        for alias, name in model.aliases.items():
            _write_string(f, alias)
            _write_string(f, name)


def replace(model: ModelFile, tensors: dict[str, np.ndarray]) -> ModelFile:
    """A copy of ``model`` with the named tensors replaced (same names, shapes and dtypes only)."""
    out = ModelFile(model.version, model.spec, model.revision, dict(model.variables), dict(model.aliases))
    for name, value in tensors.items():
        old = model.variables.get(name)
        if old is None:
            raise ModelFileError(f"the model has no tensor {name}")
        new = Variable.of(value)
        if (new.dtype, new.shape) != (old.dtype, old.shape):
            raise ModelFileError(f"{name}: {new.dtype}{list(new.shape)} does not match {old.dtype}{list(old.shape)}")
        out.variables[name] = new
    return out
