// One run's trace (GET /api/v1/runs/{id}): status, steps with durations, tool calls, approvals
// and who decided them.

import { actionTitle, api, el, formatDuration, formatTime, humanize, page, shortId, statusClass } from "./api.js";

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
    a.comment ? el("p", { class: "muted small" }, `“${a.comment}”`) : null,
    questionsOf(a.messages),
    sourcesOf(a.arguments)));
}

// What a reviewer asked the dictating clinician about a request (the inbox's respond), and the answers.
function questionsOf(messages) {
  if (!messages?.length) return null;
  return el("ol", { class: "thread-list run-thread small", "aria-label": "Questions and answers" }, ...messages.map((m) =>
    el("li", { class: `thread-msg thread-${String(m.kind).toLowerCase()}` },
      el("span", { class: "muted" }, `${m.kind === "ANSWER" ? "Answered" : "Asked"} by ${m.author || "someone"}, ${formatTime(m.at)}: `), m.text)));
}

function toolsView(run) {
  if (!run.tool_executions.length) return [el("tr", {}, el("td", { colspan: 4, class: "muted" }, "No tool calls."))];
  return run.tool_executions.map((t) => el("tr", {},
    el("td", { class: "mono" }, t.tool || shortId(t.id), t.error ? el("div", { class: "form-error small" }, t.error) : null),
    el("td", {}, el("span", { class: statusClass(t.status) }, humanize(String(t.status || "").toLowerCase()))),
    el("td", { class: "num" }, formatDuration(t.duration_ms)),
    el("td", { class: "num" }, t.retry_count ?? 0)));
}

api(`/api/v1/runs/${runId}`).then((run) => {
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
  document.getElementById("steps").replaceChildren(...stepsView(run));
  document.getElementById("approvals").replaceChildren(...approvalsView(run));
  document.querySelector("#tools tbody").replaceChildren(...toolsView(run));
}).catch((err) => {
  const box = document.getElementById("run-error");
  box.textContent = err.message;
  box.hidden = false;
});
