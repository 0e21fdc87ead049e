"""Synthetic bitewing phantoms with known ground truth (test data, not radiographs).

No dental radiograph or model can be downloaded here, so the pipeline is tested on phantoms:
a right-side bitewing with four upper (17 16 15 14, left to right) and four lower (47 46 45
44) teeth in fixed slots (small jitter), enamel crowns brighter than roots, bone around the
roots, air between the arches, Gaussian noise. Findings are drawn where a radiograph shows
them: caries as a dark ellipse on the mesial (toward the image's right, the midline) or distal
crown third, a restoration as a radiopaque block on the occlusal surface, a periapical
radiolucency as a dark circle at the root apex; a missing tooth leaves its slot empty.

The layout (``SLOTS`` and ``anchors``) is shared with ``imaging.test_model``, whose ONNX
detector is built to find exactly these structures. Phantoms measure the pipeline (decode,
inference, tooth assignment, chart comparison, review), never clinical accuracy.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

UPPER = ("17", "16", "15", "14")
LOWER = ("47", "46", "45", "44")
TEETH = UPPER + LOWER
COL_W, TOOTH_W, LEFT = 0.24, 0.17, 0.02
# Normalised y ranges: (apex, crown start, occlusal edge) per arch.
UPPER_Y = (0.04, 0.29, 0.47)
LOWER_Y = (0.96, 0.71, 0.53)
AIR, BONE, ROOT, CROWN = 0.10, 0.35, 0.55, 0.72
CARIES, RESTORATION, LESION = 0.18, 0.97, 0.06
FINDING_KINDS = ("caries_M", "caries_D", "restoration", "periapical_radiolucency")


def tooth_box(tooth: str) -> tuple[float, float, float, float]:
    """Normalised (x0, y0, x1, y1) of a tooth's slot (crown and root)."""
    upper = tooth in UPPER
    col = (UPPER if upper else LOWER).index(tooth)
    cx = LEFT + COL_W * col + COL_W / 2
    apex, _, occlusal = UPPER_Y if upper else LOWER_Y
    y0, y1 = (apex, occlusal) if upper else (occlusal, apex)
    return cx - TOOTH_W / 2, y0, cx + TOOTH_W / 2, y1


def crown_box(tooth: str) -> tuple[float, float, float, float]:
    x0, _, x1, _ = tooth_box(tooth)
    _, crown, occlusal = UPPER_Y if tooth in UPPER else LOWER_Y
    return (x0, crown, x1, occlusal) if tooth in UPPER else (x0, occlusal, x1, crown)


def finding_box(tooth: str, kind: str) -> tuple[float, float, float, float]:
    """Normalised box where a finding of ``kind`` is drawn on ``tooth`` (and its detector anchor)."""
    x0, y0, x1, y1 = crown_box(tooth)
    w, h = x1 - x0, y1 - y0
    upper = tooth in UPPER
    if kind in ("caries_M", "caries_D"):
        cx = x1 - 0.16 * w if kind == "caries_M" else x0 + 0.16 * w
        cy = (y0 + y1) / 2
        return cx - 0.13 * w, cy - 0.22 * h, cx + 0.13 * w, cy + 0.22 * h
    if kind == "restoration":
        cx = (x0 + x1) / 2
        edge = y1 if upper else y0  # the occlusal edge
        top, bottom = (edge - 0.40 * h, edge) if upper else (edge, edge + 0.40 * h)
        return cx - 0.20 * w, top, cx + 0.20 * w, bottom
    if kind == "periapical_radiolucency":
        tx0, ty0, tx1, ty1 = tooth_box(tooth)
        cx = (tx0 + tx1) / 2
        cy = ty0 + 0.05 if upper else ty1 - 0.05
        r = 0.055
        return cx - r, cy - r * 1.3, cx + r, cy + r * 1.3
    raise ValueError(f"unknown phantom finding {kind!r}")


def label_of(kind: str) -> tuple[str, list[str]]:
    """(contract label, surfaces) of a phantom finding kind."""
    if kind == "caries_M":
        return "caries", ["M"]
    if kind == "caries_D":
        return "caries", ["D"]
    if kind == "restoration":
        return "restoration", ["O"]
    return kind, []


