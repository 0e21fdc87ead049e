"""The clinic web app in a real browser: sign-in, dictation cards, the keyboard inbox, the
odontogram, undo, what an assistant may not do, and live updates over server-sent events."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from core_schema.seed.demo import DEMO_PASSWORD, DEMO_PATIENT_IDS
from tests.web.conftest import keyboard_focus

# a browser suite: the page is the same in both modes (tests/conftest.py)
pytestmark = pytest.mark.ci_server_only

ADA, BEN, CLEO = (str(p) for p in DEMO_PATIENT_IDS)


def surface(page, tooth: str, name: str):
    return page.locator(f'polygon.surface[data-tooth="{tooth}"][data-surface="{name}"]')


def dictate(page, text: str):
    """Type a dictation on the patient page; returns the result's first review row's approval id."""
    page.fill("#dictation-text", text)
    page.click("#dictation-send")
    result = page.locator(".result")
    expect(result).to_be_visible()
    return result


def focus_in_inbox(page, approval_id: str) -> None:
    """Move the inbox focus to ``approval_id`` with the keyboard (K to the top, then J)."""
    item = page.locator(f'.inbox-item[data-id="{approval_id}"]')
    expect(item).to_be_visible()
    keyboard_focus(page, ".inbox-item", item)


def test_pages_need_a_session(live_server) -> None:
    for path in ("/", "/patients", f"/patients/{ADA}", "/inbox", "/runs"):
        response = httpx.get(live_server.url + path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/signin"), path
    signin = httpx.get(f"{live_server.url}/signin")
    assert signin.status_code == 200 and "dentist@demo.clinic" in signin.text  # the demo clinic is seeded


def test_dentist_dictates_approves_from_the_keyboard_and_undoes(new_page, new_patient) -> None:
    ada = str(new_patient("Ada", "Fresh"))  # an empty chart, whatever other tests charted
    page = new_page()
    page.goto(f"/patients/{ada}")
    expect(page).to_have_url(re.compile(r"/signin\?next="))
    page.fill("#email", "dentist@demo.clinic")
    page.fill("#password", "wrong password")
    page.click("#signin-submit")
    expect(page.locator("#signin-error")).to_have_text("wrong email or password")
    page.fill("#password", DEMO_PASSWORD)
    page.click("#signin-submit")
    expect(page).to_have_url(re.compile(f"/patients/{ada}$"))
    expect(page.locator(".who-name")).to_have_text("Dr. Dana Demo")
    expect(surface(page, "36", "O")).to_have_count(1)
    expect(surface(page, "36", "O")).not_to_have_attribute("data-finding", "caries")

    result = dictate(page, "thirty six occlusal caries")
    card = result.locator(".proposal")
    expect(card).to_have_count(1)
    expect(card.locator(".tooth-badge-num")).to_have_text("36")
    expect(card.locator(".proposal-label")).to_have_text("Caries")
    expect(card.locator(".surface-chip")).to_have_text("O")
    expect(card.locator(".confidence-num")).to_have_text(re.compile(r"^\d+%$"))
    row = result.locator(".review-row")
    expect(row).to_have_count(1)
    approval_id = row.get_attribute("data-approval-id")
    run_id = result.get_attribute("data-run-id")
    expect(surface(page, "36", "O")).not_to_have_attribute("data-finding", "caries")  # nothing before approval

    page.click("nav >> text=Review inbox")
    expect(page).to_have_url(re.compile("/inbox$"))
    focus_in_inbox(page, approval_id)
    page.keyboard.press("a")
    expect(page.locator(f'.inbox-item[data-id="{approval_id}"]')).to_have_count(0)
    toast = page.locator(f'.toast-undo[data-key="{run_id}"]')
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("Tooth 36")

    toast.locator("a", has_text="View chart").click()
    expect(page).to_have_url(re.compile(f"/patients/{ada}$"))
    expect(surface(page, "36", "O")).to_have_attribute("data-finding", "caries")
    expect(page.locator("#findings-list")).to_contain_text("Caries")

    page.locator(f'.toast-undo[data-key="{run_id}"] .undo-button').click()  # the toast followed us here
    expect(page.locator(f'.toast-undo[data-key="{run_id}"]')).to_have_count(0)
    expect(surface(page, "36", "O")).not_to_have_attribute("data-finding", "caries")
    expect(page.locator("#findings-list")).to_contain_text("No findings charted.")

    page.goto(f"/runs/{run_id}")
    expect(page.locator("#run-status")).to_have_text("Undone")  # not "Completed": its change is gone
    approval = page.locator(f'.approval-line[data-approval-id="{approval_id}"]')
    expect(approval).to_contain_text("Approved")
    expect(approval.locator(".decided-by")).to_contain_text("Dr. Dana Demo")
    expect(page.locator('.step[data-node="apply"]')).to_have_count(1)
    expect(page.locator("#tools tbody")).to_contain_text("update_dental_chart")


def test_assistant_sees_no_approve_button_and_the_api_refuses(new_page) -> None:
    page = new_page("assistant@demo.clinic")
    page.goto(f"/patients/{BEN}")
    expect(page.locator(".who .role")).to_have_text("assistant")
    result = dictate(page, "forty six occlusal caries")
    expect(result.locator(".proposal .tooth-badge-num")).to_have_text("46")
    row = result.locator(".review-row")
    expect(row).to_have_count(1)
    expect(row.locator(".tier")).to_have_text("Tier 3")
    expect(row).to_contain_text("Waiting for a dentist to approve.")
    expect(page.locator('button[data-action="approve"]')).to_have_count(0)
    approval_id = row.get_attribute("data-approval-id")

    page.goto("/inbox")
    expect(page.locator("#inbox-empty")).to_be_visible()  # the tier-3 request went to a dentist
    others = page.locator("#inbox-others a")  # ... and the assistant is told their dictation waits for it
    expect(others).to_contain_text(re.compile(r"dictations? of yours waits? for someone else's decision"))
    expect(page.locator('button[data-action="approve"]')).to_have_count(0)
    refused = page.evaluate("""async (id) => {
        const { api } = await import('/static/js/api.js');
        try { await api(`/api/v1/approvals/${id}/approve`, { method: 'POST', body: {} }); return null; }
        catch (err) { return { status: err.status, message: err.message }; }
    }""", approval_id)
    assert refused is not None and refused["status"] == 403 and "tier-3" in refused["message"]

    dentist = new_page("dentist@demo.clinic")  # the dentist does see it, with the controls
    dentist.goto("/inbox")
    focus_in_inbox(dentist, approval_id)
    expect(dentist.locator('#inbox-detail button[data-action="approve"]')).to_be_visible()
    dentist.keyboard.press("r")
    dentist.fill("#reject-reason", "tested by the assistant")
    dentist.keyboard.press("Enter")
    expect(dentist.locator(f'.inbox-item[data-id="{approval_id}"]')).to_have_count(0)


def test_a_second_dentist_session_receives_new_approvals_live(new_page) -> None:
    inbox = new_page("dentist@demo.clinic")
    inbox.goto("/inbox")
    expect(inbox.locator("body[data-live=true]")).to_have_count(1)  # the event stream said hello
    inbox.evaluate("window.__notReloaded = true")

    other = new_page("dentist@demo.clinic")
    other.goto(f"/patients/{CLEO}")
    result = dictate(other, "fifteen occlusal caries")
    approval_id = result.locator(".review-row").get_attribute("data-approval-id")

    item = inbox.locator(f'.inbox-item[data-id="{approval_id}"]')
    expect(item).to_be_visible()
    expect(item).to_contain_text("Cleo Incisor")
    expect(item.locator(".tooth-pill")).to_have_text("15")
    assert inbox.evaluate("window.__notReloaded === true")

    other.locator(f'.review-row[data-approval-id="{approval_id}"] button[data-action="reject"]').click()
    expect(item).to_have_count(0)  # DECIDED reached the inbox too
    assert inbox.evaluate("window.__notReloaded === true")


def test_inbox_edits_one_request_and_approves_a_batch(new_page, new_patient) -> None:
    cleo = str(new_patient("Cleo", "Fresh"))  # an empty chart, whatever other tests charted
    page = new_page("dentist@demo.clinic")
    page.goto(f"/patients/{cleo}")
    result = dictate(page, "twenty one mesial caries, twenty two distal caries and twenty three mesial caries")
    expect(result.locator(".review-row")).to_have_count(3)
    first, *rest = result.locator(".review-row").evaluate_all("rows => rows.map(r => r.dataset.approvalId)")

    page.goto("/inbox")
    focus_in_inbox(page, first)
    page.keyboard.press("e")
    page.fill('#edit-fields input[name="changes.0.surfaces"]', "D")  # it was the distal surface after all
    page.fill("#edit-comment", "distal, not mesial")
    page.click("#edit-confirm")
    expect(page.locator(f'.inbox-item[data-id="{first}"]')).to_have_count(0)
    for approval_id in rest:
        focus_in_inbox(page, approval_id)
        page.keyboard.press("x")
        expect(page.locator(f'.inbox-item[data-id="{approval_id}"]')).to_have_class(re.compile("selected"))
    expect(page.locator("#batch-count")).to_have_text("2 selected")
    page.click("#batch-approve")  # the batch has its own labelled control (A acts on the item shown)
    for approval_id in rest:
        expect(page.locator(f'.inbox-item[data-id="{approval_id}"]')).to_have_count(0)
    expect(page.locator(".toast-undo")).to_contain_text("3 changes applied")

    page.goto(f"/patients/{cleo}")
    expect(surface(page, "21", "D")).to_have_attribute("data-finding", "caries")
    expect(surface(page, "21", "M")).not_to_have_attribute("data-finding", "caries")
    expect(surface(page, "22", "D")).to_have_attribute("data-finding", "caries")
    expect(surface(page, "23", "M")).to_have_attribute("data-finding", "caries")


def test_the_detail_pane_and_keys_decide_the_item_shown_not_the_batch(new_page, new_patient) -> None:
    """Issue 20, defect 1: X on rows 1-2, J J to row 4, Approve in the detail pane approved rows 1-2."""
    dora = str(new_patient("Dora", "Fresh"))
    page = new_page("dentist@demo.clinic")
    page.goto(f"/patients/{dora}")
    result = dictate(page, "forty three mesial caries, forty two mesial caries, forty one mesial caries "
                           "and thirty two mesial caries")
    expect(result.locator(".review-row")).to_have_count(4)
    first, second, third, fourth = result.locator(".review-row").evaluate_all("rows => rows.map(r => r.dataset.approvalId)")

    page.goto("/inbox")
    for approval_id in (first, second):
        focus_in_inbox(page, approval_id)
        page.keyboard.press("x")
    expect(page.locator("#batch-approve")).to_have_text("Approve 2 selected")
    focus_in_inbox(page, fourth)
    page.click('#inbox-detail [data-action="approve"]')
    expect(page.locator(f'.inbox-item[data-id="{fourth}"]')).to_have_count(0)  # the item shown was decided
    for approval_id in (first, second):  # the batch was not
        expect(page.locator(f'.inbox-item[data-id="{approval_id}"]')).to_have_class(re.compile("selected"))
    focus_in_inbox(page, third)
    page.keyboard.press("a")
    expect(page.locator(f'.inbox-item[data-id="{third}"]')).to_have_count(0)
    expect(page.locator(f'.inbox-item[data-id="{first}"]')).to_have_count(1)
    expect(page.locator(f'.inbox-item[data-id="{second}"]')).to_have_count(1)
    page.click("#batch-approve")
    for approval_id in (first, second):
        expect(page.locator(f'.inbox-item[data-id="{approval_id}"]')).to_have_count(0)


@pytest.mark.parametrize("width", [1366, 820])
def test_pages_render_on_laptop_and_tablet(new_page, width: int) -> None:
    page = new_page("hygienist@demo.clinic", viewport={"width": width, "height": 1000})
    page.goto("/patients")
    for name in ("Ada Molar", "Ben Canine", "Cleo Incisor"):  # the seeded ones (tests may add more)
        expect(page.locator("#patients-table tbody tr", has_text=name)).to_have_count(1)
    page.locator("#patients-table a", has_text="Ada Molar").first.click()
    expect(page.locator(".odontogram-svg .tooth")).to_have_count(32)
    expect(page.locator(".perio-table")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    assert page.evaluate("(s => s.scrollWidth <= s.clientWidth)(document.getElementById('page-scroll'))")


def test_a_doubtful_slot_is_shown_on_the_confirmation_card(new_page) -> None:
    page = new_page("dentist@demo.clinic")
    page.goto("/patients")
    text = page.evaluate("""async () => {
        const { proposalCard } = await import('/static/js/proposals.js');
        const card = proposalCard({command: 'chart.finding.add', tooth: '36', teeth: ['36'], surfaces: ['O'],
            label: 'caries', confidence: 0.75, missing: [], from_context: [],
            doubt: [{slot: 'tooth', heard: ['36'], alternatives: [['46']]}]});
        document.body.append(card);
        return [card.className, card.querySelector('.tooth-badge').className, card.innerText];
    }""")
    assert "doubtful" in text[0] and "doubted" in text[1]
    assert "Check: tooth 36, or 46?" in text[2]


def dictate_by_api(page, patient: str, text: str) -> tuple[str, list[str]]:
    """Dictate through the API from the signed-in page; the run id and its approval ids, in proposal order."""
    return page.evaluate("""async ([patient, text]) => {
        const { api } = await import('/static/js/api.js');
        const result = await api('/api/v1/dictations', { method: 'POST', body: { patient_id: patient, text } });
        return [result.run_id, (await api(`/api/v1/runs/${result.run_id}`)).approvals.map((a) => a.id)];
    }""", [patient, text])


def shown_id(page) -> str | None:
    return page.evaluate("document.querySelector('.inbox-item[aria-selected=true]')?.dataset.id ?? null")


def test_keys_pressed_fast_are_queued_and_land_on_the_item_shown(new_page, new_patient) -> None:
    """Issue 20, defect 2: A at 150 ms across items (the row leaves before the request returns):
    every press decides the item shown then, none is dropped, and the focus stays with the
    dictation, then the patient, before another patient's items."""
    eve, finn = str(new_patient("Eve", "Fast")), str(new_patient("Finn", "Other"))
    page = new_page("dentist@demo.clinic")
    page.goto("/patients")
    first_run, first = dictate_by_api(page, eve, "forty three mesial caries, forty two mesial caries and forty one mesial caries")
    _, other = dictate_by_api(page, finn, "thirty one mesial caries and thirty two mesial caries")
    later_run, later = dictate_by_api(page, eve, "thirty three distal caries and thirty four distal caries")
    assert (len(first), len(other), len(later)) == (3, 2, 2)

    page.goto("/inbox")
    focus_in_inbox(page, first[0])
    shown = []
    for _ in range(len(first) + len(later)):  # A, A, A, ... at 150 ms: faster than a decision returns
        shown.append(shown_id(page))
        page.keyboard.press("a")
        page.wait_for_timeout(150)
    assert shown == [*first, *later]  # the dictation, then the same patient's next one; never Finn's
    for approval_id in shown:
        expect(page.locator(f'.inbox-item[data-id="{approval_id}"]')).to_have_count(0)
    for approval_id in other:  # the other patient's items were not touched
        expect(page.locator(f'.inbox-item[data-id="{approval_id}"]')).to_have_count(1)
    for run_id in (first_run, later_run):  # both dictations were applied: every request has returned
        expect(page.locator(f'.toast-undo[data-key="{run_id}"]')).to_have_count(1)
    decided = page.evaluate("""async (ids) => {
        const { api } = await import('/static/js/api.js');
        const pending = new Set((await api('/api/v1/approvals')).map((a) => a.id));
        return ids.filter((id) => !pending.has(id));
    }""", [*shown, *other])
    assert decided == shown  # every press was sent, for the item it was pressed on
    expect(page.locator(".inbox-item.focused")).to_have_attribute("data-id", re.compile("|".join(other)))
    page.keyboard.press("a")
    page.wait_for_timeout(150)
    page.keyboard.press("a")
    for approval_id in other:
        expect(page.locator(f'.inbox-item[data-id="{approval_id}"]')).to_have_count(0)


