"""Browser tests of the web app: the real app under uvicorn on a loopback port (in this test
session's platform), driven by Playwright through Debian's Chromium, headless."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing (Debian package 'chromium'; `make system-deps` installs it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev extra) is not installed")

from core_schema.seed.demo import DEMO_PASSWORD  # noqa: E402


def chromium_args(*extra: str) -> list[str]:
    """Chromium's flags: no sandbox as root (a container has no user namespaces for it)."""
    args = ["--disable-dev-shm-usage", *extra]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    return args


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    ws_url: str


@pytest.fixture(scope="session")
def live_server(platform) -> Iterator[LiveServer]:
    """``create_app()`` served by uvicorn in a background thread of this process (same platform)."""
    import uvicorn

    from api.app import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning",
                                           timeout_graceful_shutdown=2))  # open event streams end with the session
    thread = threading.Thread(target=server.run, name="web-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", ws_url=f"ws://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    """Per module: Playwright's sync API keeps an event loop running in this thread while it is
    open, and later tests (asyncio.run in the job queue) must not find one."""
    with sync_api.sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright) -> Iterator[Any]:
    b = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=chromium_args())
    yield b
    b.close()


def sign_in(context: Any, base_url: str, email: str) -> None:
    """Sign a browser context in through the API (sets the session and CSRF cookies)."""
    response = context.request.post(f"{base_url}/auth/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.ok, response.text()


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[..., Any]]:
    """``new_page(email=None)``: a page in a fresh context (own cookies), signed in when ``email`` is given."""
    contexts: list[Any] = []

    def _new(email: str | None = None, viewport: dict[str, int] | None = None) -> Any:
        context = browser.new_context(base_url=live_server.url, viewport=viewport or {"width": 1366, "height": 900})
        context.set_default_timeout(20_000)
        contexts.append(context)
        if email:
            sign_in(context, live_server.url, email)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    errors: list[str] = []
    yield _new
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def keyboard_focus(page: Any, items: str, target: Any) -> None:
    """Move the focus to ``target`` among ``items`` (a selector) with K to the top, then J, as a reviewer would."""
    count = page.locator(items).count()
    for _ in range(count):
        page.keyboard.press("k")
    for _ in range(count):
        if target.get_attribute("aria-selected") == "true":
            return
        page.keyboard.press("j")
    sync_api.expect(target).to_have_attribute("aria-selected", "true")

