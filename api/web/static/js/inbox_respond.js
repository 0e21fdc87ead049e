// Respond and snooze in the review inbox (besides approve / edit / reject).
//
// Q asks the clinician who dictated the shown request a question (POST .../respond): the request
// stays pending, marked "Asked", and their answer appears in the thread here, live
// (APPROVAL_ANSWER). S snoozes it in this reviewer's inbox only (POST .../snooze) until a time;
// the "Snoozed" view lists what is snoozed, and each comes back by itself when its time comes
// (a timer here, SNOOZE_ENDED from the server, or a reload).

import { api, el, formatTime, plain } from "./api.js";
import { toast } from "./toasts.js";

// ---- the thread in the detail pane ------------------------------------------------------

export function threadView(item) {
  const messages = item.messages || [];
  if (!messages.length) return null;
  return el("section", { class: "thread", "aria-label": "Questions to the clinician" },
    el("p", { class: "thread-label" }, item.awaiting_answer ? "Asked · waiting for the clinician" : "Questions and answers"),
    el("ol", { class: "thread-list" }, ...messages.map((m) => el("li", { class: `thread-msg thread-${String(m.kind).toLowerCase()}`, dataset: { kind: m.kind } },
      el("p", { class: "thread-meta small muted" }, `${m.kind === "ANSWER" ? "Answer" : "Question"} · ${m.author || "someone"} · ${formatTime(m.at)}`),
      el("p", { class: "thread-text" }, m.text)))));
}

export function threadChip(item) {
  if (!(item.messages || []).length) return null;
  return item.awaiting_answer ? el("span", { class: "chip chip-asked" }, "Asked")
    : el("span", { class: "chip chip-answered" }, "Answered");
}

export function snoozeChip(item) {
  return item.snoozed_until ? el("span", { class: "chip chip-quiet chip-snoozed" }, `Back ${formatTime(item.snoozed_until)}`) : null;
}

// ---- respond ----------------------------------------------------------------------------

export function setupRespond({ focused, title, announce, reload }) {
  const dialog = document.getElementById("respond-dialog");
  const text = document.getElementById("respond-text");
  const error = document.getElementById("respond-error");
  let target = null;

  function open() {
    const item = focused();
    if (!item) return;
    target = item;
    document.getElementById("respond-what").textContent = title(item);
    text.value = "";
    error.hidden = true;
    dialog.showModal();
    text.focus();
  }

  document.getElementById("respond-cancel").addEventListener("click", () => dialog.close());
  document.getElementById("respond-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = text.value.trim();
    if (!message) { text.focus(); return; }
    const send = document.getElementById("respond-send");
    send.disabled = true;
    try {
      await api(`/api/v1/approvals/${target.id}/respond`, { method: "POST", body: { message } });
      dialog.close();
      announce(`Question sent to the clinician about ${title(target)}. It stays in the inbox, marked Asked.`);
      toast("Question sent to the clinician. The request waits here for their answer.", { group: "respond" });
      await reload();
    } catch (err) {
      error.textContent = plain(err.message);
      error.hidden = false;
    } finally {
      send.disabled = false;
    }
  });
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      document.getElementById("respond-form").requestSubmit();
    }
  });
  return open;
}

// ---- snooze -----------------------------------------------------------------------------

function tomorrowAt(hour) {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  d.setHours(hour, 0, 0, 0);
  return d;
}

export function setupSnooze({ focused, title, announce, reload }) {
  const dialog = document.getElementById("snooze-dialog");
  const custom = document.getElementById("snooze-custom");
  const error = document.getElementById("snooze-error");
  let target = null;

  function open() {
    const item = focused();
    if (!item) return;
    target = item;
    document.getElementById("snooze-what").textContent = title(item);
    error.hidden = true;
    const soon = new Date(Date.now() + 2 * 3600 * 1000);
    soon.setSeconds(0, 0);
    custom.value = new Date(soon.getTime() - soon.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    dialog.showModal();
    dialog.querySelector("[data-snooze]")?.focus();
  }

  async function snooze(until) {
    try {
      const out = await api(`/api/v1/approvals/${target.id}/snooze`, { method: "POST", body: { until } });
      dialog.close();
      const when = formatTime(out.until);
      announce(`Snoozed ${title(target)} until ${when}. It is in the Snoozed view until then.`);
      toast(`Snoozed until ${when}. It comes back by itself; see it under Snoozed.`, { group: "snooze" });
      await reload();
    } catch (err) {
      error.textContent = plain(err.message);
      error.hidden = false;
    }
  }

  for (const button of dialog.querySelectorAll("[data-snooze]")) {
    button.addEventListener("click", () => {
      const choice = button.dataset.snooze;
      snooze(choice === "tomorrow" ? tomorrowAt(8).toISOString() : choice);
    });
  }
  document.getElementById("snooze-cancel").addEventListener("click", () => dialog.close());
  document.getElementById("snooze-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const when = new Date(custom.value);
    if (Number.isNaN(when.getTime())) { custom.focus(); return; }
    snooze(when.toISOString());
  });

  async function wake(item) {
    try {
      await api(`/api/v1/approvals/${item.id}/snooze`, { method: "DELETE" });
      announce(`${title(item)} is back in the inbox.`);
      await reload();
    } catch (err) {
      toast(plain(err.message), { kind: "error" });
    }
  }
  return { open, wake };
}

// When the earliest snooze ends, ``wakeUp`` runs (the inbox reloads): it comes back live.
let timer = null;
export function scheduleReturn(snoozed, wakeUp) {
  clearTimeout(timer);
  const next = Math.min(...snoozed.map((i) => new Date(i.snoozed_until).getTime()));
  if (!Number.isFinite(next)) return;
  timer = setTimeout(wakeUp, Math.min(Math.max(0, next - Date.now()) + 500, 2 ** 31 - 1));
}
