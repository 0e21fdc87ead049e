"""A worker killed after a step's work was saved but before its checkpoint: the run continues."""

from __future__ import annotations

from typing import Any, TypedDict

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

from workflows.engine import next_move


class S(TypedDict, total=False):
    seen: list[str]


class DiesAfterTriage(InMemorySaver):
    """Saves triage's writes, then "dies" before the checkpoint that follows them."""

    armed = True
    triage_saved = False

    def put_writes(self, config: Any, writes: Any, task_id: str, task_path: str = "") -> None:
        super().put_writes(config, writes, task_id, task_path)
        if any(channel == "seen" and "triage" in value for channel, value in writes):
            self.triage_saved = True

    def put(self, config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
        if self.armed and self.triage_saved:
            raise SystemError("worker killed")
        return super().put(config, checkpoint, metadata, new_versions)


def _graph(saver: InMemorySaver):  # noqa: ANN202
    def step(name: str):  # noqa: ANN202
        return lambda state: {"seen": [*state.get("seen", []), name]}

    g = StateGraph(S)
    g.add_node("triage", step("triage"))
    g.add_node("request_approval", step("request_approval"))
    g.add_edge(START, "triage")
    g.add_edge("triage", "request_approval")
    g.add_edge("request_approval", END)
    return g.compile(checkpointer=saver)


def test_saved_work_without_its_checkpoint_is_continued_not_recorded_as_finished() -> None:
    saver = DiesAfterTriage()
    graph = _graph(saver)
    config = {"configurable": {"thread_id": "run-1"}}
    with pytest.raises(SystemError):
        graph.invoke({"seen": []}, config)
    saver.armed = False  # a new worker picks the run up
    snapshot = graph.get_state(config)
    assert snapshot.next == () and [t.name for t in snapshot.tasks] == ["triage"]  # done, not checkpointed
    assert next_move(snapshot, open_requests=False) == "continue"
    graph.invoke(None, config)
    after = graph.get_state(config)
    assert after.values["seen"] == ["triage", "request_approval"]  # triage's work kept, not redone
    assert next_move(after, open_requests=False) == "finished"
