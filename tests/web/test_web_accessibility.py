"""Accessibility (issue 20, defect 7): axe-core, injected by Playwright from the vendored copy
(no network), finds no serious or critical WCAG 2.2 A/AA violation on any page, at a laptop's
and a tablet's width; focus and keyboard behaviour that axe cannot see are checked directly."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from core_schema.seed.demo import DEMO_PASSWORD
from tests.api.imaging_upload import phantom_case
from tests.web.conftest import sign_in

# a browser suite: the page is the same in both modes (tests/conftest.py)
pytestmark = pytest.mark.ci_server_only

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def axe_page(browser, live_server) -> Iterator[Any]:
    """A dentist's page whose context bypasses the app's CSP, so the test can inject axe (tests only)."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900}, bypass_csp=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async (tags) => {
        const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
        return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
    }""", WCAG)
    return [f"{page.url}: {v}" for v in found]


def test_no_serious_or_critical_axe_violations_on_any_page(platform, axe_page, live_server, new_patient) -> None:
    page = axe_page
    patient = str(new_patient("Axel", "Access"))
    page.goto("/signin")
    paths = ["/signin"]
    sign_in(page.context, live_server.url, "dentist@demo.clinic")
    page.goto(f"/patients/{patient}")
    page.fill("#dictation-text", "thirty six occlusal caries")
    page.click("#dictation-send")
    run_id = page.locator(".result").get_attribute("data-run-id")
    problems: list[str] = []
    for width in (1366, 820):  # the dictation card and its review row, as the dentist sees them
        page.set_viewport_size({"width": width, "height": 900})
        problems += [f"{width}px {p}" for p in serious_violations(page)]
    page.set_viewport_size({"width": 1366, "height": 900})
    page.click("#imaging-link")
    png, findings, _ = phantom_case(seed=5)
    page.click("#upload-open")
    page.set_input_files("#upload-file", {"name": "bitewing.png", "mimeType": "image/png", "buffer": png})
    page.set_input_files("#upload-findings", {"name": "vendor.json", "mimeType": "application/json", "buffer": findings})
    page.click("#upload-submit")
    expect(page).to_have_url(re.compile(r"/imaging/runs/[0-9a-f-]{36}$"))
    imaging = page.url.removeprefix(live_server.url)
    paths += ["/patients", f"/patients/{patient}", "/inbox", "/runs", f"/runs/{run_id}", f"/patients/{patient}/imaging", imaging]
    for width in (1366, 820):
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            if path == "/signin":
                page.context.clear_cookies()
            page.goto(path)
            page.wait_for_load_state("networkidle")
            problems += [f"{width}px {p}" for p in serious_violations(page)]
            if path == "/signin":
                sign_in(page.context, live_server.url, "dentist@demo.clinic")
    assert not problems, "\n".join(problems)


def test_a_failed_sign_in_keeps_the_focus_and_says_why(new_page) -> None:
    page = new_page()
    page.goto("/signin")
    page.fill("#email", "dentist@demo.clinic")
    page.fill("#password", "wrong password")
    page.keyboard.press("Enter")
    expect(page.locator("#signin-error")).to_have_text("wrong email or password")
    expect(page.locator("#password")).to_be_focused()  # ready to type again, not lost on the body
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    page.fill("#password", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/patients$"))


def test_the_inbox_tells_a_screen_reader_what_is_selected_and_what_was_decided(new_page, new_patient) -> None:
    patient = str(new_patient("Ida", "Aria"))
    page = new_page("dentist@demo.clinic")
    page.goto("/patients")
    ids = page.evaluate("""async (patient) => {
        const { api } = await import('/static/js/api.js');
        const result = await api('/api/v1/dictations', { method: 'POST', body: { patient_id: patient, text: 'twenty four distal caries and twenty five distal caries' } });
        return (await api(`/api/v1/runs/${result.run_id}`)).approvals.map((a) => a.id);
    }""", patient)
    page.goto("/inbox")
    listbox = page.locator("#inbox-list")
    expect(listbox).to_have_attribute("role", "listbox")
    item = page.locator(f'.inbox-item[data-id="{ids[0]}"]')
    item.click()
    expect(item).to_have_attribute("role", "option")
    expect(item).to_have_attribute("aria-selected", "true")
    expect(listbox).to_have_attribute("aria-activedescendant", f"request-{ids[0]}")
    assert page.locator('.inbox-item[aria-selected="true"]').count() == 1
    listbox.focus()
    page.keyboard.press("a")
    announce = page.locator("#inbox-announce")
    expect(announce).to_have_attribute("aria-live", "polite")
    expect(announce).to_contain_text("Approved: ")
    expect(announce).to_contain_text("Nothing reaches the chart until the other change of this dictation is decided")
    expect(page.locator(".toast", has_text="Nothing reaches the chart until")).to_have_count(1)  # defect 4
    expect(listbox).to_have_attribute("aria-activedescendant", f"request-{ids[1]}")  # the same dictation's next one
    page.keyboard.press("a")
    expect(announce).to_contain_text("Approved: ")
    expect(page.locator(".toast", has_text="Nothing reaches the chart until")).to_have_count(0)  # replaced, not stacked


def test_the_odontogram_takes_the_focus_and_moves_by_arrow_keys(new_page, new_patient) -> None:
    page = new_page("dentist@demo.clinic")
    page.goto(f"/patients/{new_patient('Odo', 'Keys')}")
    chart = page.locator("#odontogram .odontogram-svg")
    expect(chart).to_have_attribute("tabindex", "0")
    chart.focus()
    expect(chart).to_be_focused()
    expect(chart).to_have_attribute("aria-activedescendant", "odontogram-tooth-11")
    page.keyboard.press("ArrowRight")
    expect(chart).to_have_attribute("aria-activedescendant", "odontogram-tooth-21")
    page.keyboard.press("ArrowDown")
    expect(chart).to_have_attribute("aria-activedescendant", "odontogram-tooth-31")
    page.keyboard.press("End")
    expect(chart).to_have_attribute("aria-activedescendant", "odontogram-tooth-38")
    tooth = page.locator("#odontogram-tooth-38")
    expect(tooth).to_have_class(re.compile("tooth-kb"))
    expect(tooth).to_have_attribute("aria-label", re.compile("^Tooth 38"))
