"""Bytes -> a grey-level image and its identifiers, or one clear refusal.

DICOM (pydicom): the file must carry a DICOM header, a 2-D radiograph modality (``IO``
intraoral, ``PX`` panoramic, ``DX``), pixel data of the expected length and a transfer syntax
this installation can decode (uncompressed, RLE, and the JPEG family where pydicom has a
decoder). Its pixels go through the modality LUT (rescale) and the VOI LUT (window
centre/width from the file, else the full range), MONOCHROME1 inverted, to 8-bit grey.
PNG / JPEG / TIFF (Pillow): read fully (a truncated file is refused), converted to 8-bit grey.

Only UIDs, modality and acquisition time are read from a DICOM header: the patient's name,
id and birth date are never read, so they cannot reach a log, a trace or a run's state.
Error messages name the file's problem, never its content.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

from imaging.config import imaging_settings
from imaging.errors import ImagingError

DICOM_MODALITIES = {"IO": "INTRAORAL", "PX": "PANORAMIC", "DX": "INTRAORAL"}
PIL_FORMATS = {"PNG": "png", "JPEG": "jpg", "TIFF": "tif"}


@dataclass
class DecodedImage:
    """A decoded image, ready to store and to run a model on (no patient identifiers)."""

    object_type: str  # DICOM | PNG | JPEG | TIFF
    extension: str
    modality: str  # INTRAORAL | PANORAMIC
    pixels: np.ndarray  # uint8, H x W, windowed for display
    study_uid: str | None = None
    series_uid: str | None = None
    sop_instance_uid: str | None = None
    series_number: str | None = None
    body_part: str | None = None
    acquired_at: datetime | None = None
    transfer_syntax: str | None = None
    window: tuple[float, float] | None = None

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])


def decode(data: bytes, filename: str = "", modality: str | None = None) -> DecodedImage:
    """Decode ``data``; raises ``ImagingError`` (and writes nothing) when it cannot be taken."""
    limits = imaging_settings()
    if not data:
        raise ImagingError("image_empty", f"{_name(filename)} is empty")
    if len(data) > limits.max_image_bytes:
        raise ImagingError("image_too_large", f"{_name(filename)} is {len(data)} bytes; the limit is "
                           f"{limits.max_image_bytes} bytes", 413)
    if _looks_dicom(data) or filename.lower().endswith((".dcm", ".dicom")):
        return _decode_dicom(data, filename)
    return _decode_pil(data, filename, modality)


def _name(filename: str) -> str:
    return filename.rsplit("/", 1)[-1] or "the file"


def _looks_dicom(data: bytes) -> bool:
    return len(data) >= 132 and data[128:132] == b"DICM"


def _check_pixels(width: int, height: int, filename: str) -> None:
    limit = imaging_settings().max_image_pixels
    if width <= 0 or height <= 0:
        raise ImagingError("image_invalid", f"{_name(filename)} has no pixels")
    if width * height > limit:
        raise ImagingError("image_too_large", f"{_name(filename)} is too large in pixels: {width}x{height}; "
                           f"the limit is {limit} pixels", 413)


def _pixel_bomb(filename: str, exc: Exception) -> ImagingError:
    """Pillow's own guard tripped (more pixels than it will decode): refused like any image over the cap."""
    count = re.search(r"\((\d+) pixels\)", str(exc))  # "Image size (400000000 pixels) exceeds limit of ..."
    size = f": {count.group(1)} pixels" if count else " (a decompression bomb)"
    return ImagingError("image_too_large", f"{_name(filename)} is too large in pixels{size}; "
                        f"the limit is {imaging_settings().max_image_pixels} pixels", 413)


