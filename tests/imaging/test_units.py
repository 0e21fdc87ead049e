"""Pure pieces of imaging review: output decoding, tooth assignment, chart comparison, reasons, formats."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from imaging import phantom
from imaging.compare import compare
from imaging.decode import decode
from imaging.review import reason_of
from imaging.runners.onnx import OnnxDetector, nms
from imaging.teeth import assign

CLASSES = ["caries", "restoration", "tooth_16"]


def _detector(fmt: str) -> OnnxDetector:
    d = OnnxDetector.__new__(OnnxDetector)
    d.classes, d.format, d.min_score, d.nms_iou = CLASSES, fmt, 0.25, 0.5
    return d


def _rows() -> np.ndarray:
    # cx, cy, w, h, scores...: two overlapping caries boxes (NMS keeps the best), one restoration, one too weak
    return np.array([[50, 50, 20, 20, 0.9, 0.0, 0.0], [52, 51, 20, 20, 0.8, 0.0, 0.0],
                     [150, 50, 30, 10, 0.0, 0.7, 0.0], [10, 10, 5, 5, 0.1, 0.1, 0.1]], np.float32)


def test_yolo_outputs_are_decoded_in_both_layouts_with_nms() -> None:
    expected = [([40, 40, 60, 60], 0.9, 0), ([135, 45, 165, 55], 0.7, 1)]
    for out in (_rows().T[None], _rows()[None]):  # [1, 4 + C, N] (v8) and [1, N, 4 + C]
        got = [(list(map(float, b)), round(s, 3), k) for b, s, k in _detector("yolo")._decode(out)]
        assert got == [(b, s, k) for b, s, k in expected]


def test_yolov5_objectness_and_end2end_outputs() -> None:
    rows = _rows()
    v5 = np.concatenate([rows[:, :4], np.full((4, 1), 0.5, np.float32), rows[:, 4:]], axis=1)[None]
    assert [(round(s, 2), k) for _, s, k in _detector("yolo")._decode(v5)] == [(0.45, 0), (0.35, 1)]  # score x objectness
    e2e = np.array([[[1, 2, 3, 4, 0.8, 2], [0, 0, 0, 0, 0.0, 0]]], np.float32)
    assert [(list(map(float, b)), round(s, 2), k) for b, s, k in _detector("end2end")._decode(e2e)] == [([1, 2, 3, 4], 0.8, 2)]
    det = _detector("yolo")._detection(np.array([10, 10, 20, 20]), 0.9, 2, 2.0, 2.0, (0, 0), 1.0, 1.0)
    assert (det.label, det.tooth, det.box) == ("tooth", "16", [20.0, 20.0, 40.0, 40.0])
    assert nms(np.array([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]], np.float32), np.array([0.5, 0.9, 0.1]), 0.5) == [1, 2]


def test_tooth_assignment_by_overlap_and_surfaces_by_side() -> None:
    teeth = {"16": [100, 0, 200, 300], "15": [220, 0, 320, 300], "26": [400, 0, 500, 300]}
    a = assign("caries", [180, 100, 198, 120], None, None, teeth)  # right third of 16: mesial (patient's right)
    assert (a["tooth"], a["surfaces"], a["method"], a["missing"]) == ("16", ["M"], "overlap", [])
    assert assign("caries", [405, 100, 420, 120], None, None, teeth)["surfaces"] == ["M"]  # left third of 26: mesial
    assert assign("restoration", [140, 10, 160, 30], None, None, teeth)["surfaces"] == ["O"]
    none = assign("caries", [600, 0, 650, 50], None, None, teeth)
    assert (none["tooth"], none["missing"], none["surfaces"]) == (None, ["tooth"], [])
    named = assign("periapical_radiolucency", None, "36", None, {})
    assert (named["tooth"], named["method"], named["surfaces"]) == ("36", "model", [])
    straddling = assign("caries", [190, 0, 230, 10], None, None, teeth)  # 10/40 on 16, 10/40 on 15: under 0.3
    assert straddling["tooth"] is None


def test_chart_comparison() -> None:
    chart = {"teeth": {"16": {"status": "present", "conditions": [{"label": "caries", "surfaces": ["M", "O"]}],
                              "restorations": []},
                       "46": {"status": "missing", "conditions": [], "restorations": []},
                       "36": {"status": "implant", "conditions": [], "restorations": []}}}
    assert compare("caries", "16", ["M"], chart) == ("duplicate", None)
    assert compare("caries", "16", ["D"], chart) == ("new", None)
    assert compare("caries", "46", ["D"], chart) == ("conflict", "tooth 46 is charted missing")
    assert compare("missing", "46", [], chart) == ("duplicate", None)
    assert compare("missing", "36", [], chart)[0] == "conflict"
    assert compare("missing", "16", [], chart)[0] == "conflict"
    assert compare("restoration", "17", ["O"], chart) == ("new", None)


def test_reason_codes_from_comments() -> None:
    assert reason_of("false_positive") == ("false_positive", None)
    assert reason_of("wrong_tooth: it is 47") == ("wrong_tooth", "it is 47")
    assert reason_of("looks fine to me") == ("other", "looks fine to me")
    assert reason_of(None) == (None, None)


@pytest.mark.parametrize(("fmt", "mode"), [("JPEG", "L"), ("TIFF", "I;16"), ("PNG", "RGB")])
def test_pillow_formats_decode_to_grey(fmt: str, mode: str) -> None:
    pixels = phantom.make_phantom(size=(320, 240)).pixels
    img = Image.fromarray(pixels.astype(np.uint16) * 257) if mode == "I;16" else Image.fromarray(pixels).convert(mode)
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    out = decode(buf.getvalue(), f"x.{fmt.lower()}")
    assert out.object_type == fmt and out.pixels.dtype == np.uint8 and out.pixels.shape == (240, 320)
    assert np.corrcoef(out.pixels.ravel(), pixels.ravel())[0, 1] > 0.95  # the same image (JPEG is lossy)


def test_vendor_findings_are_checked_with_the_contract_messages() -> None:
    from imaging.errors import ImagingError
    from imaging.runners import parse_vendor_findings

    good = {"label": "caries", "tooth": 16, "surfaces": ["M"], "box": [1, 2, 3, 4.5], "confidence": 0.9}
    doc = {"model": {"name": "Acme", "version": 3.2}, "image_sha256": "a" * 64, "findings": [good], "note": "kept"}
    assert parse_vendor_findings(doc) is doc and parse_vendor_findings(b'{"model": {"name": "A", "version": "1"}, '
                                                                       b'"image_sha256": "' + b"b" * 64 + b'", "findings": []}')

    def refused(**changes: object) -> str:
        with pytest.raises(ImagingError) as exc:
            parse_vendor_findings({**doc, **changes})
        assert exc.value.code == "findings_invalid"
        return str(exc.value)

    assert "must name its model" in refused(model={"name": " ", "version": "1"})
    assert "image_sha256 (64 hex digits)" in refused(image_sha256="a" * 63, findings="not checked: first error wins")
    assert "at most 500" in refused(findings=[good] * 501)
    assert refused(findings=[good, "x"]) == "finding 2 is not an object"
    assert refused(findings=[{**good, "label": "unicorn"}]).startswith("finding 1: unknown label 'unicorn' (known: caries,")
    assert refused(findings=[{**good, "tooth": "99"}]) == "finding 1: tooth '99' is not an FDI tooth"
    assert refused(findings=[{"label": "tooth", "box": [1], "confidence": 0.5}]) == "finding 1: a tooth detection needs its tooth"
    assert refused(findings=[{**good, "box": [1, 2, "3", 4]}]) == "finding 1: box must be [x0, y0, x1, y1]"
    assert "polygon must be" in refused(findings=[{**good, "polygon": [[1, 2], [3, 4]]}])
    for bad in (1.01, "0.5", True, None):  # a JSON number, not a string or a boolean
        assert refused(findings=[{**good, "confidence": bad}]) == "finding 1: confidence must be a number from 0 to 1"
    assert refused(findings=[{**good, "surfaces": "MO"}]) == "finding 1: surfaces must be a list"
    assert refused(findings=[{**good, "values": []}]) == "finding 1: values must be an object"
    with pytest.raises(ImagingError, match="not JSON"):
        parse_vendor_findings(b"\xff")
