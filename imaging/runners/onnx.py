"""``OnnxDetector``: an ONNX Runtime object detector (CUDA execution provider when present).

Input: the model's first input, NCHW float32; 1 channel gets the grey image, 3 channels the
grey image repeated; values scaled to [0, 1] (``output_types.input_scale`` may say 255). The
display rendering is resized to the input size (``output_types.resize``: ``stretch``, the
default, or ``letterbox`` with grey padding as YOLO exports expect) and boxes are mapped back.

Outputs decoded (``output_types.format``):
- ``yolo`` (default): one tensor [1, 4 + C, N] (YOLOv5u/v8/v11 layout) or [1, N, 4 + C]
  (transposed; told apart by which axis is 4 + C), boxes cx, cy, w, h in input pixels,
  C class scores, before NMS. A [1, N, 5 + C] tensor with an objectness column is ``yolov5``.
  Decoding: best class per box, score >= ``min_score``, class-wise NMS at ``nms_iou``.
- ``end2end``: [1, N, 6] rows x0, y0, x1, y1, score, class after NMS (YOLOv10 / NMS-exported);
  rows with score < ``min_score`` are padding.
The class map is the version's ``classes`` (index -> label); a label ``tooth_<FDI>`` is a
tooth detection enumerated by the model (``tooth_16`` -> tooth 16).
"""

from __future__ import annotations

import hashlib
import platform
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from core_schema.rows import present
from imaging.errors import ImagingError
from imaging.runners.base import Detection, RunnerInput, RunnerOutput
from imaging.storage import path_of

_sessions: dict[tuple[Any, ...], Any] = {}
_digests: dict[tuple[str, int, int], str] = {}
_lock = threading.Lock()


def _session(path: Path, digest: str, only: tuple[str, ...] | None = None) -> Any:
    """One ONNX Runtime session per model file, content and providers, per process."""
    import onnxruntime as ort

    with _lock:
        key = (str(path), digest, only)
        if key not in _sessions:
            available = ort.get_available_providers()
            wanted = only or ("CUDAExecutionProvider", "CPUExecutionProvider")
            providers = [p for p in wanted if p in available]
            options = ort.SessionOptions()
            options.log_severity_level = 3
            _sessions[key] = ort.InferenceSession(str(path), sess_options=options, providers=providers)
        return _sessions[key]


