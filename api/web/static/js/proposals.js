// A dictation's result as confirmation cards: tooth, surfaces, label, code, confidence, and
// any slot the workflow filled from the session's context (highlighted), then the review
// requests the run opened, clarify questions and problems.

import { actionTitle, api, canDecideTier, el, humanize, plain, siteList } from "./api.js";
import { surfaceName } from "./odontogram.js";
import { offerUndoForRun, toast } from "./toasts.js";

const COMMANDS = {
  "chart.finding.add": "Chart finding",
  "plan.item.add": "Plan treatment",
  "plan.item.move": "Reorder plan",
  "perio.record": "Perio probing",
  "perio.next_tooth": "Next tooth",
  "diagnosis.add": "Diagnosis",
  "note.create": "Clinical note",
  "procedure.record": "Procedure",
};

const TIER_NEEDS = { 2: "a hygienist or dentist", 3: "a dentist" };

function ctxTag(on) {
  return on ? el("span", { class: "ctx-tag", title: "Filled in from what was said earlier in this session" }, "from context") : null;
}

function valuesBlock(values) {
  if (!values || !Object.keys(values).length) return null;
  const parts = [];
  if (values.depths_mm) parts.push(`Depths ${siteList(values.depths_mm)} mm`);
  if (values.bleeding_sites && values.bleeding_sites.length) parts.push(`Bleeding ${values.bleeding_sites.join(", ")}`);
  if (values.recession_mm) parts.push(typeof values.recession_mm === "object" ? `Recession ${siteList(values.recession_mm)} mm` : `Recession ${values.recession_mm} mm`);
  if (values.grade !== undefined) parts.push(`Grade ${values.grade}`);
  if (values.next_tooth) parts.push(`Next tooth ${values.next_tooth}`);
  if (values.text) parts.push(`“${values.text}”`);
  for (const [k, v] of Object.entries(values)) {
    if (!["depths_mm", "bleeding_sites", "recession_mm", "grade", "next_tooth", "text"].includes(k)) parts.push(`${humanize(k)} ${typeof v === "object" ? JSON.stringify(v) : v}`);
  }
  return parts.length ? el("p", { class: "proposal-values" }, parts.join(" · ")) : null;
}

const SLOT_NAMES = { tooth: "tooth", surfaces: "surfaces", label: "finding", values: "values", command: "command" };

function shown(v) {
  return Array.isArray(v) ? v.join(", ") : (v === null || v === undefined ? "nothing" : String(v));
}

// Slots speech recognition was unsure of: what was proposed and what close hearings said instead.
function doubtBlock(doubt) {
  if (!doubt || !doubt.length) return null;
  return el("p", { class: "proposal-doubt", role: "note" },
    el("strong", {}, "Check: "),
    doubt.map((d) => {
      const alts = (d.alternatives || []).map(shown);
      const prob = typeof d.word_probability === "number" ? ` (heard with ${Math.round(d.word_probability * 100)}% certainty)` : "";
      return `${SLOT_NAMES[d.slot] || d.slot} ${shown(d.heard)}${alts.length ? `, or ${alts.join(" / ")}?` : prob}`;
    }).join("; "));
}

export function proposalCard(p) {
  const fromCtx = new Set(p.from_context || []);
  const teeth = p.teeth && p.teeth.length ? p.teeth : (p.tooth ? [p.tooth] : (p.values?.next_tooth ? [p.values.next_tooth] : []));
  const confidence = typeof p.confidence === "number" ? Math.round(p.confidence * 100) : null;
  const level = confidence === null ? "" : confidence >= 85 ? "high" : confidence >= 65 ? "mid" : "low";
  const missing = p.missing || [];
  const doubted = new Set((p.doubt || []).map((d) => d.slot));
  return el("article", { class: `proposal${missing.length ? " incomplete" : ""}${doubted.size ? " doubtful" : ""}`, dataset: { command: p.command || "", tooth: teeth.join(",") } },
    el("div", { class: "proposal-head" },
      el("div", { class: `tooth-badge${fromCtx.has("tooth") ? " from-context" : ""}${doubted.has("tooth") ? " doubted" : ""}`, dataset: { slot: "tooth" } },
        el("span", { class: "tooth-badge-label" }, "Tooth"),
        el("span", { class: "tooth-badge-num" }, teeth.length ? teeth.join(", ") : "?")),
      el("div", { class: "proposal-main" },
        el("div", { class: "proposal-title" },
          el("span", { class: "proposal-label" }, humanize(p.label || COMMANDS[p.command] || p.command)),
          el("span", { class: "chip chip-quiet" }, COMMANDS[p.command] || humanize(p.command))),
        el("div", { class: "proposal-slots" },
          (p.surfaces || []).length ? el("span", { class: `slot${fromCtx.has("surfaces") ? " from-context" : ""}`, dataset: { slot: "surfaces" } },
            ...(p.surfaces || []).map((s) => el("span", { class: "surface-chip", title: surfaceName(s, teeth[0]) }, s)),
            el("span", { class: "slot-text" }, (p.surfaces || []).map((s) => surfaceName(s, teeth[0])).join(", "))) : null,
          p.code ? el("span", { class: `chip chip-code${fromCtx.has("code") ? " from-context" : ""}`, dataset: { slot: "code" } }, p.code) : null,
          fromCtx.size ? ctxTag(true) : null)),
      confidence !== null ? el("div", { class: `confidence conf-${level}`, title: "How sure the interpreter is" },
        el("span", { class: "confidence-num" }, `${confidence}%`),
        el("span", { class: "confidence-bar" }, el("i", { style: `width:${confidence}%` }))) : null),
    valuesBlock(p.values),
    doubtBlock(p.doubt),
    missing.length ? el("p", { class: "proposal-missing" }, `Not said: ${missing.map(humanize).join(", ")}. Say it again with the missing part.`) : null,
  );
}

