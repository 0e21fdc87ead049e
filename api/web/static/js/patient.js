// A patient's page: the odontogram and perio grid (GET .../chart plus the page's extras) and
// the dictation panel (typed text to POST /api/v1/dictations, or the microphone streamed to
// the live-dictation WebSocket).

import { api, el, formatTime, humanize, page, plain } from "./api.js";
import { setupExam } from "./exam.js";
import { renderChanges } from "./history.js";
import { renderOdontogram, renderPerio, surfaceName } from "./odontogram.js";
import { renderResult } from "./proposals.js";
import { loadQuestions } from "./review_questions.js";
import { toast } from "./toasts.js";

const patientId = page.patient_id;
const SESSION_KEY = `dentalagent.session.${patientId}`;
const odontogram = document.getElementById("odontogram");
const resultBox = document.getElementById("dictation-result");
const errorBox = document.getElementById("dictation-error");
let sessionId = sessionStorage.getItem(SESSION_KEY);
let lastChart = null;

// ---- chart ------------------------------------------------------------------------------

function findingsList(chart) {
  const items = [];
  for (const [tooth, t] of Object.entries(chart.teeth || {})) {
    if (t.status && t.status !== "present") items.push([tooth, humanize(t.status), []]);
    for (const c of [...(t.conditions || []), ...(t.restorations || [])]) items.push([tooth, humanize(c.label), c.surfaces || []]);
    if (t.mobility !== null && t.mobility !== undefined) items.push([tooth, `Mobility grade ${t.mobility}`, []]);
  }
  return items.length ? items.map(([tooth, label, surfaces]) => el("li", { dataset: { tooth } },
    el("span", { class: "tooth-pill" }, tooth), label,
    surfaces.length ? el("span", { class: "muted" }, ` · ${surfaces.map((s) => surfaceName(s, tooth)).join(", ")}`) : null))
    : [el("li", { class: "muted" }, "No findings charted.")];
}

function planList(extras) {
  const items = extras.planned || [];
  return items.length ? items.map((p) => el("li", { dataset: { tooth: p.tooth || "" } },
    el("span", { class: "tooth-pill planned" }, p.tooth || "–"),
    el("span", { class: "chip chip-code" }, p.code), " ", p.label || "",
    p.fee ? el("span", { class: "muted" }, ` · ${p.fee}`) : null))
    : [el("li", { class: "muted" }, "No planned treatment.")];
}

export async function loadChart() {
  try {
    const chart = await api(`/api/v1/patients/${patientId}/chart`);
    lastChart = chart;
    const extras = { planned: chart.planned || [], perio: chart.perio || {} };
    renderOdontogram(odontogram, chart, extras);
    renderPerio(document.getElementById("perio"), extras.perio, chart);
    document.getElementById("findings-list").replaceChildren(...findingsList(chart));
    document.getElementById("plan-list").replaceChildren(...planList(extras));
    document.getElementById("chart-meta").textContent = chart.recorded_at ? `Chart updated ${formatTime(chart.recorded_at)}` : "Nothing charted yet";
    odontogram.dataset.snapshot = chart.snapshot_id || "";
  } catch (err) {
    odontogram.replaceChildren(el("p", { class: "form-error" }, err.message));
  }
}

// The changes applied to this patient: who asked, who approved, when, from which run; Undo while open.
export async function loadHistory() {
  const list = document.getElementById("history");
  try {
    const changes = await api(`/api/v1/patients/${patientId}/history`);
    renderChanges(list, changes, { showRun: true, empty: "No change applied from dictation or review yet.", onUndone: () => {}, fold: 10 }); // chart-changed reloads both
  } catch (err) {
    list.replaceChildren(el("li", { class: "form-error" }, plain(err.message)));
  }
}

window.addEventListener("dentalagent:chart-changed", (event) => {
  if (!event.detail || !event.detail.patient_id || event.detail.patient_id === patientId) {
    loadChart();
    loadHistory();
  }
});

// Changes approved elsewhere (the inbox, a colleague) show up here without a reload.
if (window.EventSource) {
  const events = new EventSource("/api/v1/events");
  for (const name of ["APPLIED", "DECIDED"]) events.addEventListener(name, () => { loadChart(); loadHistory(); loadQuestions().catch(() => {}); });
  events.addEventListener("APPROVAL_QUESTION", () => loadQuestions().catch(() => {}));
  events.addEventListener("hello", () => { document.body.dataset.live = "true"; });
  events.onerror = () => {};
}

// ---- dictation --------------------------------------------------------------------------

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = !message;
}

function setSession(result) {
  if (result && result.session_id) {
    sessionId = result.session_id;
    sessionStorage.setItem(SESSION_KEY, sessionId);
    const ctx = result.context || {};
    document.getElementById("session-label").textContent = ctx.tooth_in_focus ? `In focus: tooth ${ctx.tooth_in_focus}` : "";
  }
}

async function showResult(result) {
  setSession(result);
  await renderResult(resultBox, result, patientId);
  window.dispatchEvent(new Event("dentalagent:inbox-changed"));
}

const form = document.getElementById("dictation-form");
const textBox = document.getElementById("dictation-text");
const sendButton = document.getElementById("dictation-send");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = textBox.value.trim();
  if (!text) return;
  showError("");
  sendButton.disabled = true;
  sendButton.textContent = "Sending…";
  try {
    const body = { patient_id: patientId, text };
    if (sessionId) body.session_id = sessionId;
    const result = await api("/api/v1/dictations", { method: "POST", body });
    textBox.value = "";
    await showResult(result);
  } catch (err) {
    showError(err.message);
  } finally {
    sendButton.disabled = false;
    sendButton.textContent = "Send";
  }
});

