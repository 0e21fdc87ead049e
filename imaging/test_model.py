"""A small ONNX detector of the phantom structures, built by hand (no training, no download).

``python -m imaging.test_model OUT.onnx`` writes it. It is honest about what it is: a fixed
graph that averages the image over anchor regions of the phantom layout (``imaging.phantom``)
and scores each anchor with a sigmoid of its mean grey level (bright tooth present, dark
caries / periapical lesion, radiopaque restoration), findings gated by the presence of their
tooth. It exercises the real pipeline -- ONNX Runtime, resizing, YOLO-style decoding, NMS,
class maps, tooth enumeration -- on images whose truth is known; it says nothing about
clinical accuracy and must never be deployed for patients.

Model interface (the ONNX runner's ``yolo`` format):
  input  ``images``  float32 [1, 1, 128, 256]  grey levels in [0, 1] (the display rendering resized)
  output ``output0`` float32 [1, 4 + C, N]     per anchor: cx, cy, w, h in input pixels, then C
                                              class scores (YOLOv8 layout, before NMS)
Classes: ``CLASSES`` (findings, then ``tooth_<FDI>`` enumerated tooth detections).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from core_schema.rows import present
from imaging import phantom

INPUT_H, INPUT_W = 128, 256
FINDINGS = ("caries", "restoration", "periapical_radiolucency")
CLASSES: list[str] = list(FINDINGS) + [f"tooth_{t}" for t in phantom.TEETH]
# kind -> (class, slope, threshold): score = sigmoid(slope * (mean - threshold))
SCORING = {
    "tooth": (None, 20.0, 0.42),
    "caries_M": ("caries", -25.0, 0.47),
    "caries_D": ("caries", -25.0, 0.47),
    "restoration": ("restoration", 25.0, 0.85),
    "periapical_radiolucency": ("periapical_radiolucency", -25.0, 0.26),
}
THRESHOLDS = {"caries": 0.5, "restoration": 0.5, "periapical_radiolucency": 0.5}


def anchors() -> list[tuple[str, str, tuple[float, float, float, float]]]:
    """(tooth, kind, normalised box) of every anchor, in output order."""
    out = []
    for t in phantom.TEETH:
        out.append((t, "tooth", phantom.tooth_box(t)))
        for kind in phantom.FINDING_KINDS:
            out.append((t, kind, phantom.finding_box(t, kind)))
    return out


def _weights(anchor_list: list) -> np.ndarray:
    ys, xs = np.mgrid[0:INPUT_H, 0:INPUT_W]
    xn, yn = (xs + 0.5) / INPUT_W, (ys + 0.5) / INPUT_H
    cols = []
    for _, kind, (x0, y0, x1, y1) in anchor_list:
        if kind in ("tooth", "restoration"):
            m = (xn >= x0) & (xn < x1) & (yn >= y0) & (yn < y1)
        else:
            cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
            m = ((xn - cx) / rx) ** 2 + ((yn - cy) / ry) ** 2 <= 0.8
        m = m.astype(np.float32).reshape(-1)
        cols.append(m / max(m.sum(), 1.0))
    return np.stack(cols, axis=1).astype(np.float32)


def build(path: str | Path) -> Path:
    """Write the detector to ``path``; returns it."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    anchor_list = anchors()
    n, c = len(anchor_list), len(CLASSES)
    slope = np.zeros(n, np.float32)
    bias = np.zeros(n, np.float32)
    gate_g = np.zeros((n, n), np.float32)
    gate_h = np.zeros(n, np.float32)
    mask = np.zeros((n, c), np.float32)
    boxes = np.zeros((n, 4), np.float32)
    tooth_anchor: dict[str, int] = {}
    for i, (t, kind, (x0, y0, x1, y1)) in enumerate(anchor_list):
        cls, k, thr = SCORING[kind]
        slope[i], bias[i] = k, -k * thr
        boxes[i] = [(x0 + x1) / 2 * INPUT_W, (y0 + y1) / 2 * INPUT_H, (x1 - x0) * INPUT_W, (y1 - y0) * INPUT_H]
        if kind == "tooth":
            tooth_anchor[t] = i
            gate_h[i] = 1.0
            mask[i, CLASSES.index(f"tooth_{t}")] = 1.0
        else:
            gate_g[tooth_anchor[t], i] = 1.0
            mask[i, CLASSES.index(present(cls, f"the class scored by {kind}"))] = 1.0
    inits = [numpy_helper.from_array(a, name) for a, name in (
        (_weights(anchor_list), "avg"), (slope, "slope"), (bias, "bias"), (gate_g, "gate_g"), (gate_h, "gate_h"),
        (mask, "mask"), (boxes.reshape(1, n, 4), "boxes"), (np.array([1, INPUT_H * INPUT_W], np.int64), "flat"),
        (np.array([-1], np.int64), "last"))]
    nodes = [
        helper.make_node("Reshape", ["images", "flat"], ["x"]),
        helper.make_node("MatMul", ["x", "avg"], ["means"]),            # [1, N] mean grey per anchor
        helper.make_node("Mul", ["means", "slope"], ["z0"]),
        helper.make_node("Add", ["z0", "bias"], ["z"]),
        helper.make_node("Sigmoid", ["z"], ["s"]),
        helper.make_node("MatMul", ["s", "gate_g"], ["g0"]),           # a finding counts only on a tooth
        helper.make_node("Add", ["g0", "gate_h"], ["gate"]),
        helper.make_node("Mul", ["s", "gate"], ["score"]),
        helper.make_node("Unsqueeze", ["score", "last"], ["score3"]),  # [1, N, 1]
        helper.make_node("Mul", ["score3", "mask"], ["cls"]),           # [1, N, C]
        helper.make_node("Concat", ["boxes", "cls"], ["pred"], axis=2),  # [1, N, 4 + C]
        helper.make_node("Transpose", ["pred"], ["output0"], perm=[0, 2, 1]),  # YOLOv8: [1, 4 + C, N]
    ]
    graph = helper.make_graph(
        nodes, "phantom_detector",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 1, INPUT_H, INPUT_W])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 4 + c, n])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="dentalagent-phantom")
    model.ir_version = 8
    onnx.checker.check_model(model)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out))
    return out


if __name__ == "__main__":  # pragma: no cover
    print(build(sys.argv[1] if len(sys.argv) > 1 else "phantom_detector.onnx"))