function reviewRow(approval, runId, patientId, onChange) {
  const tier = approval.risk_tier;
  const pending = approval.status === "PENDING";
  const mayDecide = pending && canDecideTier(tier);
  const row = el("li", { class: "review-row", dataset: { approvalId: approval.id, status: approval.status } },
    el("div", { class: "review-text" },
      el("span", {}, actionTitle(approval.tool, approval.arguments, approval.requested_action || "Change")),
      el("span", { class: "review-meta" },
        tier ? el("span", { class: `chip tier tier-${tier}` }, `Tier ${tier}`) : null,
        el("span", { class: `status status-${approval.status.toLowerCase()}` }, humanize(approval.status.toLowerCase())))));
  if (mayDecide) {
    const approve = el("button", { class: "btn btn-small btn-primary", type: "button", dataset: { action: "approve" } }, "Approve");
    const reject = el("button", { class: "btn btn-small btn-danger-quiet", type: "button", dataset: { action: "reject" } }, "Reject");
    const decide = async (verdict) => {
      approve.disabled = reject.disabled = true;
      try {
        const body = verdict === "reject" ? { comment: "rejected from the dictation panel" } : {};
        const decision = await api(`/api/v1/approvals/${approval.id}/${verdict}`, { method: "POST", body });
        if (decision.run_status !== "WAITING_APPROVAL") await offerUndoForRun(runId, { patientId });
        window.dispatchEvent(new Event("dentalagent:inbox-changed"));
        onChange();
      } catch (err) {
        toast(plain(err.message), { kind: "error", timeout: 10000 });
        approve.disabled = reject.disabled = false;
      }
    };
    approve.addEventListener("click", () => decide("approve"));
    reject.addEventListener("click", () => decide("reject"));
    row.append(el("div", { class: "review-actions" }, approve, reject));
  } else if (pending) {
    row.append(el("p", { class: "review-note" }, `Waiting for ${TIER_NEEDS[tier] || "a reviewer"} to approve.`));
  } else if (approval.decided_by) {
    row.append(el("p", { class: "review-note" }, `${humanize(approval.status.toLowerCase())} by ${approval.decided_by}`));
  }
  return row;
}

async function reviewList(result, patientId) {
  const list = el("ul", { class: "review-list" });
  const refresh = async () => {
    try {
      const run = await api(`/api/v1/runs/${result.run_id}`);
      list.replaceChildren(...run.approvals.map((a) => reviewRow(a, result.run_id, patientId, refresh)));
    } catch (err) {
      list.replaceChildren(el("li", { class: "form-error" }, err.message));
    }
  };
  await refresh();
  return list;
}

export async function renderResult(container, result, patientId) {
  const cards = (result.proposals || []).map(proposalCard);
  const clarify = result.clarify;
  const parts = [
    el("div", { class: "result-head" },
      el("p", { class: "transcript" }, el("span", { class: "muted small" }, "Heard"), el("q", {}, result.transcript || "")),
      el("a", { class: "small", href: `/runs/${result.run_id}`, dataset: { runLink: result.run_id } }, "Run trace →")),
  ];
  if (clarify) {
    const question = typeof clarify === "string" ? clarify : clarify.question;
    const options = (clarify && clarify.options) || [];
    // Each option answers by a click, as saying it would: the answer goes into the same session.
    const answer = async (option) => {
      try {
        const next = await api("/api/v1/dictations", { method: "POST", body: { patient_id: patientId, text: option, session_id: result.session_id } });
        await renderResult(container, next, patientId);
        window.dispatchEvent(new Event("dentalagent:inbox-changed"));
      } catch (err) {
        toast(err.message, { kind: "error" });
      }
    };
    parts.push(el("div", { class: "clarify", role: "note" }, el("strong", {}, "Question: "), question,
      options.length ? el("div", { class: "clarify-options" }, ...options.map((o) => el("button", {
        type: "button", class: "chip clarify-option", dataset: { option: o }, onclick: () => answer(o),
      }, /^\d+$/.test(o) ? `Tooth ${o}` : humanize(o)))) : null,
      options.length ? el("p", { class: "muted small" }, "Click an answer, or say it.") : null));
  }
  if (cards.length) parts.push(el("div", { class: "proposals" }, ...cards));
  else if (result.control) parts.push(el("p", { class: "control-answer", role: "status" }, result.control.read_back || result.control.message));
  else if (!clarify) parts.push(el("p", { class: "muted" }, "Nothing to chart was understood."));
  if (result.problems && result.problems.length) {
    parts.push(el("ul", { class: "problems" }, ...result.problems.map((p) => el("li", {}, typeof p === "string" ? p : JSON.stringify(p)))));
  }
  if (result.error) parts.push(el("p", { class: "form-error" }, typeof result.error === "string" ? result.error : JSON.stringify(result.error)));
  if (result.approval_ids && result.approval_ids.length) {
    parts.push(el("h3", { class: "review-title" }, "Review"), await reviewList(result, patientId));
  } else if (result.status === "COMPLETED" && cards.length) {
    parts.push(el("p", { class: "muted small" }, "Nothing new to review: the chart already holds this, or nothing was complete enough to propose."));
  }
  container.replaceChildren(el("div", { class: "result", dataset: { runId: result.run_id, status: result.status } }, ...parts));
}