textBox.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    form.requestSubmit();
  }
});

// ---- microphone -------------------------------------------------------------------------

const mic = document.getElementById("mic");
const micLabel = document.getElementById("mic-label");
const live = document.getElementById("live");
const liveText = document.getElementById("live-text");
const liveStatus = document.getElementById("live-status");
let recording = null; // {stream, recorder, ws, done}

function micState(state) {
  mic.dataset.state = state;
  mic.setAttribute("aria-pressed", state === "recording" ? "true" : "false");
  mic.disabled = state === "working";
  micLabel.textContent = { idle: "Speak", connecting: "Starting…", recording: "Stop", working: "Working…" }[state];
}

function stopAudio(rec) {
  if (rec.recorder && rec.recorder.state !== "inactive") rec.recorder.stop();
  rec.stream?.getTracks().forEach((t) => t.stop());
}

function finish(rec, message) {
  if (rec.done) return;
  rec.done = true;
  stopAudio(rec);
  if (rec.ws && rec.ws.readyState <= 1) rec.ws.close();
  if (recording === rec) recording = null;
  micState("idle");
  if (message) {
    live.hidden = true;
    showError(message);
  }
}

async function startRecording() {
  showError("");
  if (!navigator.mediaDevices?.getUserMedia || !window.MediaRecorder) {
    showError("This browser cannot record audio. Type the dictation instead.");
    return;
  }
  const mime = "audio/webm;codecs=opus";
  if (!MediaRecorder.isTypeSupported(mime)) {
    showError("This browser cannot record WebM/Opus audio. Type the dictation instead.");
    return;
  }
  micState("connecting");
  const rec = { done: false, gotResult: false };
  recording = rec;
  try {
    rec.stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } });
  } catch (err) {
    finish(rec, "The microphone is not available: allow it in the browser, or type the dictation.");
    return;
  }
  const params = new URLSearchParams({ patient_id: patientId, format: "webm" });
  if (sessionId) params.set("session_id", sessionId);
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/dictations/stream?${params}`);
  rec.ws = ws;
  liveText.textContent = "";
  liveStatus.textContent = "Connecting…";
  live.hidden = false;
  live.dataset.state = "connecting";
  const readyTimer = setTimeout(() => { if (!rec.recorder) finish(rec, "The dictation service did not answer. Try again, or type the dictation."); }, 10000);

  ws.addEventListener("message", async (event) => {
    let msg;
    try {
      msg = JSON.parse(event.data);
    } catch {
      return;
    }
    if (msg.type === "ready") {
      clearTimeout(readyTimer);
      rec.recorder = new MediaRecorder(rec.stream, { mimeType: mime });
      rec.recorder.addEventListener("dataavailable", (e) => {
        if (e.data && e.data.size && ws.readyState === WebSocket.OPEN) ws.send(e.data);
      });
      rec.recorder.addEventListener("stop", () => {
        if (rec.stopRequested && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "stop" }));
      });
      rec.recorder.start(250);
      micState("recording");
      liveStatus.textContent = "Listening…";
      live.dataset.state = "listening";
    } else if (msg.type === "partial") {
      liveText.dataset.kind = "partial";
      liveText.textContent = msg.text || "";
    } else if (msg.type === "speech_end") {
      stopAudio(rec);
      micState("working");
      liveStatus.textContent = "Got it. Working…";
      live.dataset.state = "working";
    } else if (msg.type === "final") {
      liveText.dataset.kind = "final";
      liveText.textContent = msg.text || "";
      liveStatus.textContent = "Understanding…";
      micState("working");
    } else if (msg.type === "result") {
      rec.gotResult = true;
      liveStatus.textContent = "Done";
      live.dataset.state = "done";
      finish(rec);
      live.hidden = true;
      await showResult(msg.result);
    } else if (msg.type === "error") {
      rec.gotResult = true;
      finish(rec, msg.error || "The dictation failed.");
    }
  });
  ws.addEventListener("close", () => {
    clearTimeout(readyTimer);
    if (!rec.gotResult && !rec.cancelled) finish(rec, "The connection to the dictation service closed before a result.");
  });
  ws.addEventListener("error", () => {});
}

function stopRecording() {
  const rec = recording;
  if (!rec) return;
  rec.stopRequested = true;
  micState("working");
  liveStatus.textContent = "Working…";
  if (rec.recorder && rec.recorder.state !== "inactive") {
    rec.recorder.stop(); // the last chunk goes out, then "stop"
  } else if (rec.ws && rec.ws.readyState === WebSocket.OPEN) {
    rec.ws.send(JSON.stringify({ type: "stop" }));
  }
  rec.stream?.getTracks().forEach((t) => t.stop());
}

mic.addEventListener("click", () => {
  if (recording && mic.dataset.state === "recording") stopRecording();
  else if (!recording) startRecording().catch((err) => toast(err.message, { kind: "error" }));
});

micState("idle");
loadChart();
loadQuestions().catch(() => {});
loadHistory();
setupExam({ patientId, chart: () => lastChart, onResult: (result) => renderResult(resultBox, result, patientId) });
