"""``VendorFindingsImporter``: a vendor's findings for one image, in the contract's JSON.

``{"model": {"name", "version"}, "image_sha256", "findings": [{"label", "tooth"?, "surfaces"?,
"box": [x0, y0, x1, y1] | "polygon": [[x, y], ...], "confidence", "values"?}]}``. The file must
name the image it was made for (its SHA-256): findings of another image are refused. Labels
are the contract's; ``tooth`` detections (``"label": "tooth"`` with a tooth) are accepted too.
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from core_schema.dentition import is_valid_tooth
from imaging.errors import ImagingError
from imaging.labels import LABELS
from imaging.runners.base import Detection, RunnerInput, RunnerOutput

MAX_FINDINGS = 500

# A JSON number (an int or a float; strings and booleans are not numbers).
Number = StrictFloat | StrictInt
StrictList = Field(strict=True)  # a list, not a tuple or other sequence


def _named(value: Any) -> Any:
    if not str(value or "").strip():
        raise ValueError("blank")
    return value


def _fdi_tooth(value: Any) -> Any:
    if value is not None and not is_valid_tooth(str(value)):
        raise ValueError("not an FDI tooth")
    return value


class VendorModel(BaseModel):
    """``{"name", "version"}``: anything that reads as a non-blank string (``"3.2"`` or ``3.2``)."""

    model_config = ConfigDict(extra="ignore")
    name: Annotated[Any, AfterValidator(_named)]
    version: Annotated[Any, AfterValidator(_named)]


class VendorFinding(BaseModel):
    model_config = ConfigDict(extra="ignore")
    label: Literal[LABELS + ("tooth",)]  # type: ignore[valid-type]  # a Literal built from the LABELS tuple at import (pydantic reads it at runtime)
    tooth: Annotated[Any, AfterValidator(_fdi_tooth)] = None  # "16" or 16
    box: Annotated[list[Number], StrictList, Field(min_length=4, max_length=4)] | None = None
    polygon: Annotated[list[Annotated[list[Number], StrictList, Field(min_length=2, max_length=2)]], StrictList,
                       Field(min_length=3)] | None = None
    confidence: Annotated[Number, Field(ge=0, le=1)]
    surfaces: Annotated[list[Any], StrictList] | None = None
    values: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _tooth_detection_has_its_tooth(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("label") == "tooth" and data.get("tooth") is None:
            raise PydanticCustomError("tooth_needed", "a tooth detection needs its tooth")
        return data


class VendorFindings(BaseModel):
    model_config = ConfigDict(extra="ignore")
    model: VendorModel
    image_sha256: Annotated[StrictStr, Field(min_length=64, max_length=64)]
    findings: Annotated[list[VendorFinding], StrictList, Field(max_length=MAX_FINDINGS)]


# The contract's messages, by where pydantic found the first error (the order the fields are checked in).
_TOP = {
    "model": "the findings file must name its model: {\"model\": {\"name\", \"version\"}}",
    "image_sha256": "the findings file must give image_sha256 (64 hex digits)",
    "findings": f"findings must be a list of at most {MAX_FINDINGS}",
}
_FIELD = {
    "box": "box must be [x0, y0, x1, y1]",
    "polygon": "polygon must be [[x, y], ...] with 3 points or more",
    "confidence": "confidence must be a number from 0 to 1",
    "surfaces": "surfaces must be a list",
    "values": "values must be an object",
}


def _message(error: Any) -> str:
    loc = error["loc"]
    if not loc:
        return "the findings file must be a JSON object"
    if loc[0] != "findings" or len(loc) == 1:
        return _TOP[str(loc[0])]
    where = f"finding {int(loc[1]) + 1}"
    if len(loc) == 2:
        return f"{where}: a tooth detection needs its tooth" if error["type"] == "tooth_needed" else f"{where} is not an object"
    field, given = str(loc[2]), None if error["type"] == "missing" else error["input"]
    if field == "label":
        return f"{where}: unknown label {given!r} (known: {', '.join(LABELS)})"
    if field == "tooth":
        return f"{where}: tooth {given!r} is not an FDI tooth"
    return f"{where}: {_FIELD[field]}"


def parse_vendor_findings(data: bytes | str | dict[str, Any]) -> dict[str, Any]:
    """The validated findings document (the one given, unchanged), or one clear ``ImagingError``."""
    if isinstance(data, dict):
        doc = data
    else:
        try:
            doc = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise ImagingError("findings_invalid", "the findings file is not JSON") from None
    try:
        VendorFindings.model_validate(doc)
    except ValidationError as exc:
        raise ImagingError("findings_invalid", _message(exc.errors()[0])) from None
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