def _decode_dicom(data: bytes, filename: str) -> DecodedImage:
    import pydicom
    from pydicom.errors import InvalidDicomError

    name = _name(filename)
    if not _looks_dicom(data):
        raise ImagingError("not_an_image", f"{name} is not a DICOM file (no DICM header) nor a PNG, JPEG or TIFF image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(io.BytesIO(data))
    except InvalidDicomError:
        raise ImagingError("not_an_image", f"{name} is not a valid DICOM file") from None
    except Exception:  # pydicom raises EOFError, ValueError, struct.error... on a cut-off file
        raise ImagingError("dicom_truncated", f"{name} is a truncated or corrupt DICOM file") from None
    if "PixelData" not in ds and "Modality" not in ds:
        raise ImagingError("dicom_truncated", f"{name} is a truncated or corrupt DICOM file (no image in it)")
    code = str(ds.get("Modality", "") or "").upper()
    if code not in DICOM_MODALITIES:
        raise ImagingError("dicom_modality", f"{name} is a DICOM {code or 'file without modality'}; accepted: "
                           "intraoral (IO), panoramic (PX) and DX radiographs")
    if "PixelData" not in ds:
        raise ImagingError("dicom_truncated", f"{name} has no pixel data (truncated or not an image)")
    # Rows x Columns (and the frames) come from the header: refused before a pixel is decoded,
    # since compressed pixel data (RLE, JPEG) can be tiny on disk and huge in memory.
    try:
        rows, cols = int(ds.get("Rows", 0) or 0), int(ds.get("Columns", 0) or 0)
        frames = int(ds.get("NumberOfFrames", 1) or 1)
    except (TypeError, ValueError):
        raise ImagingError("dicom_truncated", f"{name} has an unreadable image size in its header") from None
    _check_pixels(cols, rows, filename)
    if frames < 1 or frames * rows * cols > imaging_settings().max_image_pixels:
        raise ImagingError("image_too_large", f"{name} is too large in pixels: {frames} frames of {cols}x{rows}; "
                           f"the limit is {imaging_settings().max_image_pixels} pixels", 413)
    syntax = ds.file_meta.get("TransferSyntaxUID") if hasattr(ds, "file_meta") else None
    try:
        raw = ds.pixel_array
    except (NotImplementedError, RuntimeError) as exc:
        if "length" in str(exc).lower():
            raise ImagingError("dicom_truncated", f"{name}: truncated DICOM (the pixel data is shorter than its header says)") from None
        label = getattr(syntax, "name", None) or str(syntax)
        raise ImagingError("dicom_transfer_syntax", f"{name}: transfer syntax {label} is not supported here") from None
    except Exception as exc:
        if "length" in str(exc).lower() or isinstance(exc, (ValueError, EOFError)):
            raise ImagingError("dicom_truncated", f"{name}: truncated DICOM (the pixel data is shorter than its header says)") from None
        raise ImagingError("dicom_unreadable", f"{name}: the pixel data cannot be decoded") from None
    pixels, window = _window(ds, raw)
    mod = DICOM_MODALITIES[code]
    if code == "DX" and pixels.shape[1] > 1.8 * pixels.shape[0]:
        mod = "PANORAMIC"
    return DecodedImage(
        object_type="DICOM", extension="dcm", modality=mod, pixels=pixels,
        study_uid=_text(ds.get("StudyInstanceUID")), series_uid=_text(ds.get("SeriesInstanceUID")),
        sop_instance_uid=_text(ds.get("SOPInstanceUID")), series_number=_text(ds.get("SeriesNumber")),
        body_part=_text(ds.get("BodyPartExamined")), acquired_at=_acquired(ds),
        transfer_syntax=str(syntax) if syntax else None, window=window,
    )


def _window(ds, raw: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    """8-bit display pixels: modality LUT, then the file's window (else its full range)."""
    from pydicom.pixels import apply_modality_lut

    arr = np.asarray(raw)
    if arr.ndim == 3 and arr.shape[-1] in (3, 4) and str(ds.get("PhotometricInterpretation", "")).startswith(("RGB", "YBR")):
        arr = arr[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    elif arr.ndim == 3:  # multi-frame: the first frame
        arr = arr[0]
    values = apply_modality_lut(arr, ds).astype(np.float32)
    center, width = ds.get("WindowCenter"), ds.get("WindowWidth")
    if center is not None and width is not None:
        c = float(center[0] if _multi(center) else center)
        w = max(float(width[0] if _multi(width) else width), 1.0)
    else:
        lo, hi = float(values.min()), float(values.max())
        c, w = (lo + hi) / 2, max(hi - lo, 1.0)
    scaled = np.clip((values - (c - w / 2)) / w, 0.0, 1.0)
    if str(ds.get("PhotometricInterpretation", "")) == "MONOCHROME1":
        scaled = 1.0 - scaled
    return (scaled * 255.0 + 0.5).astype(np.uint8), (c, w)


def _multi(value) -> bool:
    return isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue"


def _text(value) -> str | None:
    return str(value).strip() or None if value is not None else None


def _acquired(ds) -> datetime | None:
    day = str(ds.get("AcquisitionDate") or ds.get("StudyDate") or "")
    clock = str(ds.get("AcquisitionTime") or ds.get("StudyTime") or "000000").split(".")[0].ljust(6, "0")[:6]
    try:
        return datetime.strptime(day + clock, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc) if day else None
    except ValueError:
        return None


def _decode_pil(data: bytes, filename: str, modality: str | None) -> DecodedImage:
    from PIL import Image, UnidentifiedImageError

    name = _name(filename)
    bombs = (Image.DecompressionBombError, Image.DecompressionBombWarning)
    # Opening reads the header only: the size is checked against our cap before load() decodes.
    # Pillow's own bomb guard (a warning past its limit, an error past twice that) is an error here.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))
        except bombs as exc:
            raise _pixel_bomb(filename, exc) from None
        except UnidentifiedImageError:
            raise ImagingError("not_an_image", f"{name} is not an image (accepted: DICOM, PNG, JPEG, TIFF)") from None
        if img.format not in PIL_FORMATS:
            raise ImagingError("image_format", f"{name} is a {img.format} image; accepted: DICOM, PNG, JPEG, TIFF")
        _check_pixels(img.width, img.height, filename)
        try:
            img.load()
        except bombs as exc:
            raise _pixel_bomb(filename, exc) from None
        except Exception:  # Pillow raises OSError / SyntaxError / ValueError on cut-off or corrupt data
            raise ImagingError("image_truncated", f"{name} is a truncated or corrupt {img.format} image") from None
    fmt = img.format
    if img.mode in ("I;16", "I;16B", "I", "F"):
        arr = np.asarray(img, dtype=np.float32)
        lo, hi = float(arr.min()), float(arr.max())
        pixels = ((arr - lo) / max(hi - lo, 1.0) * 255 + 0.5).astype(np.uint8)
    else:
        pixels = np.asarray(img.convert("L"), dtype=np.uint8)
    mod = (modality or "").upper() or ("PANORAMIC" if pixels.shape[1] > 1.8 * pixels.shape[0] else "INTRAORAL")
    if mod not in ("INTRAORAL", "PANORAMIC"):
        raise ImagingError("image_modality", f"modality {modality!r} is not one of INTRAORAL, PANORAMIC")
    return DecodedImage(object_type=fmt, extension=PIL_FORMATS[fmt], modality=mod, pixels=np.ascontiguousarray(pixels))
