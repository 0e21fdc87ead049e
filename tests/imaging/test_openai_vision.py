"""The OpenAI-compatible vision runner against a real local HTTP server speaking Chat Completions."""

from __future__ import annotations

import base64
import io
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image

from imaging import phantom, registry
from imaging.errors import ImagingError
from imaging.ingest import ingest
from imaging.runners import OpenAIVisionRunner, RunnerInput
from imaging.service import start_review
from tests.llm_server import JSONHandler, serve


class _Handler(JSONHandler):
    requests: list[dict[str, Any]] = []
    answer: str = "{}"

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.read_json()
        type(self).requests.append({"path": self.path, "body": body})
        reply = {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": body["model"],
                 "choices": [{"index": 0, "finish_reason": "stop",
                              "message": {"role": "assistant", "content": type(self).answer}}],
                 "usage": {"prompt_tokens": 900, "completion_tokens": 60, "total_tokens": 960}}
        self.send_json(200, reply)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve(_Handler) as url:
        yield url


def test_runner_sends_the_image_and_scales_boxes_back(server) -> None:
    ph = phantom.make_phantom({"16": ["caries_M"]}, size=(2048, 1536))
    # the model sees the image at 1024 px: its box is in those pixels
    _Handler.answer = json.dumps({"findings": [
        {"label": "caries", "tooth": 16, "surfaces": ["M"], "box": [100, 100, 150, 160], "confidence": 0.7},
        {"label": "restoration", "tooth": None, "box": [10, 10, 20, 20], "confidence": 0.4}]})
    _Handler.requests.clear()
    runner = OpenAIVisionRunner("openai-vision://vision-test", {"base_url": server})
    out = runner.run(RunnerInput(pixels=ph.pixels, sha256="a" * 64, width=2048, height=1536))
    sent = _Handler.requests[0]
    assert sent["path"] == "/v1/chat/completions" and sent["body"]["model"] == "vision-test"
    assert sent["body"]["response_format"] == {"type": "json_object"}
    url = sent["body"]["messages"][1]["content"][1]["image_url"]["url"]
    img = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert img.format == "PNG" and img.size == (1024, 768)
    caries = out.detections[0]
    assert (caries.label, caries.tooth, caries.surfaces, caries.box) == ("caries", "16", ["M"], [200, 200, 300, 320])
    assert out.detections[1].tooth is None and out.compute_env["prompt_tokens"] == 900

    _Handler.answer = json.dumps({"findings": [{"label": "unicorn", "confidence": 0.9}]})
    with pytest.raises(ImagingError, match="unknown label"):
        runner.run(RunnerInput(pixels=ph.pixels, sha256="a" * 64, width=2048, height=1536))
    _Handler.answer = "I think there is caries"
    with pytest.raises(ImagingError, match="did not answer with JSON"):
        runner.run(RunnerInput(pixels=ph.pixels, sha256="a" * 64, width=2048, height=1536))


def test_vision_version_runs_in_the_review_workflow(engine, actor, server, new_patient, bitewing) -> None:
    version = registry.register(engine.db, name="vision-test", version="2026-11", runner="openai-vision",
                                artifact="vision-test", classes=["caries", "restoration"],
                                options={"base_url": server}, thresholds={"caries": 0.5})
    assert version["artifact_uri"] == "openai-vision://vision-test"
    patient = new_patient("Vision")
    obj = ingest(engine.db, actor(), patient, phantom.to_png(bitewing.pixels), "bw.png")
    box = next(f["box"] for f in bitewing.findings if f["tooth"] == "46")
    _Handler.answer = json.dumps({"findings": [{"label": "caries", "tooth": "46", "surfaces": ["D"], "box": box,
                                                "confidence": 0.81}]})
    out = start_review(engine, actor(), uuid.UUID(obj["object_id"]), version_id=uuid.UUID(version["version_id"]))
    assert out["status"] == "WAITING_APPROVAL", out
    assert [(f["tooth"], f["label"], f["surfaces"], f["status"]) for f in out["findings"]] == [("46", "caries", ["D"], "new")]
    from approvals.decisions import decide

    assert decide(engine, uuid.UUID(out["approval_ids"][0]), actor(), "reject", comment="false_positive").run.status \
        == "COMPLETED"