def test_an_overdue_request_stays_in_the_inbox_marked_overdue(new_page, new_patient, engine) -> None:
    """Issue 20, defect 3: with a clinic timeout, a request nobody else may decide (one dentist)
    does not vanish when it times out: it stays in the dentist's inbox, marked overdue, decidable."""
    from datetime import datetime, timedelta, timezone

    from approvals.decisions import TIMEOUT_SETTING, sweep_timeouts
    from core_schema.models import TenantSetting
    from core_schema.seed.demo import DEMO_TENANT_ID

    def clinic_timeout(minutes: int | None) -> None:
        with engine.db.system_session() as s:
            row = s.get(TenantSetting, DEMO_TENANT_ID)
            options = {k: v for k, v in (row.clinical_workflow_options or {}).items() if k != TIMEOUT_SETTING}
            row.clinical_workflow_options = {**options, **({TIMEOUT_SETTING: minutes} if minutes else {})}

    gus = str(new_patient("Gus", "Late"))
    page = new_page("dentist@demo.clinic")
    page.goto("/inbox")
    expect(page.locator("body[data-live=true]")).to_have_count(1)
    clinic_timeout(30)
    try:
        run_id, (approval_id,) = dictate_by_api(page, gus, "seventeen occlusal caries")
    finally:
        clinic_timeout(None)
    item = page.locator(f'.inbox-item[data-id="{approval_id}"]')
    expect(item).to_contain_text("min left")
    assert approval_id in [str(i) for i in sweep_timeouts(engine, now=datetime.now(timezone.utc) + timedelta(hours=2))]
    expect(item.locator(".chip-overdue")).to_have_text("Overdue")  # live, over the event stream
    expect(page.locator(".toast", has_text="A request is overdue")).to_have_count(1)  # and said so
    page.reload()
    expect(item.locator(".chip-overdue")).to_have_text("Overdue")  # still there after a reload
    focus_in_inbox(page, approval_id)
    page.keyboard.press("a")
    expect(item).to_have_count(0)
    expect(page.locator(f'.toast-undo[data-key="{run_id}"]')).to_have_count(1)


