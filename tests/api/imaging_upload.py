"""Uploading a phantom radiograph with its vendor findings through the API (shared by API tests).

The demo clinic's deployed model is the seeded vendor-findings importer, so a review over HTTP
gives the image and the vendor's findings JSON for it (made from the phantom's ground truth).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from fastapi.testclient import TestClient

from imaging import phantom

FINDINGS = {"16": ["caries_M", "restoration"], "46": ["caries_D"], "45": ["periapical_radiolucency"]}


def phantom_case(seed: int = 11, findings: dict[str, list[str]] | None = None) -> tuple[bytes, bytes, phantom.Phantom]:
    """(PNG bytes, vendor findings JSON bytes, the phantom) of a bitewing with known findings."""
    ph = phantom.make_phantom(findings or FINDINGS, missing=("14",), size=(800, 600), seed=seed)
    png = phantom.to_png(ph.pixels)
    doc = {"model": {"name": "AcmeVision", "version": "3.2"}, "image_sha256": hashlib.sha256(png).hexdigest(),
           "findings": [{"label": f["label"], "tooth": f["tooth"], "surfaces": f["surfaces"], "box": f["box"],
                         "confidence": round(0.95 - 0.05 * i, 2)} for i, f in enumerate(ph.findings)]}
    return png, json.dumps(doc).encode(), ph


def upload(http: TestClient, headers: dict[str, str], patient_id: uuid.UUID | str, png: bytes,
           findings: bytes | None, filename: str = "bitewing.png") -> Any:
    files: dict[str, Any] = {"file": (filename, png, "image/png")}
    if findings is not None:
        files["findings"] = ("findings.json", findings, "application/json")
    return http.post("/api/v1/imaging/reviews", headers=headers, data={"patient_id": str(patient_id)}, files=files)
