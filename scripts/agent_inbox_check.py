"""Agent Inbox itself, in Chromium, against the platform (issue 21): run by hand, never in CI.

Why by hand: Agent Inbox is a Next.js app published only as its GitHub repository (no npm
package), and CI does not reach GitHub. The exact requests it makes are tested in CI
(``test_the_requests_agent_inbox_sends`` in ``tests/api/test_agent_protocol.py``); this script checks
the real app end to end and prints every request it sent, so that test can be kept in step.

What it does: a throwaway migrated and seeded platform (embedded, or a scratch database when
``DATABASE_URL`` is set), the app on ``--port`` with the inbox's origin allowed, two
voice-to-chart dictations that wait for approval, then Chromium opens Agent Inbox (already
running at ``--inbox-url``, see docs/agent-protocol.md) with an inbox pointed at
``/langgraph`` (set in its localStorage, as its settings dialog would), checks that both
interrupts are listed, opens one and accepts it, and checks that the platform applied that
change once and left the other waiting. ``--screenshot`` saves the list.

    PYTHONPATH=. .venv/bin/python scripts/agent_inbox_check.py --inbox-url http://127.0.0.1:3000
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
GRAPH = "voice-to-chart"
TEETH = ("thirteen", "twenty three", "thirty three", "forty three", "twelve", "twenty one", "thirty two", "forty one")


def _serve(port: int) -> Any:
    """The platform's app under uvicorn in a thread of this process (as the web tests serve it)."""
    import uvicorn

    from api.app import create_app

    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning",
                                           timeout_graceful_shutdown=2))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("the platform did not start")
        time.sleep(0.05)
    return server


def _interrupted(client: Any, patient: str, finding: str, purpose: str) -> tuple[str, str]:
    """A thread whose dictation waits for approval: (thread id, run id)."""
    for tooth in TEETH:
        thread = client.threads.create(metadata={"patient_id": patient, "purpose": purpose})
        values = client.runs.wait(thread["thread_id"], GRAPH, input={"patient_id": patient, "text": f"{tooth} {finding}"})
        if values.get("__interrupt__"):
            return str(thread["thread_id"]), str(values["execution_id"])
    raise SystemExit(f"no tooth left without {finding!r}")


def _shot(page: Any, path: Path) -> None:
    """A screenshot; Chromium refuses one mid-navigation (Agent Inbox rewrites its query string), so try again."""
    for attempt in range(5):
        try:
            page.screenshot(path=str(path))
            return
        except Exception:
            if attempt == 4:
                raise
            page.wait_for_timeout(1000)


def _failed(page: Any, sent: list[dict[str, Any]], what: str) -> None:
    _shot(page, Path("agent-inbox-failed.png"))
    print(f"{what}: the page is in agent-inbox-failed.png; requests sent:")
    for r in sent:
        print(" ", r["method"], r["path"], json.dumps(r["body"]))


