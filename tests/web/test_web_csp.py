"""The web app under its Content-Security-Policy in a real browser: the policy is enforced (an
injected inline script does not run), and no page does anything it forbids, whether on load
or once it shows data (dictation cards, a radiograph review, a run's trace, live events)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.api.imaging_upload import phantom_case

# a browser suite: the page is the same in both modes (tests/conftest.py)
pytestmark = pytest.mark.ci_server_only

# Before any page script: every violation the browser reports is kept on the window.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`));
"""


def watched(page: Any) -> list[str]:
    """Record the page's CSP violations (DOM events and console reports) from its next load on."""
    console: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    return console


def visit(page: Any, console: list[str], path: str, ready: str) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, path
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, (path, policy)
    expect(page.locator(ready).first).to_be_visible()
    assert_clean(page, console, path)


def assert_clean(page: Any, console: list[str], where: str) -> None:
    page.wait_for_timeout(300)  # violations are reported asynchronously
    violations = page.evaluate("window.__csp")
    assert not violations and not console, f"CSP violations on {where}: {violations} {console}"


def test_policy_is_enforced(new_page) -> None:
    page = new_page()
    console = watched(page)
    visit(page, console, "/signin", "#signin-submit")
    ran = page.evaluate("""() => {
      const s = document.createElement("script");
      s.textContent = "window.__inlineRan = true";
      document.head.append(s);
      return new Promise((done) => setTimeout(() => done(window.__inlineRan === true), 200));
    }""")
    assert ran is False
    assert any(v.startswith("script-src") for v in page.evaluate("window.__csp"))


def test_every_page_works_without_a_violation(new_page, new_patient) -> None:
    patient = str(new_patient("Cora", "Policy"))
    page = new_page()
    console = watched(page)
    visit(page, console, "/signin", "#signin-submit")
    page = new_page("dentist@demo.clinic")
    console = watched(page)
    visit(page, console, "/patients", "main")
    visit(page, console, f"/patients/{patient}", "#dictation-text")
    page.fill("#dictation-text", "caries on 36 occlusal")
    page.click("#dictation-send")
    expect(page.locator(".result")).to_be_visible()
    bar = page.locator(".result .confidence-bar i").first
    expect(bar).to_be_attached()
    assert_clean(page, console, "the dictation cards")
    assert bar.evaluate("i => i.style.width").endswith("%")  # set through the CSSOM, which the policy allows

    visit(page, console, f"/patients/{patient}/imaging", "#upload-open")
    png, findings, ph = phantom_case(seed=31)
    page.click("#upload-open")
    page.set_input_files("#upload-file", {"name": "bitewing.png", "mimeType": "image/png", "buffer": png})
    page.set_input_files("#upload-findings", {"name": "vendor.json", "mimeType": "application/json", "buffer": findings})
    page.click("#upload-submit")
    expect(page.locator(".finding-card")).to_have_count(len(ph.findings))
    expect(page).to_have_url(re.compile(r"/imaging/runs/[0-9a-f-]{36}$"))
    expect(page.locator("#xray-image")).to_have_js_property("complete", True)
    assert_clean(page, console, "the radiograph review")

    visit(page, console, "/inbox", ".inbox-item")
    visit(page, console, "/runs", "main a[href^='/runs/']")
    page.locator("main a[href^='/runs/']").first.click()
    expect(page).to_have_url(re.compile(r"/runs/[0-9a-f-]{36}$"))
    expect(page.locator(".step-bar i").first).to_be_visible()
    assert_clean(page, console, "a run's trace")
