// One run's trace (GET /api/v1/runs/{id}): who asked for it and for whom, what was said, the
// changes it applied with Undo while their window is open (GET /api/v1/runs/{id}/changes), who
// undid what, the approvals with who decided and what a reviewer corrected (proposed vs
// approved, field by field), steps with durations and tool calls.

import { actionTitle, api, el, formatDuration, formatTime, humanize, page, plain, shortId, statusClass } from "./api.js";
import { refusalText, renderChanges } from "./history.js";
import { forgetUndo, toast } from "./toasts.js";

const runId = page.run_id;

function stepsView(run) {
  const max = Math.max(1, ...run.steps.map((s) => s.duration_ms || 0));
  const toolsByStep = {};
  for (const t of run.tool_executions) (toolsByStep[t.step_id] ||= []).push(t);
  return run.steps.map((s) => el("li", { class: `step step-${String(s.status || "").toLowerCase()}`, dataset: { node: s.node || "" } },
    el("span", { class: "step-dot" }),
    el("div", { class: "step-body" },
      el("div", { class: "step-head" },
        el("strong", {}, humanize(s.node)),
        el("span", { class: "chip chip-quiet" }, humanize(String(s.type || "").toLowerCase())),
        s.tool ? el("span", { class: "chip chip-code" }, s.tool) : null,
        s.edge ? el("span", { class: "muted small" }, `→ ${humanize(s.edge)}`) : null,
        el("span", { class: "step-time" }, formatDuration(s.duration_ms))),
      el("div", { class: "step-bar" }, el("i", { style: `width:${Math.max(2, ((s.duration_ms || 0) / max) * 100)}%` })))));
}

// Where a proposed change came from: the sources a disagreement rests on, the prediction a finding charts.
function sourcesOf(args) {
  const a = args || {};
  const rows = (a.sources || []).map((s) => el("li", { dataset: { type: s.type || "" } },
    el("span", { class: "chip chip-quiet" }, s.type || "source"), " ", s.text || s.id || ""));
  if (a.prediction_id && !rows.length) rows.push(el("li", { dataset: { type: "radiograph" } }, el("span", { class: "chip chip-quiet" }, "radiograph"), ` prediction ${shortId(a.prediction_id)}`));
  return rows.length ? el("ul", { class: "sources small" }, ...rows) : null;
}

function approvalsView(run) {
  if (!run.approvals.length) return [el("li", { class: "muted" }, "This run needed no approval.")];
  return run.approvals.map((a) => el("li", { class: "approval-line", dataset: { approvalId: a.id, status: a.status } },
    el("div", {}, actionTitle(a.tool, a.arguments, a.requested_action || shortId(a.id))),
    el("div", { class: "approval-meta" },
      a.risk_tier ? el("span", { class: `chip tier tier-${a.risk_tier}` }, `Tier ${a.risk_tier}`) : null,
      el("span", { class: statusClass(a.status) }, humanize(a.status.toLowerCase())),
      a.decided_by ? el("span", { class: "muted small decided-by" }, `by ${a.decided_by}${a.decided_at ? `, ${formatTime(a.decided_at)}` : ""}`) : null),
    a.requested_at ? el("p", { class: "muted small requested-at" }, `Requested ${formatTime(a.requested_at)}`) : null,
    a.comment ? el("p", { class: "muted small" }, `“${a.comment}”`) : null,
    questionsOf(a.messages),
    ...(a.edits || []).map((e) => editView(e, a.comment)),
    sourcesOf(a.arguments)));
}

// What a reviewer asked the dictating clinician about a request (the inbox's respond), and the answers.
function questionsOf(messages) {
  if (!messages?.length) return null;
  return el("ol", { class: "thread-list run-thread small", "aria-label": "Questions and answers" }, ...messages.map((m) =>
    el("li", { class: `thread-msg thread-${String(m.kind).toLowerCase()}` },
      el("span", { class: "muted" }, `${m.kind === "ANSWER" ? "Answered" : "Asked"} by ${m.author || "someone"}, ${formatTime(m.at)}: `), m.text)));
}


// A field of the arguments as a person names it: "Tooth 17 · depths mm · MB".
function fieldName(path) {
  return path.map((p, i) => (i === 0 ? humanize(p) : String(p).replace(/_/g, " "))).join(" · ");
}

function valueText(value) {
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return "none";
  if (Array.isArray(value)) return value.map(valueText).join(", ");
  if (typeof value === "object") return Object.entries(value).map(([k, v]) => `${k.replace(/_/g, " ")} ${valueText(v)}`).join(", ");
  if (typeof value === "boolean") return value ? "yes" : "no";
  return String(value).replace(/_/g, " ");
}