COVERED_CONTROLS = """() => {
    const covered = [];
    const view = document.getElementById('page-scroll').getBoundingClientRect();  // what the page shows of itself
    for (const node of document.querySelectorAll('button, a[href], input, textarea, select, [role=option], [tabindex="0"]')) {
        const r = node.getBoundingClientRect();
        if (!r.width || !r.height || node.closest('#toasts')) continue;
        const x = r.left + r.width / 2, y = r.top + r.height / 2;
        const box = node.closest('#page-scroll') ? view : { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
        if (x < box.left || y < box.top || x >= box.right || y >= box.bottom) continue;  // scrolled out of view
        const top = document.elementFromPoint(x, y);
        if (top && top.closest('#toasts')) covered.push(node.id || node.dataset.action || node.textContent.trim().slice(0, 30));
    }
    return covered;
}"""


@pytest.mark.parametrize("width", [1366, 820])
def test_notifications_stack_in_one_place_and_cover_no_control(new_page, new_patient, width: int) -> None:
    """Issue 20, defect 4: after a burst of decisions (8 notices), at most 3 show, the rest fold
    into "5 more", and none of them covers a control of the inbox."""
    hal = str(new_patient("Hal", "Toasts"))
    page = new_page("dentist@demo.clinic", viewport={"width": width, "height": 700})
    page.goto("/patients")
    _, ids = dictate_by_api(page, hal, "eleven mesial caries, twelve mesial caries, thirteen mesial caries, "
                                       "fourteen mesial caries and fifteen mesial caries")
    page.goto("/inbox")
    focus_in_inbox(page, ids[0])
    page.evaluate("""async () => {
        const { toast } = await import('/static/js/toasts.js');
        for (let n = 1; n <= 8; n++) toast(`Notice ${n}`, { timeout: 0, kind: n % 2 ? 'info' : 'error' });
    }""")
    expect(page.locator("#toasts > .toast")).to_have_count(8)
    expect(page.locator("#toasts > .toast:visible")).to_have_count(3)
    expect(page.locator("#toasts > .toast:visible").first).to_have_text(re.compile("Notice 8"))  # newest first
    more = page.locator("#toasts .toasts-more")
    expect(more).to_have_text("5 more")
    assert page.evaluate(COVERED_CONTROLS) == []
    expect(page.locator('#inbox-detail [data-action="approve"]')).to_be_visible()
    more.click()
    expect(page.locator("#toasts > .toast:visible")).to_have_count(8)
    assert page.evaluate(COVERED_CONTROLS) == []  # unfolded, it takes room of its own; the page scrolls above it
    page.keyboard.press("a")
    expect(page.locator(f'.inbox-item[data-id="{ids[0]}"]')).to_have_count(0)
    expect(page.locator("#toasts > .toast", has_text="Nothing reaches the chart until the other 4 changes")).to_have_count(1)
    page.locator("#toasts > .toast .toast-close").first.click()
    assert page.evaluate(COVERED_CONTROLS) == []


