// The review inbox: the caller's pending requests (GET /api/v1/approvals), kept live by
// server-sent events, decided from the keyboard (J/K move, A approve, R reject, E edit,
// X select for a batch; Q asks the clinician, S snoozes: inbox_respond.js). Every applied
// change gets an undo toast for its undo window.
//
// A key acts on the item shown when it is pressed: the item leaves the list at once (its
// request is queued, one at a time, in the order pressed), so a key pressed while a request
// is in flight acts on the item shown next, never dropped, never on another. After a decision
// the focus moves to the next item of the same dictation, then of the same patient, then on.

import { PERIO_TOOL, perioEditor, perioEdits, perioReview } from "./perio_review.js";
import { actionTitle, api, canDecideTier, el, formatTime, humanize, page, patientNames, plain } from "./api.js";
import { offerUndoForRun, toast } from "./toasts.js";
import { scheduleReturn, setupRespond, setupSnooze, snoozeChip, threadChip, threadView } from "./inbox_respond.js";
import { ghostPreview } from "./ghost.js";

const list = document.getElementById("inbox-list");
const detail = document.getElementById("inbox-detail");
const empty = document.getElementById("inbox-empty");
const liveState = document.getElementById("live-state");
const FIXED = new Set(["patient_id", "encounter_id"]);
let items = [];
let focusId = null;
const selected = new Set();
const fresh = new Set();
let names = {};
const deciding = new Set(); // queued or in flight: hidden from the list, never decided twice
const done = new Set(); // decided from this page: a list fetched before the decision does not bring them back
const waiting = []; // decision requests not sent yet, in the order the keys were pressed
let inFlight = 0;
const MAX_IN_FLIGHT = 3; // requests of one run take turns on the server (its row lock)
const announcer = document.getElementById("inbox-announce");
let view = "inbox"; // or "snoozed": the requests this reviewer snoozed (GET /api/v1/approvals/snoozed)

function teethOf(args) {
  const out = [];
  const add = (t) => { if (t !== undefined && t !== null && !out.includes(String(t))) out.push(String(t)); };
  if (!args) return out;
  add(args.tooth);
  add(args.tooth_number);
  for (const c of args.changes || []) add(c.tooth);
  for (const t of args.teeth || []) add(typeof t === "object" ? t.tooth : t);
  return out;
}

function patientOf(item) {
  return item.arguments && item.arguments.patient_id;
}

function timeLeft(iso) {
  if (!iso) return "";
  const mins = Math.round((new Date(iso).getTime() - Date.now()) / 60000);
  if (mins <= 0) return "expiring";
  return mins < 60 ? `${mins} min left` : `${Math.floor(mins / 60)} h ${mins % 60} min left`;
}

// The requests of one run (a dictation, an exam, a radiograph) stay together, in the order the
// first of each arrived: J/K, the focus after a decision and Shift+A all follow the groups.
function grouped(rows) {
  const runs = new Map();
  for (const i of rows) {
    const key = i.execution_id || i.id;
    if (!runs.has(key)) runs.set(key, []);
    runs.get(key).push(i);
  }
  return [...runs.values()].flat();
}

function visible() {
  return grouped(items.filter((i) => !deciding.has(i.id)));
}

// A group's heading: what kind of run asked, for whom, and how many requests wait in it.
function groupLabel(rows) {
  const tool = rows[0].tool;
  const kind = tool === PERIO_TOOL ? "Perio exam" : tool === "chart_imaging_finding" ? "Radiograph" : "Dictation";
  return `${kind} · ${names[patientOf(rows[0])] || "Patient"} · ${rows.length} ${tool === "chart_imaging_finding" ? "findings" : "changes"}`;
}

function focused() {
  return visible().find((i) => i.id === focusId) || null;
}

function announce(text) {
  if (!announcer) return;
  announcer.textContent = "";
  setTimeout(() => { announcer.textContent = text; }, 30); // a changed text is what a screen reader reads
}

