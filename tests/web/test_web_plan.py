"""The plan page in a browser: reconcile a patient's sources (the contradiction with both sources),
draft a plan (phases, codes, fees, the conversation beside it), decide items on the page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.reconciliation.seeding import Seed

# a browser suite: the page is the same in both modes (tests/conftest.py)
pytestmark = pytest.mark.ci_server_only


def test_plan_page_reconciles_drafts_and_decides(new_page, engine, new_patient) -> None:
    sd = Seed(engine, new_patient("Plan", "Page"))
    sd.radiograph("36", "caries", ["D"], 0.91)
    sd.radiograph("45", "periapical_radiolucency", [], 0.8)
    sd.dictation("36 is sound")
    page = new_page("dentist@demo.clinic")
    page.goto(f"/patients/{sd.patient}")
    page.click("#plan-link")
    expect(page).to_have_url(re.compile(f"/patients/{sd.patient}/plan$"))

    page.click("#reconcile")
    finding = page.locator('.finding[data-kind="radiograph_vs_dictation"]')
    expect(finding).to_contain_text("radiograph: caries 36 D at 0.91; dictated: 36 sound")
    expect(finding.locator('.sources li[data-type="dictation"]')).to_have_count(1)
    expect(finding.locator('.sources li[data-type="radiograph"]')).to_have_count(1)

    run_id = page.locator("#findings").get_attribute("data-run-id")

    page.click("#draft")
    expect(page.locator(".phase")).to_have_count(4)
    root_canal = page.locator('.plan-item[data-code="D3320"]')
    expect(root_canal).to_contain_text("tooth 45")
    expect(page.locator('.phase[data-phase="1"]')).to_contain_text("urgent")
    expect(page.locator("#conversation .message")).not_to_have_count(0)
    expect(page.locator('#conversation .message[data-agent="endodontic"]')).not_to_have_count(0)
    expect(page.locator("#conversation")).to_contain_text("Plan draft:")

    root_canal.locator("button.approve").click()
    expect(root_canal.locator('[data-decision="APPROVED"]')).to_have_count(1)  # written once every item is decided
    expect(root_canal.locator("button.approve")).to_have_count(0)
    rejects = page.locator(".plan-item button.reject")
    left = rejects.count()
    assert left == 3  # composite 36, crown 45 after its root canal, prophylaxis recall (no perio: no scaling)
    for n in range(left, 0, -1):
        rejects.first.click()
        expect(rejects).to_have_count(n - 1)
    expect(root_canal).to_contain_text("Approved · written")
    expect(page.locator("#plan-status")).to_have_text("Completed")

    page.goto(f"/runs/{run_id}")  # the reconciliation's trace shows each finding with its sources
    line = page.locator(".approval-line").first
    expect(line).to_contain_text("Disagreement: radiograph: caries 36 D at 0.91; dictated: 36 sound")
    expect(line.locator('.sources li[data-type="dictation"]')).to_have_count(1)