def test_runs_are_found_by_patient_user_status_and_date_a_page_at_a_time(new_page, new_patient) -> None:
    """Issue 20, defect 6: the runs list names the patient and who dictated, and filters."""
    jo, kim = str(new_patient("Jo", "Runs")), str(new_patient("Kim", "Runs"))
    page = new_page("dentist@demo.clinic")
    page.goto("/patients")
    jo_first, (first_id,) = dictate_by_api(page, jo, "twenty seven occlusal caries")
    jo_second, _ = dictate_by_api(page, jo, "twenty six occlusal caries")
    kim_run, _ = dictate_by_api(page, kim, "thirty seven occlusal caries")
    page.evaluate("""async (id) => { const { api } = await import('/static/js/api.js');
        await api(`/api/v1/approvals/${id}/reject`, { method: 'POST', body: { comment: 'not today' } }); }""", first_id)

    page.goto("/runs")
    rows = page.locator("#runs-table tbody tr")
    page.select_option("#filter-patient", label="Jo Runs")
    expect(rows).to_have_count(2)
    expect(page.locator(f'tr[data-run-id="{jo_second}"]')).to_contain_text("Jo Runs")
    expect(page.locator(f'tr[data-run-id="{jo_second}"]')).to_contain_text("Dr. Dana Demo")
    expect(page).to_have_url(re.compile(f"patient_id={jo}"))  # a filtered list can be linked
    page.select_option("#filter-status", "WAITING_APPROVAL")
    expect(rows).to_have_count(1)
    expect(page.locator(f'tr[data-run-id="{jo_second}"]')).to_have_count(1)
    page.select_option("#filter-user", "me")
    expect(page.locator(f'tr[data-run-id="{jo_second}"]')).to_have_count(1)
    page.fill("#filter-until", "2020-01-01")
    page.locator("#filter-until").dispatch_event("change")
    expect(rows).to_have_text(["No runs match."])
    page.click("#filter-reset")
    expect(page.locator(f'tr[data-run-id="{kim_run}"]')).to_have_count(1)

    page.goto(f"/runs?patient_id={jo}")  # the link opens the same list
    expect(rows).to_have_count(2)
    paged = page.evaluate("""async (jo) => { const { api } = await import('/static/js/api.js');
        const all = await api(`/api/v1/runs?patient_id=${jo}`);
        const one = await api(`/api/v1/runs?patient_id=${jo}&limit=1&offset=1`);
        return [all.map((r) => r.id), one.map((r) => r.id)]; }""", jo)
    assert paged[0] == [jo_second, jo_first] and paged[1] == [jo_first]
    bad = httpx.get(f"{page.url.split('/runs')[0]}/api/v1/runs?status=LOST", cookies={c["name"]: c["value"] for c in page.context.cookies()})
    assert bad.status_code == 422


