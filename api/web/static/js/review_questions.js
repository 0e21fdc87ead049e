// Questions from review on the chart page's dictation panel: what a reviewer asked the signed-in
// clinician about the pending changes they dictated for this patient (GET
// /api/v1/approvals/questions), shown live (APPROVAL_QUESTION on the event channel), each with a
// box to answer it (POST /api/v1/approvals/{id}/answer), which reaches the reviewer's inbox.

import { actionTitle, api, el, formatTime, plain } from "./api.js";

const box = document.getElementById("review-questions");
const listNode = document.getElementById("review-questions-list");
const announcer = document.getElementById("review-questions-announce");
let known = new Set();

function say(text) {
  announcer.textContent = "";
  setTimeout(() => { announcer.textContent = text; }, 30);
}

function questionView(q) {
  const input = el("textarea", { rows: 2, "aria-label": `Your answer about ${actionTitle(q.tool, q.arguments, q.requested_action)}`,
    placeholder: "Your answer", maxlength: 2000, class: "review-answer-text" });
  const error = el("p", { class: "form-error", role: "alert", hidden: true });
  const send = el("button", { class: "btn btn-primary", type: "submit" }, "Answer");
  const form = el("form", { class: "review-answer", dataset: { approvalId: q.approval_id } }, input, send);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = input.value.trim();
    if (!message) { input.focus(); return; }
    send.disabled = true;
    try {
      await api(`/api/v1/approvals/${q.approval_id}/answer`, { method: "POST", body: { message } });
      say("Answer sent to the reviewer.");
      await loadQuestions();
    } catch (err) {
      error.textContent = plain(err.message);
      error.hidden = false;
    } finally {
      send.disabled = false;
    }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  return el("article", { class: "review-question", dataset: { approvalId: q.approval_id, awaiting: String(q.awaiting_answer) } },
    el("p", {}, el("strong", {}, actionTitle(q.tool, q.arguments, q.requested_action))),
    el("ol", { class: "thread-list" }, ...q.messages.map((m) => el("li", { class: `thread-msg thread-${String(m.kind).toLowerCase()}` },
      el("p", { class: "thread-meta small muted" }, `${m.kind === "ANSWER" ? "You answered" : `${m.author || "A reviewer"} asks`} · ${formatTime(m.at)}`),
      el("p", { class: "thread-text" }, m.text)))),
    form, error);
}

export async function loadQuestions(patientId = box?.dataset.patientId) {
  if (!box) return;
  const questions = await api(`/api/v1/approvals/questions?patient_id=${patientId}`);
  const fresh = questions.filter((q) => q.awaiting_answer && !known.has(q.messages.at(-1).id));
  known = new Set(questions.map((q) => q.messages.at(-1).id));
  box.hidden = questions.length === 0;
  // Keep what the clinician is typing: only rebuild when the questions changed.
  const focusedId = document.activeElement?.closest?.(".review-question")?.dataset.approvalId;
  listNode.replaceChildren(...questions.map(questionView));
  if (focusedId) listNode.querySelector(`.review-question[data-approval-id="${focusedId}"] textarea`)?.focus();
  if (fresh.length) say(fresh.length === 1 ? `A reviewer asks: ${fresh[0].messages.at(-1).text}` : `${fresh.length} new questions from review.`);
}
