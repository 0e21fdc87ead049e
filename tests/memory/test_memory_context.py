"""Context windows: pruning by strategy, and one row per LLM interpreter call (against a local
server speaking Chat Completions) with its items, their source ids and real token counts."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from approvals import decisions as approvals
from core_schema.models import AgentApprovalRequest, AgentContextWindow
from core_schema.settings import get_settings
from memory.context import ContextItem, assemble
from memory.tokens import count_tokens
from tests.memory.helpers import DEMO_TENANT_ID, P1
from voice.service import run_dictation as dictate


def test_pruning_keeps_required_items_and_follows_the_strategy() -> None:
    def items() -> list[ContextItem]:
        return [ContextItem("system_prompt", "sys", 50, required=True), ContextItem("memory", "old", 40, importance=0.9),
                ContextItem("memory", "mid", 40, importance=0.2), ContextItem("memory", "new", 40, importance=0.5)]

    fits = assemble(items(), 500)
    assert fits.pruning_strategy is None and fits.total_tokens == 170 and all(i.kept for i in fits.items)
    by_importance = assemble(items(), 120)
    assert by_importance.pruning_strategy == "IMPORTANCE" and [i.source_id for i in by_importance.kept] == ["sys", "old"]
    fifo = assemble(items(), 120, "FIFO")
    assert [i.source_id for i in fifo.kept] == ["sys", "new"] and fifo.total_tokens == 90 <= fifo.max_tokens
    with pytest.raises(ValueError):
        assemble(items(), 10, "RANDOM")


class _ChatHandler(BaseHTTPRequestHandler):
    requests: list[dict[str, Any]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        type(self).requests.append(body)
        call = {"id": "call_0", "type": "function", "function": {
            "name": "chart_finding_add", "arguments": json.dumps({"teeth": ["16"], "surfaces": [], "label": "caries", "grade": None})}}
        payload = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": body["model"],
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                                "finish_reason": "tool_calls"}],
                   "usage": {"prompt_tokens": 321, "completion_tokens": 12, "total_tokens": 333}}
        raw = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def llm_interpreter(monkeypatch) -> Iterator[None]:
    from voice import brains as voice

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _ChatHandler)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    monkeypatch.setenv("DENTALAGENT_INTERPRETER", "llm")
    monkeypatch.setenv("DENTALAGENT_LLM_BASE_URL", f"http://127.0.0.1:{httpd.server_address[1]}/v1")
    monkeypatch.setenv("DENTALAGENT_LLM_MODEL", "test-model")
    get_settings.cache_clear()
    voice._llm.cache_clear()
    _ChatHandler.requests = []
    try:
        yield
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        voice._llm.cache_clear()
        httpd.shutdown()
        httpd.server_close()


def test_each_llm_interpreter_call_records_its_context_window(engine, actor, llm_interpreter) -> None:
    dentist = actor()
    out = dictate(engine, dentist, P1, text="caries on sixteen")
    assert out["proposals"][0]["tooth"] == "16" and len(_ChatHandler.requests) == 1
    run = uuid.UUID(out["run_id"])
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:
        windows = s.scalars(select(AgentContextWindow).where(AgentContextWindow.execution_id == run)).all()
        # the interpreter's call; a habit recall of the dentist's (taught by another suite's edit) has its own window
        [window] = [w for w in windows if any(i["kind"] == "system_prompt" for i in w.context_items)]
        pending = s.scalars(select(AgentApprovalRequest.id).where(AgentApprovalRequest.execution_id == run)).all()
    items = {i["kind"]: i for i in window.context_items}
    assert set(items) == {"system_prompt", "tool_schemas", "utterance"}
    assert items["utterance"]["source_id"] == out["utterance_id"]
    sent = _ChatHandler.requests[0]
    system = next(m["content"] for m in sent["messages"] if m["role"] == "system")
    assert items["system_prompt"]["tokens"] == count_tokens(system) > 20  # what the model was sent, tokenized
    assert items["utterance"]["tokens"] == count_tokens("caries on sixteen")
    assert items["tool_schemas"]["tokens"] == count_tokens(json.dumps(sent["tools"]))
    assert window.total_tokens == sum(i["tokens"] for i in window.context_items) and window.max_tokens == 8192
    assert window.pruning_strategy is None and window.step_id is not None
    assert "caries on sixteen" not in json.dumps(window.context_items)  # ids and counts, never the text
    approvals.decide_batch(engine, list(pending), dentist, "reject")


def test_asr_biasing_prompt_adds_the_clinicians_habit_words() -> None:
    from types import SimpleNamespace

    from memory.habits import Correction, biasing_prompt

    watch = SimpleNamespace(id=uuid.uuid4(), importance=0.7)
    tooth = SimpleNamespace(id=uuid.uuid4(), importance=0.9)
    learned = [(watch, Correction("update_dental_chart", "changes.label", "caries", "watch")),
               (tooth, Correction("update_dental_chart", "changes.tooth", "16", "26"))]  # a number: no word to add
    prompt, window = biasing_prompt("Caries on 16, mesial occlusal.", learned)
    assert prompt == "Caries on 16, mesial occlusal, watch."
    assert [(i.kind, i.source_id) for i in window.items] == [("asr_vocabulary", "clinic.catalog"), ("memory", str(watch.id))]
    assert window.total_tokens == count_tokens("Caries on 16, mesial occlusal.") + count_tokens("watch")
    assert biasing_prompt(None, learned)[0] is None  # biasing off stays off
