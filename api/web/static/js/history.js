// Applied changes as people read them, with Undo while their window is open: the run trace's
// "Changes" (GET /api/v1/runs/{id}/changes) and the patient's history
// (GET /api/v1/patients/{id}/history). A change whose window closed, or that this user may not
// undo, says why in words instead of offering the button.

import { api, el, formatTime, plain } from "./api.js";
import { forgetUndo, toast } from "./toasts.js";

// The API's refusals in a person's words (the API's message also serves the CLI).
export function refusalText(err) {
  if (err.status === 403 || err.code === "forbidden") {
    return "You may not undo this change: only whoever dictated or approved it, with the right to decide it, or a supervisor may.";
  }
  if (err.code === "expired") return "Too late to undo: the 5-minute window to undo this change has closed.";
  if (err.code === "already_undone") return "This change was already undone.";
  if (err.code === "conflict") return `It cannot be undone: ${plain(err.message)}`;
  return plain(err.message);
}

function minutesLeft(iso) {
  const s = Math.max(0, Math.round((new Date(iso).getTime() - Date.now()) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")} left`;
}

function who(change) {
  const bits = [];
  if (change.requested_by) bits.push(`requested by ${change.requested_by}`);
  if (change.approved_by) bits.push(`approved by ${change.approved_by}${change.approved_at ? ` ${formatTime(change.approved_at)}` : ""}`);
  bits.push(`applied ${formatTime(change.applied_at)}`);
  return bits.join(" · ");
}

function undoneLine(change) {
  return el("p", { class: "change-undone small" },
    el("strong", {}, "Undone"), ` by ${change.undone_by || "someone"}${change.undone_at ? `, ${formatTime(change.undone_at)}` : ""}`,
    change.undo_reason ? ` (“${change.undo_reason}”)` : "");
}

// One change: what, who, when, and Undo or why not. ``onUndo(change, button)`` undoes it.
function changeItem(change, { showRun, onUndo }) {
  const state = change.undo_state;
  const left = state === "open" ? el("span", { class: "muted small change-timer", dataset: { expires: change.undo_expires_at } },
    minutesLeft(change.undo_expires_at)) : null;
  const button = state === "open" ? el("button", { class: "btn btn-small undo-change", type: "button",
    "aria-label": `Undo: ${change.summary}`, onclick: (event) => onUndo(change, event.currentTarget) }, "Undo") : null;
  return el("li", { class: `change change-${state}`, dataset: { actionId: change.action_id || "", runId: change.run_id || "", state } },
    el("div", { class: "change-head" },
      el("span", { class: "change-summary" }, change.summary),
      button, left),
    el("p", { class: "muted small change-who" }, who(change),
      showRun && change.run_id ? [" · ", el("a", { href: `/runs/${change.run_id}` }, "from this run")] : null),
    change.undone ? undoneLine(change) : null,
    !change.undone && state !== "open" && change.why_not ? el("p", { class: "muted small change-why" }, change.why_not) : null);
}

// Fill ``list`` with ``changes``; the timers count down and a closed window turns into its reason.
// ``fold``: show that many, and a button for the rest (0: all).
export function renderChanges(list, changes, { showRun = false, empty = "No change applied.", onUndone = () => {}, fold = 0 } = {}) {
  clearInterval(Number(list.dataset.tick || 0));
  const onUndo = async (change, button) => {
    button.disabled = true;
    button.textContent = "Undoing…";
    try {
      await api(`/api/v1/actions/${change.action_id}/undo`, { method: "POST", body: { reason: "undone from the web app" } });
      if (change.run_id) forgetUndo(change.run_id);
      toast("Undone. The chart is back as it was.", { kind: "info" });
      window.dispatchEvent(new CustomEvent("dentalagent:chart-changed", { detail: {} }));
      onUndone();
    } catch (err) {
      button.disabled = false;
      button.textContent = "Undo";
      toast(refusalText(err), { kind: "error", timeout: 10000 });
      onUndone();
    }
  };
  const shown = fold && changes.length > fold ? changes.slice(0, fold) : changes;
  const more = changes.length - shown.length;
  const rows = changes.length ? shown.map((c) => changeItem(c, { showRun, onUndo })) : [el("li", { class: "muted" }, empty)];
  if (more) {
    rows.push(el("li", { class: "changes-more" }, el("button", { class: "btn btn-small btn-quiet", type: "button",
      onclick: () => renderChanges(list, changes, { showRun, empty, onUndone }) }, `Show ${more} older`)));
  }
  list.replaceChildren(...rows);
  const tick = setInterval(() => {
    if (!list.isConnected) return clearInterval(tick);
    for (const timer of list.querySelectorAll(".change-timer")) {
      if (new Date(timer.dataset.expires).getTime() > Date.now()) {
        timer.textContent = minutesLeft(timer.dataset.expires);
        continue;
      }
      const item = timer.closest(".change");
      item.querySelector(".undo-change")?.remove();
      timer.replaceWith(el("p", { class: "muted small change-why" }, "The 5-minute window to undo this change has closed."));
      item.dataset.state = "expired";
    }
    if (!list.querySelector(".change-timer")) clearInterval(tick);
  }, 1000);
  list.dataset.tick = String(tick);
}
