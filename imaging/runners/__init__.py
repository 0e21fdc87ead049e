"""Runners: one interface (``Runner.run``), one class per backend, chosen by the model version.

| runner | class | what it reads |
| --- | --- | --- |
| ``onnx`` | ``OnnxDetector`` | an ONNX model file (``artifact_uri``), outputs decoded per ``imaging.runners.onnx`` |
| ``vendor-json`` | ``VendorFindingsImporter`` | a vendor's findings JSON for the image (imaging-contract.md) |
| ``openai-vision`` | ``OpenAIVisionRunner`` | an OpenAI-compatible vision endpoint (Chat Completions, JSON answer) |
"""

from __future__ import annotations

from typing import Any

from imaging.errors import ImagingError
from imaging.runners.base import Detection, Runner, RunnerInput, RunnerOutput
from imaging.runners.onnx import OnnxDetector
from imaging.runners.openai_vision import OpenAIVisionRunner
from imaging.runners.vendor_json import VendorFindingsImporter, parse_vendor_findings

__all__ = ["Detection", "Runner", "RunnerInput", "RunnerOutput", "OnnxDetector", "OpenAIVisionRunner", "VendorFindingsImporter",
           "parse_vendor_findings", "runner_for"]


def runner_for(output_types: dict[str, Any], artifact_uri: str, findings: dict[str, Any] | None = None) -> Runner:
    """The runner a model version names (``output_types.runner``)."""
    kind = output_types.get("runner")
    if kind == "onnx":
        return OnnxDetector.load(artifact_uri, output_types)
    if kind == "vendor-json":
        if findings is None:
            raise ImagingError("findings_required", "this model version imports vendor findings: give --findings FILE.json")
        return VendorFindingsImporter(findings)
    if kind == "openai-vision":
        return OpenAIVisionRunner(artifact_uri, output_types)
    raise ImagingError("runner_unknown", f"no runner {kind!r} in this installation (known: onnx, vendor-json, openai-vision)")
