"""The README's radiograph-review screenshot (docs/imaging.png) from a running demo clinic.

Start the server first (``make run``, a fresh demo database), then:
``.venv/bin/python docs/imaging_screenshot.py``. As the demo dentist it charts a short history
for the third demo patient (so one finding is already charted and one lands on a tooth charted
missing), uploads a phantom bitewing with vendor findings made from its ground truth (a
phantom, not a radiograph), accepts one finding, rejects one with a reason, and photographs
the page with Debian's Chromium at 1366x900.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from demo_session import api_client, browser_page, parse_args

from core_schema.seed.demo import DEMO_PATIENT_IDS
from imaging import phantom

PATIENT = str(DEMO_PATIENT_IDS[2])
DOCS = Path(__file__).resolve().parent
HISTORY = ["sixteen mesial caries", "crown on twenty six", "thirty six occlusal caries", "forty seven extracted",
           "restoration on fourteen distal occlusal"]
FINDINGS = {"16": ["caries_M", "restoration"], "46": ["caries_D"], "45": ["periapical_radiolucency"],
            "15": ["restoration"], "47": ["caries_D"]}


def case() -> tuple[bytes, bytes]:
    ph = phantom.make_phantom(FINDINGS, missing=("14",), size=(800, 600), seed=21)
    png = phantom.to_png(ph.pixels)
    doc = {"model": {"name": "AcmeVision", "version": "3.2"}, "image_sha256": hashlib.sha256(png).hexdigest(),
           "findings": [{"label": f["label"], "tooth": f["tooth"], "surfaces": f["surfaces"], "box": f["box"],
                         "confidence": round(0.95 - 0.05 * i, 2)} for i, f in enumerate(ph.findings)]}
    return png, json.dumps(doc).encode()


def main() -> None:
    args = parse_args(__doc__)
    with api_client(args.url) as http:
        ids = []
        for text in HISTORY:
            ids += http.post("/api/v1/dictations", json={"patient_id": PATIENT, "text": text}).raise_for_status().json()["approval_ids"]
        if ids:
            http.post("/api/v1/approvals/decide", json={"ids": ids, "verdict": "approve"}).raise_for_status()
    png, findings = case()
    with browser_page(args.url, args.chromium) as page:
        page.goto(f"/patients/{PATIENT}/imaging")
        page.click("#upload-open")
        page.set_input_files("#upload-file", {"name": "bitewing.png", "mimeType": "image/png", "buffer": png})
        page.set_input_files("#upload-findings", {"name": "vendor.json", "mimeType": "application/json", "buffer": findings})
        page.click("#upload-submit")
        page.wait_for_selector('.finding-card[data-status="PENDING"]')
        page.keyboard.press("a")
        page.wait_for_selector('.finding-card[data-status="APPROVED"]')
        page.locator('.finding-card[data-label="periapical_radiolucency"]').click()
        page.keyboard.press("r")
        page.select_option("#reject-reason", "false_positive")
        page.click("#reject-confirm")
        page.wait_for_selector('.finding-card[data-status="REJECTED"]')
        page.locator('.finding-card[data-label="caries"][data-tooth="46"]').click()
        page.evaluate("document.querySelectorAll('.toast').forEach(t => t.remove())")
        page.wait_for_timeout(600)
        page.screenshot(path=str(DOCS / "imaging.png"))
    print(f"wrote {DOCS / 'imaging.png'}")


if __name__ == "__main__":
    main()
