"""``OpenAIVisionRunner``: findings from an OpenAI-compatible vision endpoint (Chat Completions).

The display rendering goes as a PNG data URL (longest side at most ``max_side``, 1024 by
default) with a system prompt asking for JSON only: ``{"findings": [{"label", "tooth"?,
"surfaces"?, "box": [x0, y0, x1, y1] in the sent image's pixels, "confidence"}]}``. The answer
is validated like a vendor's findings file (labels of the contract, FDI teeth, boxes, 0-1
confidences) and boxes are scaled back to the original image. The endpoint and model come
from the version (``output_types.base_url``, ``artifact_uri`` = ``openai-vision://MODEL``);
the API key from ``DENTALAGENT_LLM_API_KEY`` (never stored). A general vision model is not a
cleared device: deploy it ``--shadow`` and compare before it proposes anything.
"""

from __future__ import annotations

import base64
import io
import json
import time
from typing import Any

from agents.llm import chat_client
from core_schema.rows import present
from imaging.errors import ImagingError
from imaging.labels import LABELS
from imaging.runners.base import Detection, RunnerInput, RunnerOutput
from imaging.runners.vendor_json import parse_vendor_findings

PROMPT = (
    "You read dental radiographs. Answer with one JSON object and nothing else: "
    '{"findings": [{"label": one of ' + ", ".join(LABELS) + ', "tooth": FDI number or null, '
    '"surfaces": letters among M O D B L I F P or [], "box": [x0, y0, x1, y1] in pixels of this image, '
    '"confidence": 0 to 1}]}. Report only what is visible; an empty list when nothing is.'
)


class OpenAIVisionRunner:
    name = "openai-vision"

    def __init__(self, artifact_uri: str, output_types: dict[str, Any]) -> None:
        from core_schema.settings import get_settings

        settings = get_settings()
        self.model = artifact_uri.removeprefix("openai-vision://")
        base_url = output_types.get("base_url") or settings.llm_base_url
        if not base_url or not self.model:
            raise ImagingError("model_invalid", "an openai-vision version needs a base_url and a model")
        self.max_side = int(output_types.get("max_side", 1024))
        self.client = chat_client(base_url, settings.llm_api_key, timeout=float(output_types.get("timeout_s", 60)))
        self.base_url = base_url

    def run(self, image: RunnerInput) -> RunnerOutput:
        from PIL import Image

        t0 = time.perf_counter()
        img = Image.fromarray(present(image.pixels, "the display rendering"))
        if max(img.size) > self.max_side:
            img.thumbnail((self.max_side, self.max_side), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        url = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
        try:
            response = self.client.chat.completions.create(
                model=self.model, temperature=0, response_format={"type": "json_object"},
                messages=[{"role": "system", "content": PROMPT},
                          {"role": "user", "content": [
                              {"type": "text", "text": f"Radiograph, {img.width}x{img.height} pixels."},
                              {"type": "image_url", "image_url": {"url": url}}]}])
            content = response.choices[0].message.content or ""
            answer = json.loads(content)
        except ImagingError:
            raise
        except json.JSONDecodeError:
            raise ImagingError("vision_answer_invalid", "the vision model did not answer with JSON") from None
        except Exception as exc:
            raise ImagingError("vision_unreachable", f"the vision endpoint failed: {type(exc).__name__}") from None
        if not isinstance(answer, dict):
            raise ImagingError("vision_answer_invalid", "the vision model did not answer with a JSON object")
        doc = parse_vendor_findings({"model": {"name": self.model, "version": "api"}, "image_sha256": image.sha256,
                                     "findings": [{k: v for k, v in f.items() if v is not None} if isinstance(f, dict)
                                                  else f for f in answer.get("findings") or []]})
        fx, fy = image.width / img.width, image.height / img.height
        detections = []
        for f in doc["findings"]:
            box = [f["box"][0] * fx, f["box"][1] * fy, f["box"][2] * fx, f["box"][3] * fy] if f.get("box") else None
            detections.append(Detection(label=f["label"], confidence=float(f["confidence"]), box=box,
                                        tooth=str(f["tooth"]) if f.get("tooth") is not None else None,
                                        surfaces=[str(x).upper() for x in f["surfaces"]] if f.get("surfaces") else None,
                                        raw={"vision": True}))
        usage = getattr(response, "usage", None)
        env = {"runner": self.name, "model": self.model, "endpoint": self.base_url, "sent": [img.width, img.height],
               "prompt_tokens": getattr(usage, "prompt_tokens", None),
               "completion_tokens": getattr(usage, "completion_tokens", None)}
        return RunnerOutput(detections, env, (time.perf_counter() - t0) * 1000)