// Where the focus goes when the item shown leaves: the next item of its dictation (run), then
// of its patient, then the next one in the list; looking forward first, then back.
function successor(gone, before, after) {
  if (!after.length) return null;
  const left = new Set(after.map((i) => i.id));
  const idx = before.findIndex((i) => i.id === gone.id);
  const forward = before.slice(idx + 1).filter((i) => left.has(i.id));
  const around = [...forward, ...before.slice(0, Math.max(0, idx)).reverse().filter((i) => left.has(i.id))];
  const next = around.find((i) => i.execution_id === gone.execution_id)
    || around.find((i) => patientOf(i) && patientOf(i) === patientOf(gone))
    || around[0] || after[0];
  return next.id;
}

// Change the list (``mutate``), keeping the focus by the rule above when the item shown left.
function update(mutate) {
  const before = visible();
  const shown = focused();
  mutate();
  const after = visible();
  if (shown && !after.some((i) => i.id === shown.id)) focusId = successor(shown, before, after);
  render();
}

function render() {
  const rows = visible();
  if (!rows.find((i) => i.id === focusId)) focusId = rows.length ? rows[0].id : null;
  for (const id of [...selected]) if (!rows.find((i) => i.id === id)) selected.delete(id);
  for (const [id, player] of players) if (id !== focusId) { player.pause(); if (!rows.find((i) => i.id === id)) players.delete(id); }
  empty.hidden = rows.length > 0;
  empty.querySelector("strong").textContent = view === "snoozed" ? "Nothing snoozed." : "All caught up.";
  list.hidden = rows.length === 0;
  const options = rows.map((item) => {
    const teeth = teethOf(item.arguments);
    const mayDecide = canDecideTier(item.risk_tier);
    const node = el("li", {
      class: ["inbox-item", item.id === focusId ? "focused" : "", selected.has(item.id) ? "selected" : "", fresh.has(item.id) ? "fresh" : ""].join(" "),
      role: "option", "aria-selected": item.id === focusId ? "true" : "false", id: `request-${item.id}`,
      dataset: { id: item.id, tier: item.risk_tier ?? "", runId: item.execution_id },
    },
    el("span", { class: "check", "aria-hidden": "true" }, selected.has(item.id) ? "✓" : ""),
    el("div", { class: "inbox-item-main" },
      el("div", { class: "inbox-item-top" },
        el("span", { class: "patient-name" }, names[patientOf(item)] || "Patient"),
        teeth.map((t) => el("span", { class: "tooth-pill" }, t))),
      el("div", { class: "inbox-item-action" }, actionTitle(item.tool, item.arguments, item.requested_action))),
    el("div", { class: "inbox-item-side" },
      item.risk_tier ? el("span", { class: `chip tier tier-${item.risk_tier}` }, `Tier ${item.risk_tier}`) : null,
      item.conflicts?.length ? el("span", { class: "chip chip-conflict", title: item.conflicts.map((c) => c.message).join("; ") }, "Check chart") : null,
      threadChip(item), snoozeChip(item),
      item.overdue ? el("span", { class: "chip chip-overdue" }, "Overdue") : el("span", { class: "muted small" }, timeLeft(item.timeout_at)),
      mayDecide ? null : el("span", { class: "chip chip-quiet" }, "view only")));
    node.addEventListener("click", () => { focusId = item.id; render(); });
    return node;
  });
  // a run with several requests is a labelled group of options (listbox > group > option)
  const nodes = [];
  for (let at = 0; at < rows.length;) {
    let end = at + 1;
    while (end < rows.length && rows[end].execution_id === rows[at].execution_id) end += 1;
    if (end - at > 1) {
      const headId = `group-${rows[at].execution_id}`;
      nodes.push(el("li", { class: "inbox-group", role: "group", "aria-labelledby": headId, dataset: { runId: rows[at].execution_id } },
        el("div", { class: "inbox-group-head", id: headId }, groupLabel(rows.slice(at, end))),
        el("ul", { class: "inbox-group-items", role: "none" }, ...options.slice(at, end))));
    } else {
      nodes.push(options[at]);
    }
    at = end;
  }
  list.replaceChildren(...nodes);
  if (focusId) list.setAttribute("aria-activedescendant", `request-${focusId}`);
  else list.removeAttribute("aria-activedescendant");
  renderDetail();
  const bar = document.getElementById("batch-bar");
  bar.hidden = selected.size === 0;
  document.getElementById("batch-count").textContent = `${selected.size} selected`;
  document.getElementById("batch-approve").textContent = `Approve ${selected.size} selected`;
  document.getElementById("batch-reject").textContent = `Reject ${selected.size} selected`;
  list.querySelector(".focused")?.scrollIntoView({ block: "nearest" });
}

