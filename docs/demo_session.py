"""What the README screenshot scripts share: their command line, and the demo dentist's API and browser sessions.

Each script dictates through the API first and then photographs pages, both logged in as the demo
dentist against a running demo clinic; keeping the login and browser setup here means the
screenshots all come out the same size and from the same user.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from playwright.sync_api import Page, sync_playwright

from core_schema.seed.demo import DEMO_PASSWORD

DENTIST = {"email": "dentist@demo.clinic", "password": DEMO_PASSWORD}


def parse_args(doc: str) -> argparse.Namespace:
    """The server's URL and the Chromium to drive, the same for every screenshot script."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    return parser.parse_args()


@contextmanager
def api_client(url: str) -> Iterator[httpx.Client]:
    """An API client holding the demo dentist's bearer token (cookies dropped, so it acts as an API caller)."""
    with httpx.Client(base_url=url, timeout=120) as http:
        token = http.post("/auth/login", json=DENTIST)
        http.headers["Authorization"] = f"Bearer {token.raise_for_status().json()['access_token']}"
        http.cookies.clear()
        yield http


@contextmanager
def browser_page(url: str, chromium: str) -> Iterator[Page]:
    """A 1366x900 headless Chromium page logged in as the demo dentist; the browser closes on exit."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True,
                                    args=["--no-sandbox"] if os.geteuid() == 0 else [])
        try:
            context = browser.new_context(base_url=url, viewport={"width": 1366, "height": 900}, device_scale_factor=1)
            context.request.post("/auth/login", data=DENTIST)
            yield context.new_page()
        finally:
            browser.close()
