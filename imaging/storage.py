"""Image objects in the object store (``core_schema.storage``), keyed by content and clinic.

The original bytes are stored under ``{tenant}/images/{sha[:2]}/{sha}.{ext}`` (the same file
twice is stored once and can be checked against its name); beside it a display rendering (8-bit
grey PNG, windowed for DICOM, longest side at most ``display_px``) and a thumbnail, each under
the key of its own bytes. Rows keep the keys; models read the display rendering back through
the store, from whichever process runs them.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np

from core_schema.storage import blobs
from core_schema.storage.base import sha256
from imaging.config import imaging_settings

__all__ = ["path_of", "read_grey", "sha256", "store"]


def _png(pixels: np.ndarray, longest: int) -> tuple[bytes, int, int]:
    from PIL import Image

    img = Image.fromarray(pixels)
    if max(img.size) > longest:
        img.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False, compress_level=1)
    return buf.getvalue(), img.width, img.height


def store(tenant_id: uuid.UUID, data: bytes, extension: str, pixels: np.ndarray) -> dict[str, object]:
    """Store the original and its renderings (once each); returns their keys and sizes."""
    s = imaging_settings()
    original = blobs.put(tenant_id, "images", data, extension)
    display, dw, dh = _png(pixels, s.display_px)
    thumb, tw, th = _png(pixels, s.thumbnail_px)
    return {
        "original": original,
        "display": {"uri": blobs.put(tenant_id, "images", display, "png"), "width": dw, "height": dh},
        "thumbnail": {"uri": blobs.put(tenant_id, "images", thumb, "png"), "width": tw, "height": th},
    }


def path_of(uri: str) -> Path:
    """The file of a ``file://`` URI (model artifacts; stored images are read through ``blobs``)."""
    return Path(unquote(urlparse(uri).path))


def read_grey(tenant_id: uuid.UUID, ref: str) -> np.ndarray:
    """The 8-bit grey pixels of a stored rendering."""
    from PIL import Image

    with Image.open(io.BytesIO(blobs.read(tenant_id, ref))) as img:
        return np.asarray(img.convert("L"), dtype=np.uint8)
