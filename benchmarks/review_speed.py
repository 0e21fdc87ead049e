"""A reviewer clearing a mixed inbox from the keyboard alone (issue 20's acceptance).

The queue: dictations of one to three changes, a whole perio exam (one request), radiograph
findings, and changes on teeth the chart records as missing (shown with a "Check chart" chip).
The reviewer is Chromium driven by Playwright on the real app: at each step it reads the item
shown, then presses A (approve), or R, types a reason and Enter (reject) when the item is at odds
with the chart, waiting ``--gap`` ms between decisions. Afterwards every request's status is read
back: each decision must have landed on the item that was shown when its key was pressed.

Two reviewers on two queues of the same mix, in one run:

- **keyboard**: the next key ``--gap`` ms after the last (keys queue while requests are in flight);
- **baseline, one at a time**: the next key only after the last decision's answer came back.

Items per minute = decided items / (first key -> last decision recorded).

Usage: python -m benchmarks.review_speed [--items 50] [--gap 150]   (embedded unless DATABASE_URL is set)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from benchmarks._platform import bench_platform
from core_schema.seed.demo import DEMO_PASSWORD
from imaging import phantom

REVIEWER = "dentist@demo.clinic"
CHROMIUM = "/usr/bin/chromium"
# What a dictation says, per patient; "{t}" is one of the patient's present teeth.
DICTATIONS = [
    "{a} mesial caries",
    "{a} distal caries and {b} occlusal caries",
    "{a} buccal caries, {b} mesial caries and {c} distal caries",
]
TEETH = ["17", "15", "24", "25", "27", "34", "35", "37", "44", "47", "13", "23", "33", "43", "12", "22"]
MISSING = "36"  # charted missing after a finding on it was dictated: the finding is at odds with the chart
CHARTED = "26"  # the same finding dictated twice, the second approved first: the first would change nothing
PERIO = ["three two four", "two three three", "four three two", "three three three"]  # 18, 17, 16, 15 buccal
FINDINGS = {"16": ["caries_M"], "46": ["caries_D"], "45": ["periapical_radiolucency"]}
REJECT_REASON = "charted missing"


@dataclass
class Queue:
    """The requests waiting for the reviewer, and which of them are at odds with the chart."""

    ids: list[str] = field(default_factory=list)
    conflicts: set[str] = field(default_factory=set)
    kinds: dict[str, int] = field(default_factory=dict)
    runs: dict[str, str] = field(default_factory=dict)  # approval id -> its run


@dataclass
class Cleared:
    """One reviewer's pass: what was shown at each key, and how long it took."""

    shown: list[tuple[str, str]] = field(default_factory=list)  # (approval id, "approve" | "reject")
    seconds: float = 0.0
    wrong: list[str] = field(default_factory=list)  # what did not land as it was decided

    def per_minute(self) -> float:
        return len(self.shown) * 60 / self.seconds if self.seconds else 0.0


class Api:
    """The platform's HTTP API as the clinician who dictates (a bearer token)."""

    def __init__(self, base: str, email: str = REVIEWER) -> None:
        self.http = httpx.Client(base_url=base, timeout=120)
        response = self.http.post("/auth/login", json={"email": email, "password": DEMO_PASSWORD})
        response.raise_for_status()
        self.http.cookies.clear()
        self.http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    def dictate(self, patient: str, text: str, session_id: str | None = None) -> list[str]:
        body: dict[str, Any] = {"patient_id": patient, "text": text}
        if session_id:
            body["session_id"] = session_id
        return [str(a) for a in self.call("POST", "/api/v1/dictations", json=body)["approval_ids"]]

    def pending(self) -> dict[str, dict[str, Any]]:
        return {str(a["id"]): a for a in self.call("GET", "/api/v1/approvals")}

    def statuses(self, run_id: str) -> dict[str, str]:
        """The status of each approval request of a run."""
        return {str(a["id"]): str(a["status"]) for a in self.call("GET", f"/api/v1/runs/{run_id}")["approvals"]}


