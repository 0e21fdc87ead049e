"""Content-addressed image files: ``images/{tenant}/{sha[:2]}/{sha}.{ext}`` under the platform home.

The original bytes are named by their SHA-256 (the same file twice is stored once and can be
checked against its name); beside it a display rendering (8-bit grey PNG, windowed for DICOM,
longest side at most ``display_px``) and a thumbnail. Models read the display rendering.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np

from imaging.config import images_root, imaging_settings


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write(path: Path, data: bytes) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{uuid.uuid4().hex[:8]}.part")
    tmp.write_bytes(data)
    tmp.replace(path)


def _png(pixels: np.ndarray, longest: int) -> tuple[bytes, int, int]:
    from PIL import Image

    img = Image.fromarray(pixels)
    if max(img.size) > longest:
        img.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False, compress_level=1)
    return buf.getvalue(), img.width, img.height


def store(tenant_id: uuid.UUID, digest: str, data: bytes, extension: str, pixels: np.ndarray) -> dict[str, object]:
    """Write the original and its renderings (once); returns their URIs and sizes."""
    folder = images_root() / str(tenant_id) / digest[:2]
    original = folder / f"{digest}.{extension}"
    _write(original, data)
    s = imaging_settings()
    display, dw, dh = _png(pixels, s.display_px)
    thumb, tw, th = _png(pixels, s.thumbnail_px)
    _write(folder / f"{digest}.display.png", display)
    _write(folder / f"{digest}.thumb.png", thumb)
    return {
        "original": original.as_uri(),
        "display": {"uri": (folder / f"{digest}.display.png").as_uri(), "width": dw, "height": dh},
        "thumbnail": {"uri": (folder / f"{digest}.thumb.png").as_uri(), "width": tw, "height": th},
    }


def path_of(uri: str) -> Path:
    return Path(unquote(urlparse(uri).path))


def read_grey(uri: str) -> np.ndarray:
    """The 8-bit grey pixels of a stored rendering."""
    from PIL import Image

    with Image.open(path_of(uri)) as img:
        return np.asarray(img.convert("L"), dtype=np.uint8)