function describe(value) {
  if (value === null || value === undefined || value === "") return "–";
  if (Array.isArray(value)) {
    if (value.every((x) => typeof x !== "object")) return value.join(", ") || "–";
    return el("ul", { class: "arg-list" }, ...value.map((x) => el("li", {}, describe(x))));
  }
  if (typeof value === "object") {
    const parts = Object.entries(value).filter(([, v]) => v !== null && !(Array.isArray(v) && !v.length))
      .map(([k, v]) => `${humanize(k)} ${typeof v === "object" ? (Array.isArray(v) && v.every((x) => typeof x !== "object") ? v.join(", ") : JSON.stringify(v)) : v}`);
    return parts.join(" · ") || "–";
  }
  return String(value);
}

function argRows(args) {
  return Object.entries(args || {}).filter(([k]) => !FIXED.has(k)).map(([k, v]) => el("div", { class: "kv" },
    el("dt", {}, humanize(k)), el("dd", {}, describe(v))));
}

// The items of the shown item's dictation (run) that this user may decide, in list order.
function sameDictation(item) {
  return visible().filter((i) => i.execution_id === item.execution_id && canDecideTier(i.risk_tier));
}

// ---- what was said -----------------------------------------------------------------------
// A dictated request's utterance, with the words its teeth, surfaces and label rest on marked
// (the server finds them), and its recording; P plays or pauses it.

const players = new Map(); // request id -> its audio element, kept across renders so playback goes on

function heard(item) {
  const context = item.context;
  if (!context?.transcript) return null;
  const text = context.transcript;
  const parts = [];
  let at = 0;
  for (const [start, end] of context.highlights || []) {
    if (start < at || end <= start) continue;
    if (start > at) parts.push(text.slice(at, start));
    parts.push(el("mark", {}, text.slice(start, end)));
    at = end;
  }
  if (at < text.length) parts.push(text.slice(at));
  let player = null;
  if (context.recording_url) {
    player = players.get(item.id);
    if (!player) {
      player = el("audio", { class: "heard-audio", controls: true, preload: "none", src: context.recording_url,
        "aria-label": "Recording of what was said", "aria-keyshortcuts": "P" });
      players.set(item.id, player);
    }
  }
  return el("section", { class: "heard", "aria-label": "What was said" },
    el("p", { class: "heard-label" }, "Said", player ? el("span", { class: "muted" }, " · ", el("kbd", {}, "P"), " plays it") : null),
    el("blockquote", { class: "heard-transcript" }, ...parts),
    player);
}

function togglePlay() {
  const player = detail.querySelector("audio.heard-audio");
  if (!player) return;
  for (const other of document.querySelectorAll("audio.heard-audio")) if (other !== player) other.pause();
  if (player.paused) player.play().catch(() => announce("The recording could not be played."));
  else player.pause();
}

