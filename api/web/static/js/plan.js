// The plan page: reconcile a patient's sources, draft a phased plan (a conversation of agents),
// decide each item through the approvals routes; the conversation is shown beside the plan.

import { api, canDecideTier, el, humanize, page, statusClass } from "./api.js";

const patientId = page.patient_id;
let runId = page.run_id || null;

function showError(err) {
  const box = document.getElementById("plan-error");
  box.textContent = err ? err.message : "";
  box.hidden = !err;
}

function sourcesView(sources) {
  return el("ul", { class: "sources small" }, ...(sources || []).map((s) =>
    el("li", { dataset: { type: s.type || "" } }, el("span", { class: "chip chip-quiet" }, s.type || "source"), " ", s.text || s.id || "")));
}

function decideButtons(approvalId, approvalStatus, reload) {
  if (!approvalId || approvalStatus !== "PENDING" || !canDecideTier(3)) return null;
  const decide = (verdict) => async () => {
    showError(null);
    try {
      await api(`/api/v1/approvals/${approvalId}/${verdict}`, { method: "POST", body: verdict === "reject" ? { comment: "rejected on the plan page" } : {} });
      await reload();
    } catch (err) {
      showError(err);
    }
  };
  return el("span", { class: "decide" },
    el("button", { type: "button", class: "btn btn-small approve", onclick: decide("approve") }, "Approve"),
    el("button", { type: "button", class: "btn btn-small reject", onclick: decide("reject") }, "Reject"));
}

// What the reviewer decided, and whether it was written (the call runs once every request of the run is decided).
function decisionChip(approvalStatus, callStatus) {
  const written = { SUCCEEDED: "written", CANCELLED: "not written", FAILED: "failed" }[callStatus];
  const text = written ? `${humanize((approvalStatus || "").toLowerCase())} · ${written}` : humanize((approvalStatus || callStatus || "").toLowerCase());
  return el("span", { class: statusClass(approvalStatus || callStatus), dataset: { decision: approvalStatus || "" } }, text);
}

function findingsView(out, reload) {
  if (!out.findings.length) return [el("li", { class: "muted" }, "The sources agree.")];
  return out.findings.map((f) => el("li", { class: "finding", dataset: { kind: f.kind, approvalId: f.approval_id || "" } },
    el("div", {}, el("strong", {}, f.finding), " ", decisionChip(f.approval_status, f.status)),
    el("div", { class: "muted small" }, `Resolution: ${humanize(f.resolution)}`),
    sourcesView(f.sources), decideButtons(f.approval_id, f.approval_status, reload)));
}

function itemsView(out, reload) {
  if (!out.items.length) return [el("p", { class: "muted" }, "Nothing to add to the plan.")];
  const phases = {};
  for (const item of out.items) (phases[item.phase] ||= []).push(item);
  return Object.keys(phases).sort().map((phase) => el("div", { class: "phase", dataset: { phase } },
    el("h3", {}, `Phase ${phase} · ${phases[phase][0].phase_name || ""}`),
    el("ul", { class: "plain-list" }, ...phases[phase].map((i) => el("li", { class: "plan-item", dataset: { code: i.code || "", approvalId: i.approval_id || "" } },
      el("div", {},
        el("span", { class: "chip chip-code" }, i.code || i.label), " ",
        el("strong", {}, humanize(i.label)), i.tooth ? ` · tooth ${i.tooth}` : "", i.surfaces.length ? ` ${i.surfaces.join("")}` : "",
        i.fee ? el("span", { class: "fee" }, ` · ${i.fee}`) : "", " ",
        decisionChip(i.approval_status, i.status)),
      el("div", { class: "muted small" }, `${humanize(i.proposed_by || "")}: ${i.rationale || ""}`,
        i.alternatives.length ? ` · alternatives: ${i.alternatives.map(humanize).join(", ")}` : ""),
      decideButtons(i.approval_id, i.approval_status, reload))))));
}

function conversationView(out) {
  if (!out.messages.length) return [el("li", { class: "muted" }, "No messages.")];
  return out.messages.map((m) => el("li", { class: `message message-${m.message_type.toLowerCase()}`, dataset: { agent: m.agent } },
    el("div", { class: "small" }, el("strong", {}, humanize(m.agent)), m.to ? ` → ${humanize(m.to)}` : " → all",
      " ", el("span", { class: "chip chip-quiet" }, humanize(m.message_type.toLowerCase()))),
    m.content ? el("p", {}, m.content) : null,
    m.function_call ? el("code", { class: "small mono" }, JSON.stringify(m.function_call.arguments || m.function_call.result || {})) : null));
}

async function showDraft(out) {
  runId = out.run_id;
  const status = document.getElementById("plan-status");
  status.className = statusClass(out.status);
  status.textContent = humanize(out.status.toLowerCase());
  const reload = async () => showDraft(await api(`/api/v1/plan-drafts/${runId}`));
  document.getElementById("items").replaceChildren(...itemsView(out, reload));
  document.getElementById("conversation").replaceChildren(...conversationView(out));
}

let reconciliation = null;
async function showFindings(out) {
  reconciliation = out.run_id;
  const reload = async () => showFindings(await api(`/api/v1/reconciliations/${reconciliation}`));
  const list = document.getElementById("findings");
  list.dataset.runId = out.run_id;
  list.replaceChildren(...findingsView(out, reload));
}

function busy(button, work) {
  return async () => {
    button.disabled = true;
    showError(null);
    try {
      await work();
    } catch (err) {
      showError(err);
    } finally {
      button.disabled = false;
    }
  };
}

const draftButton = document.getElementById("draft");
draftButton.addEventListener("click", busy(draftButton, async () =>
  showDraft(await api(`/api/v1/patients/${patientId}/plan-drafts`, { method: "POST", body: {} }))));
const reconcileButton = document.getElementById("reconcile");
reconcileButton.addEventListener("click", busy(reconcileButton, async () =>
  showFindings(await api(`/api/v1/patients/${patientId}/reconcile`, { method: "POST", body: {} }))));
if (runId) api(`/api/v1/plan-drafts/${runId}`).then(showDraft).catch(showError);