def _digest(path: Path) -> str:
    """The model file's SHA-256, cached per (path, size, mtime): hashing megabytes per image is waste."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    with _lock:
        if key not in _digests:
            _digests[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        return _digests[key]


class OnnxDetector:
    name = "onnx"

    def __init__(self, path: Path, output_types: dict[str, Any], providers: tuple[str, ...] | None = None) -> None:
        if not path.is_file():
            raise ImagingError("model_artifact_missing", f"model file {path} not found")
        self.digest = _digest(path)
        expected = output_types.get("artifact_sha256")
        if expected and expected != self.digest:
            raise ImagingError("model_artifact_changed", f"model file {path} does not match the registered version")
        self.classes: list[str] = list(output_types.get("classes") or [])
        self.format = output_types.get("format", "yolo")
        self.resize = output_types.get("resize", "stretch")
        self.input_scale = float(output_types.get("input_scale", 1.0))
        self.min_score = float(output_types.get("min_score", 0.25))
        self.nms_iou = float(output_types.get("nms_iou", 0.5))
        self.session = _session(path, self.digest, providers)
        inp = self.session.get_inputs()[0]
        self.input_name = inp.name
        shape = list(inp.shape)
        self.channels = int(shape[1]) if isinstance(shape[1], int) else 1
        self.in_h = int(shape[2]) if isinstance(shape[2], int) else int(output_types.get("input_size", [640, 640])[0])
        self.in_w = int(shape[3]) if isinstance(shape[3], int) else int(output_types.get("input_size", [640, 640])[1])

    @classmethod
    def load(cls, artifact_uri: str, output_types: dict[str, Any]) -> OnnxDetector:
        path = path_of(artifact_uri) if artifact_uri.startswith("file:") else Path(artifact_uri)
        return cls(path, output_types)

    def run(self, image: RunnerInput) -> RunnerOutput:
        from PIL import Image

        t0 = time.perf_counter()
        src = Image.fromarray(present(image.pixels, "the display rendering"))
        if self.resize == "letterbox":
            scale = min(self.in_w / src.width, self.in_h / src.height)
            nw, nh = max(1, round(src.width * scale)), max(1, round(src.height * scale))
            canvas = Image.new("L", (self.in_w, self.in_h), 114)
            pad = ((self.in_w - nw) // 2, (self.in_h - nh) // 2)
            canvas.paste(src.resize((nw, nh), Image.Resampling.BILINEAR), pad)
            arr, sx, sy = np.asarray(canvas, np.float32), 1 / scale, 1 / scale
        else:
            arr = np.asarray(src.resize((self.in_w, self.in_h), Image.Resampling.BILINEAR), np.float32)
            sx, sy, pad = src.width / self.in_w, src.height / self.in_h, (0, 0)
        arr = arr / 255.0 * self.input_scale
        tensor = np.repeat(arr[None, None], self.channels, axis=1).astype(np.float32)
        t1 = time.perf_counter()
        raw = self.session.run(None, {self.input_name: tensor})[0]
        infer_ms = (time.perf_counter() - t1) * 1000
        # back to the original image's pixels (the display rendering may be smaller)
        fx, fy = image.width / src.width, image.height / src.height
        detections = [self._detection(b, s, k, sx, sy, pad, fx, fy) for b, s, k in self._decode(np.asarray(raw))]
        env = {"runner": self.name, "providers": self.session.get_providers(), "model_sha256": self.digest,
               "input": [self.channels, self.in_h, self.in_w], "format": self.format, "machine": platform.machine(),
               "preprocess_ms": round((t1 - t0) * 1000, 2), "session_ms": round(infer_ms, 2)}
        return RunnerOutput(detections, env, (time.perf_counter() - t0) * 1000)

    def _decode(self, out: np.ndarray) -> list[tuple[np.ndarray, float, int]]:
        """(x0 y0 x1 y1 in input pixels, score, class) after thresholds and NMS."""
        out = out[0] if out.ndim == 3 else out
        c = len(self.classes)
        if self.format == "end2end":
            rows = [r for r in out if float(r[4]) >= self.min_score]
            return [(np.asarray(r[:4], np.float32), float(r[4]), int(r[5])) for r in rows]
        if out.shape[0] in (4 + c, 5 + c) and out.shape[1] not in (4 + c, 5 + c):
            out = out.T  # [4 + C, N] -> [N, 4 + C]
        if out.shape[1] == 5 + c:  # yolov5: objectness x class probability
            scores = out[:, 5:] * out[:, 4:5]
        elif out.shape[1] == 4 + c:
            scores = out[:, 4:]
        else:
            raise ImagingError("model_output_shape", f"model output {list(out.shape)} does not match {c} classes")
        cls = scores.argmax(axis=1)
        best = scores[np.arange(len(scores)), cls]
        keep = best >= self.min_score
        xywh, cls, best = out[keep, :4], cls[keep], best[keep]
        boxes = np.stack([xywh[:, 0] - xywh[:, 2] / 2, xywh[:, 1] - xywh[:, 3] / 2,
                          xywh[:, 0] + xywh[:, 2] / 2, xywh[:, 1] + xywh[:, 3] / 2], axis=1)
        found: list[tuple[np.ndarray, float, int]] = []
        for k in np.unique(cls):
            idx = np.where(cls == k)[0]
            for i in nms(boxes[idx], best[idx], self.nms_iou):
                found.append((boxes[idx[i]], float(best[idx[i]]), int(k)))
        return sorted(found, key=lambda f: -f[1])

    def _detection(self, box: np.ndarray, score: float, k: int, sx: float, sy: float, pad: tuple[int, int],
                   fx: float, fy: float) -> Detection:
        label = self.classes[k] if 0 <= k < len(self.classes) else f"class_{k}"
        x0, y0, x1, y1 = ((float(box[0]) - pad[0]) * sx * fx, (float(box[1]) - pad[1]) * sy * fy,
                          (float(box[2]) - pad[0]) * sx * fx, (float(box[3]) - pad[1]) * sy * fy)
        tooth = None
        if label.startswith("tooth_"):
            label, tooth = "tooth", label.split("_", 1)[1]
        return Detection(label=label, confidence=round(score, 4), box=[round(v, 1) for v in (x0, y0, x1, y1)],
                         tooth=tooth, raw={"class_index": k})


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> list[int]:
    """Indices kept by greedy non-maximum suppression (highest score first)."""
    order = list(np.argsort(-scores))
    keep: list[int] = []
    areas = (boxes[:, 2] - boxes[:, 0]).clip(0) * (boxes[:, 3] - boxes[:, 1]).clip(0)
    while order:
        i = order.pop(0)
        keep.append(int(i))
        rest = []
        for j in order:
            xx0, yy0 = max(boxes[i, 0], boxes[j, 0]), max(boxes[i, 1], boxes[j, 1])
            xx1, yy1 = min(boxes[i, 2], boxes[j, 2]), min(boxes[i, 3], boxes[j, 3])
            inter = max(0.0, xx1 - xx0) * max(0.0, yy1 - yy0)
            union = areas[i] + areas[j] - inter
            if union <= 0 or inter / union <= iou:
                rest.append(j)
        order = rest
    return keep