function renderDetail() {
  const item = focused();
  if (!item) {
    detail.replaceChildren(el("p", { class: "muted" }, "Select a request to see its details."));
    return;
  }
  const mayDecide = canDecideTier(item.risk_tier);
  const patient = patientOf(item);
  const dictation = sameDictation(item);
  detail.replaceChildren(...[ // the parts an item lacks are null: left out, never shown as "null"
    el("p", { class: "muted small" }, `${humanize(item.priority?.toLowerCase())} priority · requested ${formatTime(item.created_at) || ""}`.replace(/ · requested $/, "")),
    el("h2", { class: "detail-title" }, actionTitle(item.tool, item.arguments, item.requested_action)),
    el("p", {}, patient ? el("a", { href: `/patients/${patient}` }, names[patient] || "Open chart") : null,
      " · ", el("a", { href: `/runs/${item.execution_id}`, dataset: { runLink: item.execution_id } }, "Run trace"),
      item.tool === "chart_imaging_finding" ? [" · ", el("a", { href: `/imaging/runs/${item.execution_id}`, class: "imaging-link" }, "Open the radiograph")] : null),
    item.reason ? el("p", { class: "reason" }, item.reason) : null,
    item.conflicts?.length ? el("ul", { class: "conflicts", "aria-label": "At odds with the chart now" },
      ...item.conflicts.map((c) => el("li", { class: "chip chip-conflict", dataset: { kind: c.kind, tooth: c.tooth } },
        el("span", { "aria-hidden": "true" }, "⚠"), c.message))) : null,
    heard(item),
    threadView(item),
    ghostPreview(item),
    el("dl", { class: "kv-list" }, el("div", { class: "kv" }, el("dt", {}, "Tool"), el("dd", { class: "mono" }, item.tool || "–")),
      ...argRows(item.tool === PERIO_TOOL ? {} : item.arguments)),
    perioReview(item),
    mayDecide ? el("div", { class: "detail-actions" },
      el("button", { class: "btn btn-primary", type: "button", dataset: { action: "approve" }, onclick: () => approve() }, "Approve ", el("kbd", {}, "A")),
      el("button", { class: "btn btn-danger-quiet", type: "button", dataset: { action: "reject" }, onclick: () => askReject() }, "Reject ", el("kbd", {}, "R")),
      el("button", { class: "btn", type: "button", dataset: { action: "edit" }, onclick: () => openEdit() }, "Edit ", el("kbd", {}, "E")),
      dictation.length > 1 ? el("button", { class: "btn btn-quiet", type: "button", dataset: { action: "approve-dictation" },
        onclick: () => decide("approve", undefined, "shown", dictation.map((i) => i.id)) },
      `Approve all ${dictation.length} of this dictation`, " ", el("kbd", {}, "Shift"), "+", el("kbd", {}, "A")) : null)
      : el("p", { class: "notice" }, `Only a user allowed to decide tier-${item.risk_tier} changes can approve this.`),
    el("div", { class: "detail-actions detail-actions-later" },
      mayDecide ? el("button", { class: "btn", type: "button", dataset: { action: "respond" }, "aria-keyshortcuts": "Q", onclick: () => openRespond() },
        "Ask the clinician ", el("kbd", {}, "Q")) : null,
      item.snoozed_until
        ? el("button", { class: "btn btn-quiet", type: "button", dataset: { action: "wake" }, "aria-keyshortcuts": "S", onclick: () => snoozing.wake(item) },
          `Snoozed until ${formatTime(item.snoozed_until)}: back to the inbox now `, el("kbd", {}, "S"))
        : el("button", { class: "btn btn-quiet", type: "button", dataset: { action: "snooze" }, "aria-keyshortcuts": "S", onclick: () => snoozing.open() },
          "Snooze ", el("kbd", {}, "S"))),
  ].filter(Boolean));
}

async function load({ flashNew = false } = {}) {
  const known = new Set(items.map((i) => i.id));
  const [pending, snoozed] = await Promise.all([api("/api/v1/approvals"), api("/api/v1/approvals/snoozed")]);
  const rows = view === "snoozed" ? snoozed : pending;
  showViews(pending.length, snoozed.length);
  scheduleReturn(snoozed, () => load().catch(() => {}));
  names = await patientNames();
  if (rows.some((r) => !names[patientOf(r)])) {
    // a patient added since the page opened
    names = Object.fromEntries((await api("/api/v1/patients")).map((p) => [p.id, p.name]));
  }
  const arrived = rows.filter((r) => !known.has(r.id) && !done.has(r.id));
  if (flashNew) for (const r of arrived) { fresh.add(r.id); setTimeout(() => { fresh.delete(r.id); render(); }, 4000); }
  update(() => { items = rows.filter((r) => !done.has(r.id)); });
  if (!items.length) showOthersWaiting().catch(() => {});
  if (flashNew && arrived.length) announce(arrived.length === 1 ? "1 new request in the inbox." : `${arrived.length} new requests in the inbox.`);
  window.dispatchEvent(new Event("dentalagent:inbox-changed"));
}