def test_refusals_read_as_plain_language_without_ids_or_command_line_advice(new_page) -> None:
    """Issue 20, defect 5 (part): the API's refusals serve the CLI too; the inbox tells a person
    what happened without ids or `--set` advice."""
    page = new_page("dentist@demo.clinic")
    page.goto("/inbox")
    said = page.evaluate("""async () => {
        const { plain } = await import('/static/js/api.js');
        return [
            'approval 2b8f0c1e-6a7d-4c1b-9a55-0d1f2e3a4b5c cannot be approved until tooth is set: correct it with edit --set',
            'the edited action still has no tooth: set it with --set',
            'dentist@demo.clinic may not decide tier-3 changes (approvals.decide.tier3 needed)',
            'approve recorded, but run b7ad1c2e-6a7d-4c1b-9a55-0d1f2e3a4b5c FAILED: change 2b8f0c1e-6a7d-4c1b-9a55-0d1f2e3a4b5c (Chart: tooth 36) FAILED: tooth 36 is charted missing',
        ].map(plain);
    }""")
    assert said[0] == "cannot be approved until tooth is set: correct it with Edit (E) first"
    assert said[1] == "the edited action still has no tooth: correct it with Edit (E) first"
    assert said[2] == "dentist@demo.clinic may not decide tier-3 changes"
    assert "tooth 36 is charted missing" in said[3]
    for text in said:
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}|--set|approvals\.decide", text), text