// A reviewer's correction before approving: what the agent proposed and what was approved.
function editView(edit, comment) {
  return el("div", { class: "edit-diff" },
    el("p", { class: "small" }, el("strong", {}, "Edited before approval"), ` by ${edit.by || "a reviewer"}, ${formatTime(edit.at)}`,
      edit.reason && edit.reason !== comment ? ` (“${edit.reason}”)` : ""),
    el("table", { class: "table compact diff-table" },
      el("caption", { class: "sr-only" }, "What the reviewer changed: the proposed and the approved value of each field"),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Field"), el("th", { scope: "col" }, "Proposed"), el("th", { scope: "col" }, "Approved"))),
      el("tbody", {}, ...edit.fields.map((f) => el("tr", { dataset: { field: f.field.join(".") } },
        el("th", { scope: "row" }, fieldName(f.field)),
        el("td", { class: "diff-before" }, el("del", {}, valueText(f.before))),
        el("td", { class: "diff-after" }, el("ins", {}, valueText(f.after))))))));
}

function transcriptView(run) {
  const said = run.transcript || [];
  if (!said.length) return [el("li", { class: "muted" }, "Nothing was said in this run (typed, or started by an agent).")];
  return said.map((u) => el("li", { dataset: { utteranceId: u.id } },
    el("blockquote", { class: "heard-transcript" }, u.text),
    el("span", { class: "muted small" }, formatTime(u.at))));
}

async function loadChanges() {
  const list = document.getElementById("changes");
  const undoAll = document.getElementById("undo-run");
  let changes;
  try {
    changes = await api(`/api/v1/runs/${runId}/changes`);
  } catch (err) {
    list.replaceChildren(el("li", { class: "form-error" }, plain(err.message)));
    return;
  }
  renderChanges(list, changes, { empty: "This run applied no change.", onUndone: refresh });
  const open = changes.filter((c) => c.undo_state === "open");
  undoAll.hidden = !open.length;
  undoAll.textContent = open.length > 1 ? `Undo all ${open.length} changes of this run` : "Undo this run";
}

document.getElementById("undo-run").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    const result = await api(`/api/v1/runs/${runId}/undo`, { method: "POST", body: { reason: "undone from the run trace" } });
    forgetUndo(runId);
    toast(result.refused.length ? `${result.undone.length} undone; ${result.refused.length} could not be: ${refusalText(result.refused[0])}`
      : "Undone. The chart is back as it was.", { kind: result.refused.length ? "error" : "info" });
    window.dispatchEvent(new CustomEvent("dentalagent:chart-changed", { detail: {} }));
  } catch (err) {
    toast(refusalText(err), { kind: "error", timeout: 10000 });
  } finally {
    button.disabled = false;
    refresh();
  }
});

function toolsView(run) {
  if (!run.tool_executions.length) return [el("tr", {}, el("td", { colspan: 4, class: "muted" }, "No tool calls."))];
  return run.tool_executions.map((t) => el("tr", {},
    el("td", { class: "mono" }, t.tool || shortId(t.id), t.error ? el("div", { class: "form-error small" }, t.error) : null),
    el("td", {}, el("span", { class: statusClass(t.status) }, humanize(String(t.status || "").toLowerCase()))),
    el("td", { class: "num" }, formatDuration(t.duration_ms)),
    el("td", { class: "num" }, t.retry_count ?? 0)));
}

function whoView(run) {
  return [
    run.requested_by ? ["Requested by ", el("strong", {}, run.requested_by)] : "Started by an agent",
    run.patient_id ? [" for ", el("a", { href: `/patients/${run.patient_id}` }, run.patient_name || "the patient")] : null,
  ];
}

function refresh() {
  return Promise.all([loadRun(), loadChanges()]);
}

const loadRun = () => api(`/api/v1/runs/${runId}`).then((run) => {
  document.getElementById("run-short").textContent = shortId(run.id);
  const status = document.getElementById("run-status");
  status.className = statusClass(run.undone ? "CANCELLED" : run.status);
  status.textContent = run.undone ? "Undone" : humanize(run.status.toLowerCase());
  status.title = run.undone ? `${humanize(run.status.toLowerCase())}, then every change it applied was undone` : "";
  const total = run.completed_at ? formatDuration(new Date(run.completed_at) - new Date(run.started_at)) : "still open";
  document.getElementById("run-meta").textContent =
    `Started ${formatTime(run.started_at)} · ${total}${run.current_node ? ` · last step ${humanize(run.current_node)}` : ""}${run.trace_id ? ` · trace ${run.trace_id.slice(0, 12)}` : ""}`;
  if (run.error) {
    const box = document.getElementById("run-error");
    box.textContent = typeof run.error === "string" ? run.error : JSON.stringify(run.error);
    box.hidden = false;
  }
  document.getElementById("run-who").replaceChildren(...whoView(run).flat().filter(Boolean));
  document.getElementById("transcript").replaceChildren(...transcriptView(run));
  document.getElementById("steps").replaceChildren(...stepsView(run));
  document.getElementById("approvals").replaceChildren(...approvalsView(run));
  document.querySelector("#tools tbody").replaceChildren(...toolsView(run));
}).catch((err) => {
  const box = document.getElementById("run-error");
  box.textContent = err.message;
  box.hidden = false;
});

refresh();
