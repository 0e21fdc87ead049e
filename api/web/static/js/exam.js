// A hands-free exam on the patient's page: the microphone stays open (16 kHz PCM over the live
// socket), the server cuts each utterance by voice activity, the perio grid fills as values are
// heard (pending until the exam's one approval request is decided), the foot pedal (or P, F8,
// Pause) pauses and resumes, read-back is spoken and shown.

import { api, el } from "./api.js";
import { renderPerio } from "./odontogram.js";

const PEDAL_KEYS = new Set(["Pause", "F8", "p", "P"]);

export function setupExam({ patientId, chart, onResult }) {
  const card = document.getElementById("exam");
  if (!card) return;
  const status = document.getElementById("exam-status");
  const heard = document.getElementById("exam-heard");
  const message = document.getElementById("exam-message");
  const gridBox = document.getElementById("exam-grid");
  const startPerio = document.getElementById("exam-start-perio");
  const startCharting = document.getElementById("exam-start-charting");
  const pauseButton = document.getElementById("exam-pause");
  const finishButton = document.getElementById("exam-finish");
  let exam = null; // {sessionId, ws, context, stream, paused, mode}

  const setState = (state) => {
    card.dataset.state = state;
    startPerio.hidden = startCharting.hidden = state !== "idle";
    pauseButton.hidden = finishButton.hidden = state === "idle";
  };

  const say = (text, speak = false) => {
    message.textContent = text || "";
    if (speak && text && window.speechSynthesis && window.SpeechSynthesisUtterance) {
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
    }
  };

  const where = (view) => {
    const c = view.cursor || {};
    if (view.paused) return "Paused: press the pedal (or P) or say “resume”.";
    if (!c.tooth) return "Listening · the exam order is complete: finish, or say “go to” a tooth.";
    return `Listening · tooth ${c.tooth}${view.mode === "perio" ? `, ${c.row}` : ""}`;
  };

  const show = (view) => {
    if (!view) return;
    exam.paused = !!view.paused;
    status.textContent = where(view);
    card.dataset.paused = exam.paused ? "true" : "false";
    pauseButton.textContent = exam.paused ? "Resume" : "Pause";
    pauseButton.setAttribute("aria-pressed", exam.paused ? "true" : "false");
    if (view.mode === "perio") {
      gridBox.hidden = false;
      renderPerio(gridBox, pendingPerio(view.grid || {}), chart(), { pending: true, cursor: view.cursor });
    }
  };

  async function start(mode) {
    say("");
    if (!navigator.mediaDevices?.getUserMedia || !window.AudioWorkletNode) {
      say("This browser cannot keep the microphone open. Dictate one utterance at a time instead.");
      return;
    }
    setState("connecting");
    let view;
    try {
      view = await api("/api/v1/exams", { method: "POST", body: { patient_id: patientId, mode } });
    } catch (err) {
      setState("idle");
      say(err.message);
      return;
    }
    exam = { sessionId: view.session_id, mode, paused: false };
    try {
      exam.stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } });
      exam.context = new AudioContext({ sampleRate: 16000 });
      await exam.context.audioWorklet.addModule("/static/js/pcm-worklet.js");
    } catch (err) {
      stop();
      say("The microphone is not available: allow it in the browser.");
      return;
    }
    const params = new URLSearchParams({ patient_id: patientId, session_id: exam.sessionId, format: "pcm16", sample_rate: "16000" });
    const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/dictations/stream?${params}`);
    ws.binaryType = "arraybuffer";
    exam.ws = ws;
    ws.addEventListener("message", (event) => onMessage(JSON.parse(event.data)));
    ws.addEventListener("close", () => {
      if (exam && !exam.finished) {
        say("The exam's connection closed. Start the exam again to go on; what was heard is kept.");
        stop();
      }
    });
  }

  function capture() {
    const source = exam.context.createMediaStreamSource(exam.stream);
    const node = new AudioWorkletNode(exam.context, "pcm-capture");
    node.port.onmessage = (event) => {
      if (exam?.ws?.readyState === WebSocket.OPEN) exam.ws.send(event.data);
    };
    source.connect(node);
    exam.node = node;
  }

  async function onMessage(msg) {
    if (!exam) return;
    if (msg.type === "ready") {
      setState("listening");
      show({ ...msg.exam, mode: exam.mode });
      capture();
    } else if (msg.type === "partial") {
      heard.dataset.kind = "partial";
      heard.textContent = msg.text || "";
    } else if (msg.type === "speech_end") {
      card.dataset.state = "working";
    } else if (msg.type === "final") {
      heard.dataset.kind = "final";
      heard.textContent = msg.text || "";
    } else if (msg.type === "result") {
      card.dataset.state = "listening";
      const result = msg.result || {};
      show(result.exam);
      const control = result.control;
      if (control) say(control.read_back || control.message, !!control.read_back || !control.done);
      if (control?.done && ["accept", "undo_last"].includes(control.action)) {
        window.dispatchEvent(new CustomEvent("dentalagent:chart-changed", { detail: { patient_id: patientId } }));
      }
      else if (result.exam?.heard?.ignored) say("Paused: that was not recorded.");
      else if ((result.proposals || []).length) say(""); // a new proposal: the last answer is done with
      if (!(result.exam?.heard?.grid_teeth?.length) || (result.proposals || []).some((p) => !p.command?.startsWith("perio."))) {
        await onResult(result);
      }
    } else if (msg.type === "control") {
      show(msg.result?.exam);
      say(msg.result?.control?.message);
    } else if (msg.type === "finished") {
      exam.finished = true;
      const n = (msg.result?.approval_ids || []).length;
      say(n ? `Exam finished: ${n} request${n === 1 ? "" : "s"} sent for review.` : "Exam finished: nothing to review.", true);
      card.dataset.finished = msg.result?.session_id || "";
      stop();
      window.dispatchEvent(new Event("dentalagent:inbox-changed"));
    } else if (msg.type === "error") {
      say(msg.error || "That was not understood.");
      if (!msg.exam_continues) stop();
    }
  }

  function stop() {
    exam?.node?.disconnect();
    exam?.stream?.getTracks().forEach((t) => t.stop());
    exam?.context?.close().catch(() => {});
    if (exam?.ws && exam.ws.readyState <= 1 && !exam.finished) exam.ws.close();
    exam = null;
    setState("idle");
  }

  const send = (type) => {
    if (exam?.ws?.readyState === WebSocket.OPEN) exam.ws.send(JSON.stringify({ type }));
  };
  const togglePause = () => send(exam?.paused ? "resume" : "pause");

  startPerio.addEventListener("click", () => start("perio"));
  startCharting.addEventListener("click", () => start("charting"));
  pauseButton.addEventListener("click", togglePause);
  finishButton.addEventListener("click", () => {
    card.dataset.state = "working";
    send("finish");
  });
  document.addEventListener("keydown", (event) => {
    if (!exam || !PEDAL_KEYS.has(event.key)) return;
    const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement?.tagName);
    if (typing && event.key.length === 1) return; // "p" typed in the dictation box is a letter
    event.preventDefault();
    togglePause();
  });
  setState("idle");
}

// The exam's grid ({tooth: {depths_mm, bleeding_sites, ...}}) in the chart's perio shape.
export function pendingPerio(grid) {
  const out = {};
  for (const [tooth, entry] of Object.entries(grid)) {
    const sites = {};
    for (const [site, depth] of Object.entries(entry.depths_mm || {})) sites[site] = { depth };
    for (const site of entry.bleeding_sites || []) sites[site] = { ...(sites[site] || {}), bleeding: true };
    out[tooth] = sites;
  }
  return out;
}