def test_a_whole_dictation_is_approved_with_one_labelled_control(new_page, new_patient) -> None:
    """Issue 20, grouping: "Approve all N of this dictation" (Shift+A) decides the shown item's
    dictation and nothing else."""
    lea, max_ = str(new_patient("Lea", "Group")), str(new_patient("Max", "Group"))
    page = new_page("dentist@demo.clinic")
    page.goto("/patients")
    run_id, ids = dictate_by_api(page, lea, "thirty six distal caries, thirty seven mesial caries and thirty eight mesial caries")
    _, (other,) = dictate_by_api(page, max_, "sixteen distal caries")
    page.goto("/inbox")
    focus_in_inbox(page, ids[1])
    expect(page.locator('#inbox-detail [data-action="approve-dictation"]')).to_contain_text("Approve all 3 of this dictation")
    page.keyboard.press("Shift+A")
    for approval_id in ids:
        expect(page.locator(f'.inbox-item[data-id="{approval_id}"]')).to_have_count(0)
    expect(page.locator(f'.toast-undo[data-key="{run_id}"]')).to_contain_text("3 changes applied")
    expect(page.locator(f'.inbox-item[data-id="{other}"]')).to_have_count(1)
    focus_in_inbox(page, other)
    expect(page.locator('#inbox-detail [data-action="approve-dictation"]')).to_have_count(0)  # a dictation of one
    page.keyboard.press("r")
    page.fill("#reject-reason", "test over")
    page.keyboard.press("Enter")
    expect(page.locator(f'.inbox-item[data-id="{other}"]')).to_have_count(0)