// An empty inbox is not the whole story when the user's own dictations wait for someone else.
async function showOthersWaiting() {
  const note = document.getElementById("inbox-others");
  if (!note || !page.user?.id) return;
  const mine = await api(`/api/v1/runs?user_id=${page.user.id}&status=WAITING_APPROVAL&limit=100`);
  note.hidden = mine.length === 0;
  note.replaceChildren(mine.length ? el("a", { href: "/runs?user_id=me&status=WAITING_APPROVAL" },
    `${plural(mine.length, "dictation of yours waits", "dictations of yours wait")} for someone else's decision.`) : "");
}

function move(delta) {
  const rows = visible();
  if (!rows.length) return;
  const idx = Math.max(0, rows.findIndex((i) => i.id === focusId));
  focusId = rows[Math.min(rows.length - 1, Math.max(0, idx + delta))].id;
  render();
}

// What a decision acts on: the item shown (the detail pane's buttons, A, R, E) or the batch
// selection (its own labelled buttons), never one for the other.
function targets(scope) {
  if (scope === "selected") return visible().filter((i) => selected.has(i.id));
  const item = focused();
  return item ? [item] : [];
}

function title(item) {
  return actionTitle(item.tool, item.arguments, item.requested_action);
}

function plural(n, one, many) {
  return n === 1 ? `1 ${one}` : `${n} ${many}`;
}

async function afterDecision(verdict, decisions, decided) {
  const byId = Object.fromEntries(decided.map((i) => [i.id, i]));
  decided.forEach((i) => done.add(i.id));
  update(() => {
    items = items.filter((i) => !byId[i.id]);
    decided.forEach((i) => { deciding.delete(i.id); selected.delete(i.id); });
  });
  const what = verdict === "reject" ? "Rejected" : verdict === "edit" ? "Corrected and approved" : "Approved";
  const subject = decided.length === 1 ? title(decided[0]) : plural(decided.length, "change", "changes");
  const waiting = new Map(); // runs still waiting for other decisions: nothing of them is in the chart yet
  for (const d of decisions) if (d.run_status === "WAITING_APPROVAL" && verdict !== "reject") waiting.set(d.run_id, d);
  let note = "";
  if (waiting.size) {
    const others = items.filter((i) => waiting.has(i.execution_id) && !done.has(i.id)).length;
    note = others
      ? ` Nothing reaches the chart until the other ${others === 1 ? "change" : `${others} changes`} of this dictation ${others === 1 ? "is" : "are"} decided.`
      : " Nothing reaches the chart until the rest of this dictation is decided.";
  }
  toast(`${what}: ${subject}.${note}`, { timeout: note ? 8000 : 3000, group: "decision", kind: note ? "pending" : "info" });
  announce(`${what}: ${subject}.${note}${focused() ? ` Now showing ${title(focused())}.` : " The inbox is empty."}`);
  const runs = new Map();
  for (const d of decisions) if (d.run_status && d.run_status !== "WAITING_APPROVAL") runs.set(d.run_id, byId[d.id]);
  for (const [runId, item] of runs) {
    try {
      await offerUndoForRun(runId, { patientId: patientOf(item) });
    } catch (err) {
      toast(err.message, { kind: "error" });
    }
  }
  window.dispatchEvent(new Event("dentalagent:inbox-changed"));
}

// What the reviewer is told when a decision is refused or fails: plain words (``plain``).
function refusal(err, chosen) {
  const what = chosen.length === 1 ? title(chosen[0]) : plural(chosen.length, "change", "changes");
  if (err.code === "already_decided") return `${what}: already decided by someone else. The list is up to date again.`;
  if (err.code === "not_found") return `${what}: no longer waiting for a decision.`;
  if (err.code === "forbidden") return `${what}: ${chosen[0]?.risk_tier ? `only a user allowed to decide tier-${chosen[0].risk_tier} changes can decide this` : "you may not decide this"}.`;
  if (err.code === "apply_failed") {
    const reason = /\) [A-Z_]+: ([^;]*)/.exec(err.message || "");
    return `Approved, but ${what} could not be charted${reason ? `: ${plain(reason[1])}` : "."}`;
  }
  return `${what}: ${plain(err.message)}`;
}

