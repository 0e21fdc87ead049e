"""``VendorFindingsImporter``: a vendor's findings for one image, in the contract's JSON.

``{"model": {"name", "version"}, "image_sha256", "findings": [{"label", "tooth"?, "surfaces"?,
"box": [x0, y0, x1, y1] | "polygon": [[x, y], ...], "confidence", "values"?}]}``. The file must
name the image it was made for (its SHA-256): findings of another image are refused. Labels
are the contract's; ``tooth`` detections (``"label": "tooth"`` with a tooth) are accepted too.
"""

from __future__ import annotations

import json
import time
from typing import Any

from core_schema.dentition import is_valid_tooth
from imaging.errors import ImagingError
from imaging.labels import LABELS
from imaging.runners.base import Detection, RunnerInput, RunnerOutput

MAX_FINDINGS = 500


def parse_vendor_findings(data: bytes | str | dict[str, Any]) -> dict[str, Any]:
    """The validated findings document, or one clear ``ImagingError``."""
    if isinstance(data, dict):
        doc = data
    else:
        try:
            doc = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise ImagingError("findings_invalid", "the findings file is not JSON") from None
    if not isinstance(doc, dict):
        raise ImagingError("findings_invalid", "the findings file must be a JSON object")
    model = doc.get("model")
    if not isinstance(model, dict) or not str(model.get("name") or "").strip() or not str(model.get("version") or "").strip():
        raise ImagingError("findings_invalid", "the findings file must name its model: {\"model\": {\"name\", \"version\"}}")
    if not isinstance(doc.get("image_sha256"), str) or len(doc["image_sha256"]) != 64:
        raise ImagingError("findings_invalid", "the findings file must give image_sha256 (64 hex digits)")
    findings = doc.get("findings")
    if not isinstance(findings, list) or len(findings) > MAX_FINDINGS:
        raise ImagingError("findings_invalid", f"findings must be a list of at most {MAX_FINDINGS}")
    for i, f in enumerate(findings):
        where = f"finding {i + 1}"
        if not isinstance(f, dict):
            raise ImagingError("findings_invalid", f"{where} is not an object")
        label = f.get("label")
        if label not in LABELS and label != "tooth":
            raise ImagingError("findings_invalid", f"{where}: unknown label {label!r} (known: {', '.join(LABELS)})")
        tooth = f.get("tooth")
        if tooth is not None and not is_valid_tooth(str(tooth)):
            raise ImagingError("findings_invalid", f"{where}: tooth {tooth!r} is not an FDI tooth")
        if label == "tooth" and tooth is None:
            raise ImagingError("findings_invalid", f"{where}: a tooth detection needs its tooth")
        box, polygon = f.get("box"), f.get("polygon")
        if box is not None and not (isinstance(box, list) and len(box) == 4 and all(isinstance(v, (int, float)) for v in box)):
            raise ImagingError("findings_invalid", f"{where}: box must be [x0, y0, x1, y1]")
        if polygon is not None and not (isinstance(polygon, list) and len(polygon) >= 3 and all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(v, (int, float)) for v in p) for p in polygon)):
            raise ImagingError("findings_invalid", f"{where}: polygon must be [[x, y], ...] with 3 points or more")
        conf = f.get("confidence")
        if not isinstance(conf, (int, float)) or not 0 <= conf <= 1:
            raise ImagingError("findings_invalid", f"{where}: confidence must be a number from 0 to 1")
        if f.get("surfaces") is not None and not isinstance(f["surfaces"], list):
            raise ImagingError("findings_invalid", f"{where}: surfaces must be a list")
        if f.get("values") is not None and not isinstance(f["values"], dict):
            raise ImagingError("findings_invalid", f"{where}: values must be an object")
    return doc


class VendorFindingsImporter:
    name = "vendor-json"

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = parse_vendor_findings(doc)

    def run(self, image: RunnerInput) -> RunnerOutput:
        t0 = time.perf_counter()
        if self.doc["image_sha256"].lower() != image.sha256:
            raise ImagingError("findings_other_image", "the findings file was made for another image "
                               "(its image_sha256 is not this image's)")
        detections = []
        for f in self.doc["findings"]:
            detections.append(Detection(
                label=f["label"], confidence=float(f["confidence"]),
                box=[float(v) for v in f["box"]] if f.get("box") else None,
                polygon=[[float(x), float(y)] for x, y in f["polygon"]] if f.get("polygon") else None,
                tooth=str(f["tooth"]) if f.get("tooth") is not None else None,
                surfaces=[str(s).upper() for s in f["surfaces"]] if f.get("surfaces") is not None else None,
                values=f.get("values"), raw={"vendor": True}))
        env = {"runner": self.name, "vendor_model": self.doc["model"]}
        return RunnerOutput(detections, env, (time.perf_counter() - t0) * 1000)