def test_the_requests_of_one_dictation_are_one_labelled_group(new_page, new_patient) -> None:
    """Issue 20, item 2: items grouped by dictation (a listbox group with its heading); a lone
    request stays a plain option; J walks the group in order."""
    gina = str(new_patient("Gina", "Group"))
    page = new_page("dentist@demo.clinic")
    page.goto("/patients")
    run_id, three = dictate_by_api(page, gina, "fourteen mesial caries, fifteen distal caries and seventeen occlusal caries")
    _, (lone,) = dictate_by_api(page, gina, "twenty four mesial caries")
    page.goto("/inbox")
    group = page.locator(f'.inbox-group[data-run-id="{run_id}"]')
    expect(group).to_have_attribute("role", "group")
    expect(group.locator(".inbox-group-head")).to_have_text("Dictation · Gina Group · 3 changes")
    assert group.locator(".inbox-item[role=option]").evaluate_all("rows => rows.map((r) => r.dataset.id)") == three
    expect(page.locator(f'.inbox-item[data-id="{lone}"]')).to_have_count(1)
    expect(page.locator(f'.inbox-group .inbox-item[data-id="{lone}"]')).to_have_count(0)
    focus_in_inbox(page, three[0])
    page.keyboard.press("j")
    assert shown_id(page) == three[1]