async function send(verdict, comment, chosen) {
  try {
    let decisions;
    if (chosen.length === 1) {
      decisions = [await api(`/api/v1/approvals/${chosen[0].id}/${verdict}`, { method: "POST", body: comment ? { comment } : {} })];
    } else {
      decisions = await api("/api/v1/approvals/decide", { method: "POST", body: { ids: chosen.map((i) => i.id), verdict, comment: comment || null } });
    }
    await afterDecision(verdict, decisions, chosen);
  } catch (err) {
    const message = refusal(err, chosen);
    toast(message, { kind: "error", timeout: 12000 });
    announce(message);
    update(() => chosen.forEach((i) => deciding.delete(i.id)));
    if (err.status === 409 || err.status === 404) await load().catch(() => {});
  }
}

function pump() {
  while (inFlight < MAX_IN_FLIGHT && waiting.length) {
    const job = waiting.shift();
    inFlight += 1;
    send(...job).finally(() => { inFlight -= 1; pump(); });
  }
}

// Take the decision on ``chosen`` now (they leave the list; the focus moves on) and queue its
// request behind the ones already waiting.
function decide(verdict, comment, scope = "shown", ids = null) {
  const pool = ids ? visible().filter((i) => ids.includes(i.id)) : targets(scope);
  const chosen = pool.filter((i) => canDecideTier(i.risk_tier));
  if (!chosen.length) return;
  update(() => chosen.forEach((i) => { deciding.add(i.id); selected.delete(i.id); }));
  waiting.push([verdict, comment, chosen]);
  pump();
}

function approve(scope = "shown") {
  return decide("approve", undefined, scope);
}

// ---- reject -----------------------------------------------------------------------------

const rejectDialog = document.getElementById("reject-dialog");
let rejectIds = []; // what the dialog was opened on, whatever the list does meanwhile
function askReject(scope = "shown") {
  const chosen = targets(scope).filter((i) => canDecideTier(i.risk_tier));
  if (!chosen.length) return;
  rejectIds = chosen.map((i) => i.id);
  document.getElementById("reject-what").textContent = chosen.length === 1 ? title(chosen[0]) : `${chosen.length} changes`;
  document.getElementById("reject-reason").value = "";
  rejectDialog.showModal();
  document.getElementById("reject-reason").focus();
}
document.getElementById("reject-cancel").addEventListener("click", () => rejectDialog.close());
document.getElementById("reject-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const reason = document.getElementById("reject-reason").value.trim();
  if (!reason) {
    document.getElementById("reject-reason").focus();
    return;
  }
  rejectDialog.close();
  decide("reject", reason, "shown", rejectIds);
});
document.getElementById("reject-reason").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    document.getElementById("reject-form").requestSubmit();
  }
});

// ---- edit -------------------------------------------------------------------------------

const editDialog = document.getElementById("edit-dialog");
const editFields = document.getElementById("edit-fields");
const editError = document.getElementById("edit-error");

function fieldFor(path, value) {
  const label = humanize(path.split(".").pop());
  if (Array.isArray(value) && value.every((v) => typeof v !== "object")) {
    return el("label", {}, label, el("input", { type: "text", name: path, value: value.join(", "), dataset: { kind: "list" }, placeholder: "comma separated" }));
  }
  if (typeof value === "number") return el("label", {}, label, el("input", { type: "number", name: path, value, dataset: { kind: "number" } }));
  if (typeof value === "object" && value !== null) {
    return el("label", {}, label, el("textarea", { name: path, rows: 3, dataset: { kind: "json" } }, JSON.stringify(value)));
  }
  return el("label", {}, label, el("input", { type: "text", name: path, value: value ?? "", dataset: { kind: value === null ? "nullable" : "text" } }));
}

