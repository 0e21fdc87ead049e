"""The README's screenshots (docs/chart.png, docs/inbox.png, docs/inbox-decision.png,
docs/trace.png, docs/inbox-ghost.png) from a running demo clinic.

Start the server first (``make run``), then: ``.venv/bin/python docs/screenshots.py``.
It dictates a short, realistic history for the demo patients through the API as the demo
dentist (so it changes that clinic's data: use a fresh demo database), approves the history,
leaves a few requests pending, and photographs the chart, the review inbox (before and after
one decision: the focus stays with the dictation, the notice says what is still to decide), a
run's trace (what was said, a reviewer's edit proposed vs approved, its change with Undo) and a
proposal drawn as a ghost over the chart in the inbox, with Debian's Chromium
(``/usr/bin/chromium``) at 1366x900.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from demo_session import api_client, browser_page, parse_args

from core_schema.seed.demo import DEMO_PATIENT_IDS

ADA, BEN, CLEO = (str(p) for p in DEMO_PATIENT_IDS)
DOCS = Path(__file__).resolve().parent

HISTORY = {  # approved: what the chart already holds
    ADA: ["sixteen mesial occlusal existing restoration", "restoration on fourteen distal", "crown on twenty six",
          "forty seven extracted", "sealant on thirty seven occlusal", "thirty six occlusal caries",
          "twenty four distal caries", "plan crown on forty six", "root canal treatment on thirty six",
          "pocket depths sixteen buccal three four five bleeding on mesiobuccal", "next tooth",
          "buccal two three three bleeding distobuccal", "lingual three three four",
          "pocket depths seventeen buccal four five six bleeding on distobuccal",
          "pocket depths thirty six lingual five four three bleeding on lingual",
          "pocket depths forty six buccal three two three"],
}
PENDING = {  # left for the reviewer
    BEN: ["forty six occlusal caries", "plan crown on forty six", "thirty five distal caries and thirty four mesial caries"],
    CLEO: ["fracture on eleven incisal", "pocket depths thirty one buccal two three two bleeding on buccal"],
}
EDITED = ("twenty five occlusal caries", ["O", "D"], "distal too")  # corrected before approval: the trace's edit
GHOST = "fifteen distal caries"  # left pending on the charted patient: the inbox's ghost preview
ON_PAGE = ["pocket depths twenty five buccal three two three", "next tooth", "buccal four five four bleeding on buccal"]


def dictate_all(http: httpx.Client, patient: str, texts: list[str]) -> list[str]:
    """Dictate in one session (so context carries over); returns the approval ids opened."""
    session, approvals = None, []
    for text in texts:
        body = {"patient_id": patient, "text": text, **({"session_id": session} if session else {})}
        result = http.post("/api/v1/dictations", json=body).raise_for_status().json()
        session = result["session_id"]
        approvals += result["approval_ids"]
    return approvals


def main() -> None:
    args = parse_args(__doc__)
    with api_client(args.url) as http:
        history = [a for patient, texts in HISTORY.items() for a in dictate_all(http, patient, texts)]
        if history:
            http.post("/api/v1/approvals/decide", json={"ids": history, "verdict": "approve"}).raise_for_status()
        for patient, texts in PENDING.items():
            dictate_all(http, patient, texts)
        said, surfaces, why = EDITED
        edited = http.post("/api/v1/dictations", json={"patient_id": ADA, "text": said}).raise_for_status().json()
        request = next(a for a in http.get("/api/v1/approvals").raise_for_status().json() if a["id"] == edited["approval_ids"][0])
        changes = [{**c, "surfaces": surfaces} for c in request["arguments"]["changes"]]
        http.post(f"/api/v1/approvals/{request['id']}/edit", json={"set": {"changes": changes}, "comment": why}).raise_for_status()

    with browser_page(args.url, args.chromium) as page:
        page.goto(f"/patients/{ADA}")
        page.wait_for_selector(".odontogram-svg")
        for text in ON_PAGE:  # a perio round on the page: the last tooth comes from context
            page.fill("#dictation-text", text)
            page.click("#dictation-send")
            page.wait_for_selector(f'.result q:text-is("{text}")')
        page.wait_for_timeout(500)
        page.screenshot(path=str(DOCS / "chart.png"))

        page.goto("/inbox")
        page.wait_for_selector("body[data-live=true] .inbox-item")
        for key in "xjxj":  # two requests picked for a batch, the focus on the third
            page.keyboard.press(key)
        page.wait_for_timeout(400)
        page.screenshot(path=str(DOCS / "inbox.png"))
        runs = page.locator(".inbox-item").evaluate_all("rows => rows.map(r => r.dataset.runId)")
        run_id = next(r for r in runs if runs.count(r) > 1)  # a dictation of two changes
        page.click("#batch-clear")  # this picture is of one decision, not the batch
        while page.locator(".inbox-item.focused").get_attribute("data-run-id") != run_id:
            page.keyboard.press("j")
        page.keyboard.press("a")  # one change of a two-change dictation: nothing is charted yet
        page.wait_for_selector("#toasts .toast-pending")
        page.wait_for_timeout(400)
        page.screenshot(path=str(DOCS / "inbox-decision.png"))

        page.goto(f"/runs/{edited['run_id']}")
        page.wait_for_selector(".edit-diff")
        page.wait_for_selector("#changes .undo-change")
        page.wait_for_timeout(400)
        page.screenshot(path=str(DOCS / "trace.png"))

        with api_client(args.url) as http:
            ghost = dictate_all(http, ADA, [GHOST])[0]
        page.goto("/inbox")
        page.wait_for_selector(f'body[data-live=true] .inbox-item[data-id="{ghost}"]')
        page.click(f'.inbox-item[data-id="{ghost}"]')
        page.wait_for_selector("#inbox-detail .ghost-preview .has-ghost")
        page.wait_for_timeout(400)
        page.screenshot(path=str(DOCS / "inbox-ghost.png"))
    print(f"wrote chart.png, inbox.png, inbox-decision.png, trace.png and inbox-ghost.png in {DOCS}")


if __name__ == "__main__":
    main()
