"""Undo where people look for it, the run's trace for people, and the inbox's ghost preview
(issue 20, items 4-6): undo an approved change from its run page and from the patient's history
(the chart reverts live), the reason in words when the button is gone, the transcript and a
reviewer's edit proposed vs approved on the trace, and the proposed change drawn over the chart
on the right tooth before approving."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from approvals import service as approvals
from core_schema.seed.demo import DEMO_TENANT_ID
from tests.api.imaging_upload import phantom_case
from tests.web.conftest import keyboard_focus, sign_in
from tests.web.test_web_accessibility import serious_violations
from tools.clinical.chart import write_snapshot
from voice.service import run_dictation

# a browser suite: the page is the same in both modes (tests/conftest.py)
pytestmark = pytest.mark.ci_server_only

CARIES_36 = 'g.tooth[data-tooth="36"] polygon.surface[data-finding="caries"]'


@pytest.fixture
def signed_in(browser, live_server) -> Iterator[Callable[[str], Any]]:
    """``signed_in(email)``: that user's page; its context bypasses the CSP so that axe can be
    injected (tests only); no JavaScript error may happen on it."""
    contexts: list[Any] = []
    errors: list[str] = []

    def _page(email: str = "dentist@demo.clinic") -> Any:
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900}, bypass_csp=True)
        context.set_default_timeout(20_000)
        contexts.append(context)
        sign_in(context, live_server.url, email)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield _page
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def _approved(engine, dentist, patient: uuid.UUID, said: str) -> dict[str, Any]:
    out = run_dictation(engine, dentist, patient, text=said)
    report = approvals.decide(engine, [uuid.UUID(a) for a in out["approval_ids"]], dentist, "approve")
    assert {d.run_status for d in report.decisions} == {"COMPLETED"}, report
    return out


def test_undo_an_approved_change_from_its_run_page_and_the_chart_reverts(signed_in, engine, actor, new_patient) -> None:
    patient = new_patient("Run", "Undo")
    run = _approved(engine, actor(), patient, "thirty six occlusal caries")
    page = signed_in()
    page.goto(f"/patients/{patient}")
    expect(page.locator(f"#odontogram {CARIES_36}")).to_have_count(1)
    page.goto(f"/runs/{run['run_id']}")
    change = page.locator("#changes .change")
    expect(change).to_have_count(1)
    expect(change).to_have_attribute("data-state", "open")
    expect(change.locator(".change-who")).to_contain_text("approved by")
    expect(page.locator("#undo-run")).to_be_visible()
    assert serious_violations(page) == []
    change.get_by_role("button", name="Undo").click()
    expect(change).to_have_attribute("data-state", "undone")
    expect(change.locator(".change-undone")).to_contain_text("Undone by")
    expect(change.get_by_role("button", name="Undo")).to_have_count(0)
    expect(page.locator("#run-status")).to_have_text("Undone")
    expect(page.locator("#undo-run")).to_be_hidden()
    page.goto(f"/patients/{patient}")
    expect(page.locator('#odontogram g.tooth[data-tooth="36"]')).to_be_visible()
    expect(page.locator(f"#odontogram {CARIES_36}")).to_have_count(0)


def test_the_patients_history_lists_the_change_and_undoes_it_live(signed_in, engine, actor, new_patient) -> None:
    patient = new_patient("History", "Undo")
    first = _approved(engine, actor(), patient, "forty six mesial caries")
    run = _approved(engine, actor(), patient, "thirty six occlusal caries")
    with engine.db.system_session() as s:  # the first change's window closed (as five minutes later)
        s.execute(text("UPDATE action_history SET undo_expires_at = now() - interval '1 second' WHERE agent_execution_id = :r"),
                  {"r": first["run_id"]})
    page = signed_in()
    page.goto(f"/patients/{patient}")
    expect(page.locator(f"#odontogram {CARIES_36}")).to_have_count(1)
    rows = page.locator("#history .change")
    expect(rows).to_have_count(2)
    newest, older = rows.nth(0), rows.nth(1)
    expect(newest).to_have_attribute("data-run-id", run["run_id"])  # newest first
    expect(newest.locator(".change-summary")).to_contain_text("36")
    expect(newest.locator(".change-who")).to_contain_text("approved by")
    expect(newest.get_by_role("link", name="from this run")).to_have_attribute("href", f"/runs/{run['run_id']}")
    expect(older.get_by_role("button", name="Undo")).to_have_count(0)  # its window closed: said in words
    expect(older.locator(".change-why")).to_have_text("The 5-minute window to undo this change has closed.")
    assert serious_violations(page) == []
    newest.get_by_role("button", name="Undo").click()
    expect(page.locator(f"#odontogram {CARIES_36}")).to_have_count(0)  # the chart reverted without a reload
    expect(page.locator('#odontogram g.tooth[data-tooth="46"] polygon.surface[data-finding="caries"]')).to_have_count(1)
    expect(page.locator("#history .change").nth(0)).to_have_attribute("data-state", "undone")
    expect(page.locator("#history .change").nth(0).locator(".change-undone")).to_contain_text("Undone by")


def test_who_may_not_undo_sees_why_in_words(signed_in, engine, actor, new_patient) -> None:
    patient = new_patient("Not", "Yours")
    run = _approved(engine, actor(), patient, "thirty six occlusal caries")
    page = signed_in("assistant@demo.clinic")  # neither dictated nor approved it; may not decide tier 3
    page.goto(f"/patients/{patient}")
    row = page.locator("#history .change")
    expect(row).to_have_attribute("data-state", "forbidden")
    expect(row.get_by_role("button", name="Undo")).to_have_count(0)
    expect(row.locator(".change-why")).to_contain_text("only whoever dictated or approved it")
    # a refusal from the server (e.g. a stale page) reads in plain words too
    page.goto(f"/runs/{run['run_id']}")
    expect(page.locator("#changes .change")).to_have_attribute("data-state", "forbidden")
    message = page.evaluate("""async (runId) => {
        const { api } = await import('/static/js/api.js');
        const { refusalText } = await import('/static/js/history.js');
        try { await api(`/api/v1/runs/${runId}/undo`, { method: 'POST', body: {} }); return 'undone'; }
        catch (err) { return `${err.status} ${refusalText(err)}`; }
    }""", run["run_id"])
    assert message.startswith("403 You may not undo this change"), message


def test_the_trace_shows_what_was_said_and_the_edit_proposed_vs_approved(signed_in, engine, actor, new_patient) -> None:
    patient = new_patient("Trace", "Reader")
    dentist = actor()
    said = "thirty six occlusal caries"
    out = run_dictation(engine, dentist, patient, text=said)
    approval = uuid.UUID(out["approval_ids"][0])
    proposed = next(a for a in approvals.pending(engine, dentist) if a.id == str(approval))
    change = proposed.arguments["changes"][0]
    approvals.decide(engine, [approval], dentist, "edit", comment="mesial too",
                     edits={"changes": [{**change, "surfaces": ["M", "O"]}]})
    page = signed_in()
    page.goto(f"/runs/{out['run_id']}")
    expect(page.locator("#transcript blockquote")).to_have_text([said])
    expect(page.locator("#run-who")).to_contain_text("Requested by")
    expect(page.locator("#run-who").get_by_role("link", name="Trace Reader")).to_have_attribute("href", f"/patients/{patient}")
    diff = page.locator("#approvals .edit-diff")
    expect(diff).to_contain_text("Edited before approval")
    expect(page.locator("#approvals .approval-line")).to_contain_text("“mesial too”")
    row = diff.locator('tr[data-field="tooth 36.surfaces"]')
    expect(row.locator("th")).to_have_text("Tooth 36 · surfaces")
    expect(row.locator(".diff-before")).to_have_text("O")
    expect(row.locator(".diff-after")).to_have_text("M, O")
    expect(page.locator("#approvals .approval-line")).to_contain_text("by ")
    expect(page.locator("#changes .change")).to_have_count(1)
    page.locator("#changes .change").get_by_role("button", name="Undo").click()
    expect(page.locator("#changes .change .change-undone")).to_contain_text("Undone by")  # who undid it, on the trace
    assert serious_violations(page) == []


def test_the_inbox_draws_the_proposed_change_as_a_ghost_on_the_right_tooth(signed_in, engine, actor, new_patient) -> None:
    patient = new_patient("Ghost", "Preview")
    with engine.db.tenant_session(DEMO_TENANT_ID) as s:  # the chart as it is now: a crown on 11
        write_snapshot(s, tenant_id=DEMO_TENANT_ID, patient_id=patient, source="test", user_id=None,
                       chart={"teeth": {"11": {"restorations": [{"label": "crown", "surfaces": []}]}}})
    out = run_dictation(engine, actor(), patient, text="thirty six occlusal caries")
    page = signed_in()
    page.goto("/inbox")
    item = page.locator(f'.inbox-item[data-id="{out["approval_ids"][0]}"]')
    expect(item).to_be_visible()
    keyboard_focus(page, ".inbox-item", item)
    preview = page.locator("#inbox-detail .ghost-preview")
    expect(preview.locator(".ghost-caption")).to_have_text(
        "Preview: tooth 36: caries on the occlusal surface. Drawn dashed over the chart as it is now; nothing is charted until approved.")
    ghosts = preview.locator("g.tooth.has-ghost")
    expect(ghosts).to_have_count(1)
    expect(ghosts).to_have_attribute("data-tooth", "36")
    expect(ghosts.locator('polygon.ghost[data-ghost-surface="O"]')).to_have_class("ghost f-caries")
    expect(preview.locator('g.tooth[data-tooth="11"]')).to_have_attribute("data-whole", "crown")  # the chart now, under it
    expect(preview.locator(f"{CARIES_36}")).to_have_count(0)  # a ghost, not charted
    expect(preview.locator("svg")).to_have_attribute("role", "img")
    expect(preview.locator("svg")).to_have_attribute("aria-label", preview.locator(".ghost-caption").inner_text())
    assert serious_violations(page) == []


def test_a_radiograph_finding_is_drawn_as_a_ghost_too(signed_in, new_patient) -> None:
    patient = str(new_patient("Ghost", "Ray"))
    png, findings, _ = phantom_case(seed=21)  # caries on 16 M, a periapical radiolucency on 45 (whole tooth)
    page = signed_in()
    page.goto(f"/patients/{patient}/imaging")
    page.click("#upload-open")
    page.set_input_files("#upload-file", {"name": "bitewing.png", "mimeType": "image/png", "buffer": png})
    page.set_input_files("#upload-findings", {"name": "vendor.json", "mimeType": "application/json", "buffer": findings})
    page.click("#upload-submit")
    expect(page).to_have_url(re.compile(r"/imaging/runs/[0-9a-f-]{36}$"))
    pending = page.request.get("/api/v1/approvals").json()
    mine = {(a["arguments"]["tooth"], a["arguments"]["label"]): a["id"] for a in pending
            if a["tool"] == "chart_imaging_finding" and a["arguments"]["patient_id"] == patient}
    page.goto("/inbox")
    page.locator(f'.inbox-item[data-id="{mine[("16", "caries")]}"]').click()
    preview = page.locator("#inbox-detail .ghost-preview")
    expect(preview.locator(".ghost-caption")).to_contain_text("Preview: tooth 16: caries on the mesial surface.")
    expect(preview.locator('g.tooth.has-ghost[data-tooth="16"] polygon.ghost[data-ghost-surface="M"]')).to_have_count(1)
    page.locator(f'.inbox-item[data-id="{mine[("45", "periapical_radiolucency")]}"]').click()
    expect(preview.locator(".ghost-caption")).to_contain_text("Preview: tooth 45: periapical radiolucency.")
    expect(preview.locator('g.tooth.has-ghost[data-tooth="45"] rect.ghost-whole')).to_have_count(1)
    expect(preview.locator("g.tooth.has-ghost")).to_have_count(1)