function openEdit() {
  const item = focused();
  if (!item || !canDecideTier(item.risk_tier)) return;
  editError.hidden = true;
  document.getElementById("edit-what").textContent = actionTitle(item.tool, item.arguments, item.requested_action);
  document.getElementById("edit-comment").value = "";
  const fields = [];
  const perio = item.tool === PERIO_TOOL;
  editDialog.classList.toggle("dialog-wide", perio);
  if (perio) fields.push(perioEditor(item)); // a grid per tooth and site, not the teeth as JSON
  for (const [key, value] of Object.entries(item.arguments || {})) {
    if (FIXED.has(key) || (perio && key === "teeth")) continue;
    if (Array.isArray(value) && value.length && value.every((v) => typeof v === "object" && v !== null && !Array.isArray(v))) {
      value.forEach((obj, idx) => {
        fields.push(el("fieldset", {}, el("legend", {}, `${humanize(key)} ${value.length > 1 ? idx + 1 : ""}`),
          ...Object.entries(obj).map(([k, v]) => fieldFor(`${key}.${idx}.${k}`, v))));
      });
    } else {
      fields.push(fieldFor(key, value));
    }
  }
  editFields.replaceChildren(...fields);
  editDialog.dataset.id = item.id;
  editDialog.showModal();
  editFields.querySelector("input, textarea")?.focus();
}

function readEdits() {
  const item = items.find((i) => i.id === editDialog.dataset.id);
  const set = {};
  const grid = editFields.querySelector(".perio-edit");
  if (grid) set.teeth = perioEdits(grid, item);
  for (const input of editFields.querySelectorAll("[name]")) {
    const kind = input.dataset.kind;
    let value = input.value;
    if (kind === "list") value = value.split(",").map((v) => v.trim()).filter(Boolean);
    else if (kind === "number") value = value === "" ? null : Number(value);
    else if (kind === "json") value = JSON.parse(value || "null");
    else if (kind === "nullable" && value === "") value = null;
    const path = input.name.split(".");
    if (path.length === 3) {
      set[path[0]] ||= structuredClone(item.arguments[path[0]]);
      set[path[0]][Number(path[1])][path[2]] = value;
    } else {
      set[path[0]] = value;
    }
  }
  return { item, set };
}

document.getElementById("edit-cancel").addEventListener("click", () => editDialog.close());
document.getElementById("edit-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  let edits;
  try {
    edits = readEdits();
  } catch {
    editError.textContent = "A field holds text that is not valid JSON.";
    editError.hidden = false;
    return;
  }
  const comment = document.getElementById("edit-comment").value.trim() || null;
  try {
    const decision = await api(`/api/v1/approvals/${edits.item.id}/edit`, { method: "POST", body: { set: edits.set, comment } });
    editDialog.close();
    await afterDecision("edit", [decision], [edits.item]);
  } catch (err) {
    editError.textContent = plain(err.message);
    editError.hidden = false;
  }
});

// ---- keyboard ---------------------------------------------------------------------------

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (document.querySelector("dialog[open]")) return;
  const tag = (event.target.tagName || "").toLowerCase();
  if (["input", "textarea", "select"].includes(tag) || event.target.isContentEditable) return;
  const key = event.key.toLowerCase();
  const actions = {
    j: () => move(1), arrowdown: () => move(1), k: () => move(-1), arrowup: () => move(-1),
    a: () => (event.shiftKey ? (focused() && decide("approve", undefined, "shown", sameDictation(focused()).map((i) => i.id))) : approve()),
    r: askReject, e: openEdit, p: togglePlay, q: () => focused() && canDecideTier(focused().risk_tier) && openRespond(),
    s: () => (focused()?.snoozed_until ? snoozing.wake(focused()) : snoozing.open()),
    x: () => {
      const item = focused();
      if (!item) return;
      if (selected.has(item.id)) selected.delete(item.id);
      else selected.add(item.id);
      render();
    },
  };
  if (actions[key]) {
    event.preventDefault();
    actions[key]();
  }
});

