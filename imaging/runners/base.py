"""What every runner takes and gives back, whatever its backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np


@dataclass(frozen=True)
class RunnerInput:
    """The image a runner sees: the 8-bit display rendering and the original's identity."""

    pixels: np.ndarray | None  # uint8 H x W (display rendering); None for a runner that reads none (vendor-json)
    sha256: str  # of the original file (vendor findings name it)
    width: int  # of the original image: boxes are returned in its pixels
    height: int


@dataclass
class Detection:
    """One model output: a finding (contract label) or an enumerated tooth (``tooth`` label + ``tooth``)."""

    label: str
    confidence: float
    box: list[float] | None = None  # x0, y0, x1, y1 in original-image pixels
    polygon: list[list[float]] | None = None
    tooth: str | None = None  # FDI, when the model enumerates it
    surfaces: list[str] | None = None
    values: dict[str, Any] | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def is_tooth(self) -> bool:
        return self.label == "tooth"

    def bbox(self) -> list[float] | None:
        """The box, or the polygon's bounding box."""
        if self.box is not None:
            return self.box
        if self.polygon:
            xs, ys = [p[0] for p in self.polygon], [p[1] for p in self.polygon]
            return [min(xs), min(ys), max(xs), max(ys)]
        return None


@dataclass
class RunnerOutput:
    detections: list[Detection]
    compute_env: dict[str, Any]
    inference_ms: float


class Runner(Protocol):
    """A backend that turns an image into detections."""

    name: str

    def run(self, image: RunnerInput) -> RunnerOutput: ...