def build_queue(api: Api, patients: list[str], items: int) -> Queue:
    """About ``items`` pending requests over ``patients`` (at least two): one radiograph review and
    one perio exam on the first, two conflicts on the second, then dictations until it is full."""
    queue = Queue()

    def add(kind: str, ids: list[str]) -> None:
        queue.ids.extend(ids)
        queue.kinds[kind] = queue.kinds.get(kind, 0) + len(ids)

    first, second = patients[0], patients[1]
    ph = phantom.make_phantom(FINDINGS, size=(800, 600), seed=7)
    png = phantom.to_png(ph.pixels)
    vendor = {"model": {"name": "AcmeVision", "version": "3.2"}, "image_sha256": hashlib.sha256(png).hexdigest(),
              "findings": [{"label": f["label"], "tooth": f["tooth"], "surfaces": f["surfaces"], "box": f["box"],
                            "confidence": 0.9} for f in ph.findings]}
    review = api.call("POST", "/api/v1/imaging/reviews", data={"patient_id": first},
                      files={"file": ("bitewing.png", png, "image/png"),
                             "findings": ("findings.json", json.dumps(vendor).encode(), "application/json")})
    run_id = str(review["run_id"])
    add("radiograph findings", [i for i, a in api.pending().items() if str(a.get("execution_id")) == run_id])

    exam = api.call("POST", "/api/v1/exams", json={"patient_id": first, "mode": "perio"})
    for words in PERIO:
        api.dictate(first, words, exam["session_id"])
    add("perio exam", [str(a) for a in api.call("POST", f"/api/v1/exams/{exam['session_id']}/finish")["approval_ids"]])

    # two conflicts: a finding dictated before its tooth was charted missing, and one charted since
    gone = api.dictate(second, f"{MISSING} occlusal caries")
    twice = api.dictate(second, f"{CHARTED} mesial caries")
    for approval in [*api.dictate(second, f"mark {MISSING} as missing"), *api.dictate(second, f"{CHARTED} mesial caries")]:
        api.call("POST", f"/api/v1/approvals/{approval}/approve", json={})
    queue.conflicts.update([*gone, *twice])
    add("conflicts", [*gone, *twice])

    turn = 0
    while len(queue.ids) < items:
        patient = patients[turn % len(patients)]
        teeth = TEETH[(turn * 3) % len(TEETH):] + TEETH
        shape = DICTATIONS[min(turn % 3, items - len(queue.ids) - 1)]
        add("dictated changes", api.dictate(patient, shape.format(a=teeth[0], b=teeth[1], c=teeth[2])))
        turn += 1
    pending = api.pending()
    queue.runs = {i: str(pending[i]["execution_id"]) for i in queue.ids}
    return queue


def _shown(page: Any) -> tuple[str | None, bool]:
    """The item shown now, and whether it carries a conflict chip."""
    got = page.evaluate("""() => {
        const row = document.querySelector('.inbox-item[aria-selected=true]');
        return row ? [row.dataset.id, !!row.querySelector('.chip-conflict')] : [null, false];
    }""")
    return got[0], bool(got[1])


def clear(page: Any, queue: Queue, gap_ms: int, one_at_a_time: bool) -> Cleared:
    """Decide every item of ``queue`` from the keyboard; what was shown at each key, and the time."""
    result = Cleared()
    page.goto("/inbox")
    page.wait_for_selector("body[data-live=true]")
    page.wait_for_selector(".inbox-item[aria-selected=true]")
    for _ in range(page.locator(".inbox-item").count()):  # to the top, as a reviewer would
        page.keyboard.press("k")
    start = time.monotonic()
    mine = set(queue.ids)
    step, passed = "j", None  # past items that are not this queue's (other work in a shared inbox)
    while len(result.shown) < len(queue.ids):
        shown, conflict = _shown(page)
        if shown is None:
            page.wait_for_timeout(20)  # between the last row leaving and the next appearing
            continue
        if shown in {s for s, _ in result.shown}:
            raise RuntimeError(f"the inbox still shows {shown}, decided {gap_ms} ms ago")
        if shown not in mine:
            if shown == passed:  # the end of the list: the rest is the other way
                step = "k" if step == "j" else "j"
            passed = shown
            page.keyboard.press(step)
            page.wait_for_timeout(gap_ms)
            continue
        action = "reject" if conflict else "approve"
        result.shown.append((shown, action))

        def press(action: str = action) -> None:
            if action == "reject":
                page.keyboard.press("r")
                page.wait_for_selector("#reject-dialog[open]")
                page.keyboard.type(REJECT_REASON)
                page.keyboard.press("Enter")
            else:
                page.keyboard.press("a")

        if one_at_a_time:
            with page.expect_response(lambda r: r.request.method == "POST" and "/api/v1/approvals" in r.url):
                press()
        else:
            press()
        page.wait_for_timeout(gap_ms)
    result.seconds = _wait_decided(page, queue, start)
    return result