def _browse(inbox_url: str, api_url: str, token: str, screenshot: Path | None, thread_id: str) -> list[dict[str, Any]]:
    """Drive Agent Inbox: list the interrupts, open the one of ``thread_id`` and accept it; the
    requests it sent to the platform.

    The item is opened by its address (``view_state_thread_id``, the query parameter a click on
    the row sets): in headless Chromium the row's click (Next's ``router.replace``) did not take
    here, before any request to the platform, so the click is no test of the platform."""
    from playwright.sync_api import sync_playwright

    inbox = {"id": str(uuid.uuid4()), "graphId": GRAPH, "deploymentUrl": api_url, "name": "Dental clinic",
             "selected": True, "createdAt": "2026-12-07T00:00:00.000Z"}
    sent: list[dict[str, Any]] = []
    args = ["--disable-dev-shm-usage"] + (["--no-sandbox"] if os.geteuid() == 0 else [])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        # what its "Add inbox" and settings dialogs store, in place before its first render
        context.add_init_script(f"""if (!localStorage.getItem('inbox:agent_inboxes')) {{
            localStorage.setItem('inbox:agent_inboxes', {json.dumps(json.dumps([inbox]))});
            localStorage.setItem('inbox:langchain_api_key', {json.dumps(token)});
        }}""")
        page = context.new_page()

        def record(request: Any) -> None:
            if request.url.startswith(api_url):
                body = request.post_data
                sent.append({"method": request.method, "path": urlparse(request.url).path[len(urlparse(api_url).path):],
                             "body": json.loads(body) if body else None,
                             "x-api-key": "x-api-key" in {k.lower() for k in request.headers}})

        page.on("request", record)
        page.on("console", lambda m: print("console:", m.type, m.text[:300]) if m.type == "error" else None)
        page.goto(f"{inbox_url}/?agent_inbox={inbox['id']}&offset=0&limit=10&inbox=interrupted", wait_until="commit")
        items = page.get_by_text("update_dental_chart", exact=False)
        try:
            items.first.wait_for(timeout=120_000)
        except Exception:
            _failed(page, sent, "no interrupt listed")
            raise
        page.wait_for_timeout(1500)  # let the list settle before the picture
        if screenshot:
            _shot(page, screenshot)
        print(f"Agent Inbox lists {items.count()} item(s) naming update_dental_chart")
        page.goto(f"{inbox_url}/?agent_inbox={inbox['id']}&offset=0&limit=10&inbox=interrupted"
                  f"&view_state_thread_id={thread_id}", wait_until="commit")
        try:
            page.get_by_role("button", name="Accept").first.wait_for(timeout=120_000)
        except Exception:
            _failed(page, sent, "the interrupt did not open")
            raise
        if screenshot:
            _shot(page, screenshot.with_name(screenshot.stem + "-thread.png"))
        page.wait_for_timeout(1500)
        page.get_by_role("button", name="Accept").first.click()
        page.get_by_text("update_dental_chart", exact=False).first.wait_for(timeout=60_000)  # back in the list
        page.wait_for_timeout(3000)
        if screenshot:
            _shot(page, screenshot.with_name(screenshot.stem + "-after.png"))
        browser.close()
    return sent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inbox-url", default="http://127.0.0.1:3000", help="where Agent Inbox runs (next start)")
    parser.add_argument("--port", type=int, default=8123, help="the platform's port on 127.0.0.1")
    parser.add_argument("--screenshot", type=Path, default=None, help="save the inbox list here (PNG)")
    parser.add_argument("--requests", type=Path, default=None, help="save the requests Agent Inbox sent (JSON)")
    opts = parser.parse_args()
    inbox_origin = "{0.scheme}://{0.netloc}".format(urlparse(opts.inbox_url))
    os.environ["DENTALAGENT_AGENT_PROTOCOL_ORIGINS"] = inbox_origin

    import httpx
    from langgraph_sdk import get_sync_client
    from sqlalchemy import text

    from benchmarks._platform import bench_platform
    from core_schema.db import get_database
    from core_schema.seed.demo import DEMO_PASSWORD, DEMO_PATIENT_IDS

    with bench_platform():
        server = _serve(opts.port)
        base = f"http://127.0.0.1:{opts.port}"
        login = httpx.post(f"{base}/auth/login", json={"email": "dentist@demo.clinic", "password": DEMO_PASSWORD})
        login.raise_for_status()
        token = login.json()["access_token"]
        client = get_sync_client(url=f"{base}/langgraph", api_key=token)
        first = _interrupted(client, str(DEMO_PATIENT_IDS[2]), "buccal caries", "agent-inbox-check")
        second = _interrupted(client, str(DEMO_PATIENT_IDS[1]), "lingual caries", "agent-inbox-check")
        print(f"two dictations wait for approval: threads {first[0]} and {second[0]}")
        sent = _browse(opts.inbox_url, f"{base}/langgraph", token, opts.screenshot, first[0])
        for r in sent:
            print(r["method"], r["path"], json.dumps(r["body"]) if r["body"] is not None else "")
        if opts.requests:
            opts.requests.write_text(json.dumps(sent, indent=2))
        client.runs.join(first[0], first[1])
        with get_database().system_session() as s:
            applied = {run: s.execute(text("SELECT count(*) FROM action_history WHERE agent_execution_id = :r"),
                                      {"r": run}).scalar_one() for run in (first[1], second[1])}
        statuses = {t: client.threads.get(t)["status"] for t in (first[0], second[0])}
        server.should_exit = True
        print(f"accepted thread: {statuses[first[0]]}, chart changes {applied[first[1]]}; "
              f"other thread: {statuses[second[0]]}, chart changes {applied[second[1]]}")
        ok = (statuses == {first[0]: "idle", second[0]: "interrupted"} and applied == {first[1]: 1, second[1]: 0}
              and any(r["path"] == "/threads/search" for r in sent)
              and any((r["body"] or {}).get("command", {}).get("resume") for r in sent))
        print("OK" if ok else "FAILED")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
