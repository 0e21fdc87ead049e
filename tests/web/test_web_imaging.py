"""Radiograph review in a real browser: upload a phantom bitewing with its vendor findings, see
the boxes over the image and one card per finding, decide from the keyboard (accept, reject
with a reason code, edit the tooth), and watch the odontogram beside it take the findings."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.api.imaging_upload import phantom_case
from tests.web.conftest import keyboard_focus

# a browser suite: the page is the same in both modes (tests/conftest.py)
pytestmark = pytest.mark.ci_server_only


def surface(page, tooth: str, name: str):
    return page.locator(f'#odontogram polygon.surface[data-tooth="{tooth}"][data-surface="{name}"]')


def card(page, tooth: str, label: str):
    return page.locator(f'.finding-card[data-label="{label}"][data-tooth="{tooth}"]')


def focus(page, target) -> None:
    """Move the focus to ``target`` with J/K only, as a reviewer would."""
    keyboard_focus(page, ".finding-card", target)


def test_dentist_reviews_a_radiograph_from_the_keyboard(new_page, new_patient) -> None:
    patient = str(new_patient("Ray", "Imaging"))
    png, findings, ph = phantom_case(seed=21)
    page = new_page("dentist@demo.clinic")
    page.goto(f"/patients/{patient}")
    page.click("#imaging-link")
    expect(page).to_have_url(re.compile(f"/patients/{patient}/imaging$"))
    expect(page.locator("#xray-empty")).to_be_visible()
    expect(surface(page, "16", "M")).to_have_count(1)

    page.click("#upload-open")
    page.set_input_files("#upload-file", {"name": "bitewing.png", "mimeType": "image/png", "buffer": png})
    page.set_input_files("#upload-findings", {"name": "vendor.json", "mimeType": "application/json", "buffer": findings})
    page.click("#upload-submit")
    expect(page.locator(".finding-card")).to_have_count(len(ph.findings))
    expect(page.locator("#xray-overlay g.finding-box")).to_have_count(len(ph.findings))
    expect(page).to_have_url(re.compile(r"/imaging/runs/[0-9a-f-]{36}$"))
    expect(page.locator("#xray-image")).to_have_js_property("complete", True)
    assert page.locator("#xray-image").evaluate("img => img.naturalWidth") == 800
    expect(page.locator("#label-legend")).to_contain_text("Caries")
    expect(surface(page, "16", "M")).not_to_have_attribute("data-finding", "caries")  # nothing before a decision
    run_url = page.url
    page.goto("/inbox")  # the findings wait in the inbox too, with a way back to the image
    page.locator(f'.inbox-item[data-run-id="{run_url.rsplit("/", 1)[1]}"]').first.click()
    page.click("#inbox-detail a.imaging-link")
    expect(page).to_have_url(run_url)
    expect(page.locator(".finding-card")).to_have_count(len(ph.findings))

    caries16 = card(page, "16", "caries")
    focus(page, caries16)
    prediction = caries16.get_attribute("data-prediction-id")
    expect(page.locator(f'#xray-overlay g.finding-box[data-prediction-id="{prediction}"]')).to_have_class(re.compile("focused"))
    page.keyboard.press("a")
    expect(caries16).to_have_attribute("data-status", "APPROVED")

    lesion = card(page, "45", "periapical_radiolucency")
    focus(page, lesion)
    page.keyboard.press("r")
    expect(page.locator("#reject-dialog")).to_be_visible()
    page.select_option("#reject-reason", "false_positive")
    page.fill("#reject-comment", "film artefact")
    page.click("#reject-confirm")
    expect(lesion).to_have_attribute("data-status", "REJECTED")
    expect(lesion.locator(".chip-rejected")).to_contain_text("False positive")

    focus(page, card(page, "46", "caries"))
    page.keyboard.press("e")
    expect(page.locator("#edit-dialog")).to_be_visible()
    page.fill("#edit-tooth", "47")
    page.click("#edit-confirm")
    edited = card(page, "47", "caries")
    expect(edited).to_have_attribute("data-status", "APPROVED")
    expect(edited.locator(".chip-accepted")).to_have_text("Edited · accepted")

    restoration = card(page, "16", "restoration")
    restoration.click()  # the actions below the list act on the selected card
    page.locator('#finding-actions button[data-action="approve"]').click()  # the last one: the run applies the accepted findings
    expect(restoration).to_have_attribute("data-status", "APPROVED")
    expect(surface(page, "16", "M")).to_have_attribute("data-finding", "caries")
    expect(surface(page, "47", "D")).to_have_attribute("data-finding", "caries")
    expect(page.locator('#odontogram g.tooth[data-tooth="45"] .surface.f-none')).to_have_count(5)  # rejected: not charted
    expect(page.locator(".toast-undo")).to_be_visible()
    expect(page.locator("#finding-actions button")).to_have_count(0)


def test_assistant_sees_findings_but_cannot_decide(new_page, new_patient, live_server) -> None:
    import httpx

    from core_schema.seed.demo import DEMO_PASSWORD

    patient = str(new_patient("Ray", "Assisted"))
    png, findings, ph = phantom_case(seed=22)
    with httpx.Client(base_url=live_server.url) as http:
        token = http.post("/auth/login", json={"email": "assistant@demo.clinic", "password": DEMO_PASSWORD}).json()
        http.cookies.clear()
        uploaded = http.post("/api/v1/imaging/reviews", headers={"Authorization": f"Bearer {token['access_token']}"},
                             data={"patient_id": patient}, files={"file": ("bw.png", png, "image/png"),
                                                                  "findings": ("f.json", findings, "application/json")})
    assert uploaded.status_code == 200, uploaded.text  # an assistant may file a radiograph for review
    page = new_page("assistant@demo.clinic")
    page.goto(f"/patients/{patient}/imaging")
    expect(page.locator(".finding-card")).to_have_count(len(ph.findings))
    expect(page.locator(".finding-actions button")).to_have_count(0)
    page.keyboard.press("a")
    expect(page.locator('.finding-card[data-status="PENDING"]')).to_have_count(len(ph.findings))