document.getElementById("batch-approve").addEventListener("click", () => approve("selected"));
document.getElementById("batch-reject").addEventListener("click", () => askReject("selected"));
document.getElementById("batch-clear").addEventListener("click", () => { selected.clear(); render(); });

// ---- live updates -----------------------------------------------------------------------

function connect() {
  if (!window.EventSource) {
    liveState.textContent = "Live updates are not supported by this browser: reload to refresh.";
    return;
  }
  const events = new EventSource("/api/v1/events");
  events.addEventListener("hello", () => {
    liveState.textContent = "Live";
    liveState.dataset.state = "live";
    document.body.dataset.live = "true";
  });
  events.addEventListener("NEW_APPROVAL", () => load({ flashNew: true }).catch(() => {}));
  events.addEventListener("APPROVAL_TIMEOUT", (event) => {
    try {
      const data = JSON.parse(event.data);
      toast(data.escalated_to ? "A request waited past the clinic's time limit: it went to a colleague who may decide it."
        : "A request is overdue. Nobody else may decide it, so it stays here, marked Overdue.", { kind: "pending", group: "overdue", timeout: 10000 });
    } catch { /* keep going */ }
    load().catch(() => {});
  });
  events.addEventListener("APPLIED", () => load().catch(() => {}));
  for (const name of ["APPROVAL_QUESTION", "SNOOZED", "SNOOZE_ENDED"]) events.addEventListener(name, () => load().catch(() => {}));
  events.addEventListener("APPROVAL_ANSWER", (event) => {
    load().then(() => {
      const data = JSON.parse(event.data);
      const item = items.find((i) => i.id === data.approval_id);
      if (item) announce(`The clinician answered about ${title(item)}.`);
      toast("The clinician answered a question you asked.", { group: "respond", kind: "info" });
    }).catch(() => {});
  });
  events.addEventListener("APPLY_FAILED", (event) => {
    try {
      const data = JSON.parse(event.data);
      toast(`An approved change could not be charted${data.reason ? `: ${plain(data.reason)}` : "."}`, { kind: "error", timeout: 15000 });
    } catch { /* keep going */ }
    load().catch(() => {});
  });
  events.addEventListener("DECIDED", (event) => {
    try {
      const data = JSON.parse(event.data);
      done.add(data.approval_id);
      update(() => { items = items.filter((i) => i.id !== data.approval_id); });
      window.dispatchEvent(new Event("dentalagent:inbox-changed"));
    } catch {
      load().catch(() => {});
    }
  });
  events.onerror = () => {
    liveState.textContent = "Reconnecting…";
    liveState.dataset.state = "offline";
    document.body.dataset.live = "false";
  };
}

// ---- respond, snooze, and the Snoozed view ----------------------------------------------

const reloadNow = () => load();
const openRespond = setupRespond({ focused, title, announce, reload: reloadNow });
const snoozing = setupSnooze({ focused, title, announce, reload: reloadNow });

function showViews(pendingCount, snoozedCount) {
  const inboxButton = document.getElementById("view-inbox");
  const snoozedButton = document.getElementById("view-snoozed");
  inboxButton.textContent = `Inbox (${pendingCount})`;
  snoozedButton.textContent = `Snoozed (${snoozedCount})`;
  inboxButton.setAttribute("aria-pressed", String(view === "inbox"));
  snoozedButton.setAttribute("aria-pressed", String(view === "snoozed"));
}

for (const [id, name] of [["view-inbox", "inbox"], ["view-snoozed", "snoozed"]]) {
  document.getElementById(id).addEventListener("click", () => {
    if (view === name) return;
    view = name;
    selected.clear();
    items = [];
    focusId = null;
    list.setAttribute("aria-label", name === "snoozed" ? "Snoozed requests" : "Pending requests");
    load().then(() => announce(name === "snoozed" ? `Snoozed: ${plural(items.length, "request", "requests")}.` : `Inbox: ${plural(items.length, "request", "requests")}.`)).catch(() => {});
  });
}

load().catch((err) => {
  detail.replaceChildren(el("p", { class: "form-error" }, err.message));
});
connect();
list.focus();