@dataclass
class Phantom:
    """Pixels (uint8) and the truth: findings and tooth boxes in pixel coordinates."""

    pixels: np.ndarray
    findings: list[dict[str, Any]] = field(default_factory=list)
    teeth: dict[str, list[float]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    @property
    def size(self) -> tuple[int, int]:
        return int(self.pixels.shape[1]), int(self.pixels.shape[0])


def make_phantom(findings: dict[str, list[str]] | None = None, missing: tuple[str, ...] = (),
                 size: tuple[int, int] = (800, 600), seed: int = 0, noise: float = 0.03) -> Phantom:
    """A bitewing with ``findings`` ({tooth: [kind...]}) and ``missing`` teeth, ``size`` = (W, H)."""
    rng = np.random.default_rng(seed)
    w, h = size
    img = np.full((h, w), AIR, dtype=np.float32)
    ys, xs = np.mgrid[0:h, 0:w]
    xn, yn = (xs + 0.5) / w, (ys + 0.5) / h
    jitter = {t: (rng.uniform(-0.006, 0.006), rng.uniform(-0.006, 0.006)) for t in TEETH}

    def box_mask(b: tuple[float, float, float, float], dx: float = 0, dy: float = 0) -> np.ndarray:
        return (xn >= b[0] + dx) & (xn < b[2] + dx) & (yn >= b[1] + dy) & (yn < b[3] + dy)

    def ellipse_mask(b: tuple[float, float, float, float], dx: float = 0, dy: float = 0) -> np.ndarray:
        cx, cy = (b[0] + b[2]) / 2 + dx, (b[1] + b[3]) / 2 + dy
        rx, ry = (b[2] - b[0]) / 2, (b[3] - b[1]) / 2
        return ((xn - cx) / rx) ** 2 + ((yn - cy) / ry) ** 2 <= 1.0

    img[yn < UPPER_Y[1]] = BONE  # bone around the upper roots
    img[yn > LOWER_Y[1]] = BONE
    out = Phantom(pixels=np.zeros((h, w), np.uint8), missing=list(missing))
    for t in TEETH:
        if t in missing:
            continue
        dx, dy = jitter[t]
        tb, cb = tooth_box(t), crown_box(t)
        img[box_mask(tb, dx, dy)] = ROOT
        img[box_mask(cb, dx, dy)] = CROWN
        out.teeth[t] = _px((tb[0] + dx, tb[1] + dy, tb[2] + dx, tb[3] + dy), w, h)
    for t, kinds in (findings or {}).items():
        if t in missing:
            raise ValueError(f"tooth {t} is missing in this phantom: it cannot have findings")
        dx, dy = jitter[t]
        for kind in kinds:
            b = finding_box(t, kind)
            if kind == "restoration":
                img[box_mask(b, dx, dy)] = RESTORATION
            else:
                img[ellipse_mask(b, dx, dy)] = LESION if kind == "periapical_radiolucency" else CARIES
            label, surfaces = label_of(kind)
            out.findings.append({"label": label, "tooth": t, "surfaces": surfaces,
                                 "box": _px((b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy), w, h)})
    img += rng.normal(0, noise, img.shape).astype(np.float32)
    out.pixels = (np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8)
    return out


def _px(b: tuple[float, float, float, float], w: int, h: int) -> list[float]:
    return [round(b[0] * w, 1), round(b[1] * h, 1), round(b[2] * w, 1), round(b[3] * h, 1)]


def random_case(rng: random.Random) -> tuple[dict[str, list[str]], tuple[str, ...]]:
    """A random set of findings and missing teeth (for eval sets)."""
    missing = tuple(t for t in TEETH if rng.random() < 0.12)
    findings: dict[str, list[str]] = {}
    for t in TEETH:
        if t in missing:
            continue
        kinds = []
        if rng.random() < 0.3:
            kinds.append(rng.choice(("caries_M", "caries_D")))
        if rng.random() < 0.25:
            kinds.append("restoration")
        if rng.random() < 0.15:
            kinds.append("periapical_radiolucency")
        if kinds:
            findings[t] = kinds
    return findings, missing


# -- encodings ---------------------------------------------------------------------------------

def to_png(pixels: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def to_dicom(pixels: np.ndarray, *, bits: int = 12, modality: str = "IO", monochrome1: bool = False,
             window: bool = True, study_uid: str | None = None, transfer_syntax: str | None = None) -> bytes:
    """A DICOM file of the phantom: 12-bit values in 16-bit words, with a window (as sensors write).

    The patient module holds an obviously synthetic name and id, so tests can check that
    they never reach logs or rows.
    """
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import UID, ExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid

    top = (1 << bits) - 1
    values = (pixels.astype(np.float32) / 255.0 * top).astype(np.uint16)
    if monochrome1:
        values = (top - values).astype(np.uint16)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = UID(transfer_syntax) if transfer_syntax else ExplicitVRLittleEndian
    ds = FileDataset("phantom.dcm", {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = study_uid or generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.SeriesNumber = 1
    ds.Modality = modality
    ds.PatientName = "PHANTOM^SECRET"
    ds.PatientID = "PHANTOM-ID-4242"
    ds.PatientBirthDate = "19700101"
    now = datetime(2026, 11, 25, 9, 30, 0)
    ds.StudyDate = ds.AcquisitionDate = now.strftime("%Y%m%d")
    ds.StudyTime = ds.AcquisitionTime = now.strftime("%H%M%S")
    ds.BodyPartExamined = "JAW"
    ds.Rows, ds.Columns = int(pixels.shape[0]), int(pixels.shape[1])
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME1" if monochrome1 else "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, bits, bits - 1, 0
    if window:
        ds.WindowCenter, ds.WindowWidth = top / 2, top
    ds.PixelData = values.tobytes()
    if meta.TransferSyntaxUID.is_compressed:  # a frame this installation cannot decode (refusal tests)
        from pydicom.encaps import encapsulate

        ds.PixelData = encapsulate([values.tobytes()])
        ds["PixelData"].VR = "OB"
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()
