"""Issue 20's acceptance at test size: a reviewer clears a mixed inbox (dictations, a perio exam,
radiograph findings, two changes at odds with the chart) from the keyboard alone at 150 ms
between keys, and every decision lands on the item that was shown when its key was pressed.
``python -m benchmarks.review_speed`` runs the same with 50 items and prints items per minute."""

from __future__ import annotations

import pytest

from benchmarks.review_speed import Api, build_queue, check, clear
from tests.web.conftest import sign_in

# a browser suite: the page is the same in both modes (tests/conftest.py)
pytestmark = pytest.mark.ci_server_only


def test_a_mixed_inbox_cleared_at_150_ms_decides_each_item_shown(browser, live_server, new_patient) -> None:
    api = Api(live_server.url)
    patients = [str(new_patient(f"Queue{i}", "Speed")) for i in range(3)]
    others = api.dictate(str(new_patient("Not", "Mine")), "eleven mesial caries")  # work the reviewer passes over
    queue = build_queue(api, patients, items=12)
    assert queue.kinds["radiograph findings"] == 3 and queue.kinds["perio exam"] == 1 and len(queue.conflicts) == 2
    assert len(queue.ids) == 12

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    try:
        sign_in(context, live_server.url, "dentist@demo.clinic")
        cleared = check(api, queue, clear(context.new_page(), queue, gap_ms=150, one_at_a_time=False))
    finally:
        context.close()
    assert sorted(i for i, _ in cleared.shown) == sorted(queue.ids)  # each item shown once, none skipped
    assert {i for i, action in cleared.shown if action == "reject"} == queue.conflicts  # the chips were shown
    assert cleared.wrong == []
    assert set(others) <= set(api.pending())  # passed over, never decided