def _wait_decided(page: Any, queue: Queue, start: float, limit_s: float = 120) -> float:
    """Seconds from ``start`` until none of the queue is pending any more (polled from the page)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        left = page.evaluate("""async (ids) => {
            const { api } = await import('/static/js/api.js');
            const pending = new Set((await api('/api/v1/approvals')).map((a) => a.id));
            return ids.filter((id) => pending.has(id)).length;
        }""", queue.ids)
        if not left:
            return time.monotonic() - start
        page.wait_for_timeout(50)
    raise RuntimeError("decisions were still pending two minutes after the last key")


def check(api: Api, queue: Queue, cleared: Cleared) -> Cleared:
    """Each item's recorded status against the decision taken while it was shown."""
    expected = {"approve": "APPROVED", "reject": "REJECTED"}
    statuses: dict[str, str] = {}
    for run_id in set(queue.runs.values()):
        statuses.update(api.statuses(run_id))
    for approval_id, action in cleared.shown:
        if statuses.get(approval_id) != expected[action]:
            cleared.wrong.append(f"{approval_id}: {action} was pressed, the request is {statuses.get(approval_id)}")
        if (approval_id in queue.conflicts) != (action == "reject"):
            cleared.wrong.append(f"{approval_id}: its conflict chip was {'missing' if action == 'approve' else 'shown wrongly'}")
    return cleared


def new_patients(count: int, tag: str) -> list[str]:
    """Fresh patients with empty charts in the demo clinic (a benchmark's own)."""
    from core_schema.db import get_database
    from core_schema.models import Patient
    from core_schema.seed.demo import DEMO_TENANT_ID

    with get_database().system_session() as s:
        rows = [Patient(tenant_id=DEMO_TENANT_ID, first_name=f"Queue{i}", last_name=tag) for i in range(count)]
        s.add_all(rows)
        s.flush()
        return [str(r.id) for r in rows]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(base: str, items: int, gap_ms: int, make_patients: Callable[[int, str], list[str]]) -> dict[str, Any]:
    """Both reviewers on fresh queues of the same mix; their numbers."""
    from playwright.sync_api import sync_playwright

    api = Api(base)
    out: dict[str, Any] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--disable-dev-shm-usage", "--no-sandbox"])
        try:
            for name, one_at_a_time in (("keyboard", False), ("one at a time", True)):
                queue = build_queue(api, make_patients(6, f"{name.title().replace(' ', '')}{uuid.uuid4().hex[:4]}"), items)
                context = browser.new_context(base_url=base, viewport={"width": 1366, "height": 900})
                context.request.post(f"{base}/auth/login", data={"email": REVIEWER, "password": DEMO_PASSWORD})
                cleared = check(api, queue, clear(context.new_page(), queue, gap_ms, one_at_a_time))
                context.close()
                out[name] = {"items": len(cleared.shown), "mix": queue.kinds, "seconds": round(cleared.seconds, 1),
                             "per_minute": round(cleared.per_minute()), "wrong": cleared.wrong}
        finally:
            browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--gap", type=int, default=150, help="ms between keys")
    args = parser.parse_args()
    from benchmarks.api_load import start_server

    with bench_platform():
        port = _free_port()
        server = start_server(port)
        try:
            numbers = run(f"http://127.0.0.1:{port}", args.items, args.gap, new_patients)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"review speed: {args.items} mixed items, {args.gap} ms between keys, reviewer {REVIEWER}")
    for name, n in numbers.items():
        print(f"  {name:>14}: {n['items']} items in {n['seconds']} s = {n['per_minute']} items/min; "
              f"wrong item: {len(n['wrong'])}; mix {n['mix']}")
        for line in n["wrong"]:
            print(f"      {line}")
    base, fast = numbers["one at a time"]["per_minute"], numbers["keyboard"]["per_minute"]
    print(f"  keyboard / one at a time: {fast / base:.2f}x" if base else "")


if __name__ == "__main__":
    main()
