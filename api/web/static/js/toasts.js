// Toasts, and the undo toast that stays for the undo window (5 minutes) across pages: the
// applied actions are kept in localStorage until they expire or are undone.
//
// One stack, newest first, in its own strip at the foot of the window (the page scrolls above
// it, so a toast never covers a control): at most MAX_SHOWN are shown, the older ones fold
// into "N more", and a toast of a group (e.g. the inbox's last decision) replaces the previous one.

import { api, el } from "./api.js";

const KEY = "dentalagent.undo";

const MAX_SHOWN = 3;
let expanded = false;

function container() {
  return document.getElementById("toasts");
}

// Show the newest MAX_SHOWN toasts (all when expanded) and a "N more" toggle for the rest.
function tidy() {
  const box = container();
  if (!box) return;
  const toasts = [...box.querySelectorAll(":scope > .toast")];
  const extra = toasts.length - MAX_SHOWN;
  if (extra <= 0) expanded = false;
  toasts.forEach((node, idx) => { node.hidden = !expanded && idx >= MAX_SHOWN; });
  let more = box.querySelector(":scope > .toasts-more");
  if (extra <= 0) {
    more?.remove();
    return;
  }
  if (!more) {
    more = el("button", { class: "btn btn-small toasts-more", type: "button", onclick: () => { expanded = !expanded; tidy(); } });
    box.append(more);
  }
  more.textContent = expanded ? "Show fewer" : `${extra} more`;
  more.setAttribute("aria-expanded", String(expanded));
}

function watch(node) {
  const box = container();
  if (!box) return;
  box.prepend(node);
  tidy();
}

function drop(node) {
  node.remove();
  tidy();
}

export function toast(message, { kind = "info", timeout = 6000, group = null } = {}) {
  if (group) container()?.querySelectorAll(`.toast[data-group="${group}"]`).forEach((n) => n.remove());
  const node = el("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status", dataset: group ? { group } : {} },
    el("span", { class: "toast-text" }, message),
    el("button", { class: "toast-close", type: "button", "aria-label": "Dismiss", onclick: () => drop(node) }, "×"));
  watch(node);
  if (timeout) setTimeout(() => drop(node), timeout);
  return node;
}

function load() {
  try {
    const items = JSON.parse(localStorage.getItem(KEY) || "[]");
    return items.filter((t) => new Date(t.expires_at).getTime() > Date.now());
  } catch {
    return [];
  }
}

function save(items) {
  localStorage.setItem(KEY, JSON.stringify(items));
}

function remaining(expiresAt) {
  const s = Math.max(0, Math.round((new Date(expiresAt).getTime() - Date.now()) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")} left to undo`;
}

function render(item) {
  const existing = document.querySelector(`.toast-undo[data-key="${item.key}"]`);
  if (existing) existing.remove();
  const timer = el("span", { class: "toast-timer" }, remaining(item.expires_at));
  const undoBtn = el("button", { class: "btn btn-small btn-inverse undo-button", type: "button" }, "Undo");
  const node = el("div", { class: "toast toast-success toast-undo", role: "status", dataset: { key: item.key } },
    el("div", { class: "toast-body" },
      el("strong", {}, item.title || "Change applied"),
      el("span", { class: "toast-text" }, item.summary),
      el("span", { class: "toast-links" },
        item.patient_id ? el("a", { href: `/patients/${item.patient_id}` }, "View chart") : null,
        item.run_id ? el("a", { href: `/runs/${item.run_id}` }, "Run trace") : null,
        timer)),
    undoBtn,
    el("button", { class: "toast-close", type: "button", "aria-label": "Dismiss", onclick: () => dismiss(item.key) }, "×"));
  undoBtn.addEventListener("click", async () => {
    undoBtn.disabled = true;
    undoBtn.textContent = "Undoing…";
    try {
      for (const id of item.action_ids) {
        await api(`/api/v1/actions/${id}/undo`, { method: "POST", body: { reason: "undone from the web app" } });
      }
      dismiss(item.key);
      toast("Undone. The chart is back as it was.", { kind: "info" });
      window.dispatchEvent(new CustomEvent("dentalagent:chart-changed", { detail: { patient_id: item.patient_id } }));
    } catch (err) {
      undoBtn.disabled = false;
      undoBtn.textContent = "Undo";
      toast(err.message, { kind: "error", timeout: 10000 });
    }
  });
  const tick = setInterval(() => {
    if (!node.isConnected) return clearInterval(tick);
    if (new Date(item.expires_at).getTime() <= Date.now()) {
      clearInterval(tick);
      dismiss(item.key);
    } else {
      timer.textContent = remaining(item.expires_at);
    }
  }, 1000);
  watch(node);
}

function dismiss(key) {
  save(load().filter((t) => t.key !== key));
  document.querySelector(`.toast-undo[data-key="${key}"]`)?.remove();
  tidy();
}

// The run's changes were undone elsewhere (its trace, the patient's history): its toast goes.
export function forgetUndo(runId) {
  dismiss(runId);
}

// Offer undo for the actions a run applied (found through GET /api/v1/actions).
export async function offerUndoForRun(runId, { patientId = null } = {}) {
  const actions = await api("/api/v1/actions");
  const mine = actions.filter((a) => a.execution_id === runId);
  if (!mine.length) return null;
  const summaries = mine.map((a) => (typeof a.summary === "string" ? a.summary : a.action_type || a.entity_type));
  const item = {
    key: runId,
    run_id: runId,
    patient_id: patientId,
    action_ids: mine.map((a) => a.id), // newest first: undone in that order
    title: mine.length === 1 ? "Change applied" : `${mine.length} changes applied`,
    summary: summaries.reverse().join(" · "),
    expires_at: mine.map((a) => a.undo_expires_at).sort()[0],
  };
  save([...load().filter((t) => t.key !== item.key), item]);
  render(item);
  window.dispatchEvent(new CustomEvent("dentalagent:chart-changed", { detail: { patient_id: patientId } }));
  return item;
}

export function restoreUndoToasts() {
  const items = load();
  save(items);
  items.forEach(render);
}
