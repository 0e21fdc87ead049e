"""Who runs a graph: a worker, never the caller that waits for the run (issue 18, item 5).

With no worker process alive, the caller's process starts a short-lived worker thread that
drains the queue; the caller (an API handler, a CLI command) only waits for the run's outcome.
"""

from __future__ import annotations

import threading
from typing import Any

from tests.workflows.conftest import chart_call, propose_chart


def test_the_caller_waits_while_a_worker_thread_runs_the_graph(engine, new_patient, monkeypatch) -> None:
    assert engine.dispatcher.idle()  # an earlier test's drain thread has stopped
    assert engine.dispatcher.live_workers() == 0  # the suite runs no worker process
    ran_on: list[int] = []
    drained_by: list[bool] = []
    advance = engine.advance

    def spy(*args: Any, **kwargs: Any) -> Any:
        ran_on.append(threading.get_ident())
        drained_by.append(any(t.name == "run-drain" and t.is_alive() for t in threading.enumerate()))
        return advance(*args, **kwargs)

    monkeypatch.setattr(engine, "advance", spy)
    patient = new_patient()
    run = propose_chart(engine, chart_call("16", patient=patient), patient=patient)
    assert run.status == "WAITING_APPROVAL"
    assert ran_on, "the run was never advanced by the queue's task"
    assert threading.get_ident() not in ran_on  # the caller only waited
    assert all(drained_by)  # the worker was this process's drain thread
