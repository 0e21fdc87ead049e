// Radiograph review: the image with the AI findings drawn over it (SVG boxes in the image's
// pixels, coloured by label), one card per finding decided through the approvals API
// (A accept, R reject with a reason code, E edit tooth / label / surfaces; J/K move, as in
// the inbox), and the patient's odontogram beside it, redrawn when findings reach the chart.

import { api, ApiError, canDecideTier, csrfToken, el, formatTime, humanize, page, plain } from "./api.js";
import { renderOdontogram } from "./odontogram.js";
import { offerUndoForRun, toast } from "./toasts.js";

const SVG = "http://www.w3.org/2000/svg";
const patientId = page.patient_id;
const LABELS = page.labels || [];
const REASONS = page.reasons || [];
const SURFACES = ["M", "O", "D", "B", "L"];
const SHORT = { periapical_radiolucency: "PA lesion", root_canal_treated: "RCT", restoration: "Resto", bone_loss: "Bone loss" };
const STATUS_TEXT = { new: "New", conflict: "Conflict", duplicate: "Already charted", below_threshold: "Below threshold" };

let runId = page.run_id || null;
let objects = [];
let current = null; // the imaging object shown
let review = null; // GET /imaging/runs/{id}
let focusId = null; // prediction id
let busy = false;

const list = document.getElementById("finding-list");
const overlay = document.getElementById("xray-overlay");
const image = document.getElementById("xray-image");

function colourOf(label) {
  return `var(--lbl-${label}, #8795a5)`;
}

function findings() {
  return (review && review.findings) || [];
}

function focused() {
  return findings().find((f) => f.prediction_id === focusId) || null;
}

function isPending(f) {
  return f.approval_id && f.approval_status === "PENDING";
}

function legend() {
  const shown = new Set(findings().map((f) => f.label));
  const labels = LABELS.filter((l) => shown.has(l));
  document.getElementById("label-legend").replaceChildren(...(labels.length ? labels : LABELS.slice(0, 5)).map((l) =>
    el("span", {}, el("i", { class: "sw", style: `background:${colourOf(l)}` }), humanize(l))));
}

// ---- radiograph and overlays --------------------------------------------------------------

function renderStrip() {
  const strip = document.getElementById("xray-strip");
  strip.hidden = objects.length < 2;
  strip.replaceChildren(...objects.map((o) => el("button", {
    type: "button", class: `xray-thumb${current && o.object_id === current.object_id ? " active" : ""}`,
    title: `${o.modality.toLowerCase()} · ${formatTime(o.created_at)}`, dataset: { objectId: o.object_id },
    onclick: () => showObject(o, o.reviews[0]?.run_id || null),
  }, el("img", { src: o.thumbnail_url, alt: "" }),
  o.reviews.some((r) => r.pending) ? el("span", { class: "thumb-badge" }, String(o.reviews.reduce((n, r) => n + r.pending, 0))) : null)));
}

function renderOverlay() {
  const w = (review && review.width) || current?.width || 1;
  const h = (review && review.height) || current?.height || 1;
  overlay.setAttribute("viewBox", `0 0 ${w} ${h}`);
  const stroke = Math.max(2, Math.round(Math.max(w, h) / 300));
  const font = Math.max(11, Math.round(Math.max(w, h) / 62));
  const nodes = [];
  for (const f of findings()) {
    if (!f.box) continue;
    const [x0, y0, x1, y1] = f.box;
    const cls = ["finding-box", f.prediction_id === focusId ? "focused" : "", isPending(f) ? "pending" : `decided-${(f.approval_status || f.status || "").toLowerCase()}`].join(" ");
    const g = document.createElementNS(SVG, "g");
    g.setAttribute("class", cls);
    g.dataset.predictionId = f.prediction_id;
    g.dataset.label = f.label;
    g.style.setProperty("--c", colourOf(f.label));
    const rect = document.createElementNS(SVG, "rect");
    Object.entries({ x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0), rx: stroke * 1.5, "stroke-width": stroke }).forEach(([k, v]) => rect.setAttribute(k, v));
    const tag = document.createElementNS(SVG, "text");
    tag.setAttribute("x", x0);
    tag.setAttribute("y", Math.max(font, y0 - stroke * 2));
    tag.setAttribute("font-size", font);
    tag.textContent = `${f.tooth || "?"} · ${SHORT[f.label] || humanize(f.label)}`;
    const title = document.createElementNS(SVG, "title");
    title.textContent = `${humanize(f.label)} · tooth ${f.tooth || "?"} · ${Math.round(f.confidence * 100)}%`;
    g.append(title, rect, tag);
    g.addEventListener("click", () => { focusId = f.prediction_id; render(); });
    nodes.push(g);
  }
  overlay.replaceChildren(...nodes);
}

// ---- finding cards --------------------------------------------------------------------------

function decisionChip(f) {
  if (!f.approval_id) return el("span", { class: "chip chip-quiet" }, STATUS_TEXT[f.status] || humanize(f.status) || "Not proposed");
  if (f.approval_status === "PENDING") return el("span", { class: "chip chip-pending" }, "Awaiting review");
  if (f.approval_status === "APPROVED") return el("span", { class: "chip chip-accepted" }, f.edited ? "Edited · accepted" : "Accepted");
  if (f.approval_status === "REJECTED") return el("span", { class: "chip chip-rejected" }, `Rejected${f.review_comment ? ` · ${humanize(f.review_comment.split(":")[0])}` : ""}`);
  return el("span", { class: "chip" }, humanize((f.approval_status || "").toLowerCase()));
}

function card(f) {
  const pct = Math.round((f.confidence || 0) * 100);
  const confClass = pct >= 80 ? "" : pct >= 60 ? "conf-mid" : "conf-low";
  const mayDecide = canDecideTier(3) && isPending(f);
  const node = el("li", {
    class: ["finding-card", f.prediction_id === focusId ? "focused" : "", isPending(f) ? "pending" : "decided", f.status === "conflict" ? "conflict" : ""].join(" "),
    role: "option", "aria-selected": f.prediction_id === focusId ? "true" : "false",
    dataset: { predictionId: f.prediction_id, approvalId: f.approval_id || "", label: f.label, tooth: f.tooth || "", status: f.approval_status || f.status || "" },
    style: `--c:${colourOf(f.label)}`,
  },
  el("div", { class: "finding-head" },
    el("div", { class: "tooth-badge" }, el("span", { class: "tooth-badge-label" }, "Tooth"), el("span", { class: "tooth-badge-num" }, f.tooth || "?")),
    el("div", { class: "finding-main" },
      el("div", { class: "finding-title" }, el("span", { class: "finding-label" }, humanize(f.label)),
        ...(f.surfaces || []).map((s) => el("span", { class: "surface-chip" }, s))),
      el("div", { class: "finding-sub" }, decisionChip(f),
        f.status === "conflict" ? el("span", { class: "chip chip-conflict", title: f.conflict_reason || "" }, "Conflict") : null)),
    el("div", { class: `confidence ${confClass}` }, el("span", { class: "confidence-num" }, `${pct}%`),
      el("span", { class: "confidence-bar" }, el("i", { style: `width:${pct}%` })))),
  f.status === "conflict" && f.conflict_reason ? el("p", { class: "finding-note" }, f.conflict_reason) : null,
  (f.missing || []).includes("tooth") && isPending(f) ? el("p", { class: "finding-note" }, "No tooth found: set the tooth (Edit) before accepting.") : null,
  isPending(f) && !canDecideTier(3) && f.prediction_id === focusId ? el("p", { class: "finding-note muted" }, "Only a user allowed to decide tier-3 changes can accept this.") : null);
  node.addEventListener("click", () => { focusId = f.prediction_id; render(); });
  return node;
}

// The buttons for the finding shown, below the list (an option may hold no controls of its own).
function renderActions(f) {
  const box = document.getElementById("finding-actions");
  if (!box) return;
  const mayDecide = f && canDecideTier(3) && isPending(f);
  box.hidden = !mayDecide;
  box.replaceChildren(...(mayDecide ? [
    el("span", { class: "small muted finding-actions-what" }, `${humanize(f.label)}${f.tooth ? `, tooth ${f.tooth}` : ""}:`),
    el("button", { class: "btn btn-small btn-primary", type: "button", dataset: { action: "approve" }, onclick: () => { focusId = f.prediction_id; approve(); } }, "Accept ", el("kbd", {}, "A")),
    el("button", { class: "btn btn-small btn-danger-quiet", type: "button", dataset: { action: "reject" }, onclick: () => { focusId = f.prediction_id; askReject(); } }, "Reject ", el("kbd", {}, "R")),
    el("button", { class: "btn btn-small", type: "button", dataset: { action: "edit" }, onclick: () => { focusId = f.prediction_id; openEdit(); } }, "Edit ", el("kbd", {}, "E")),
  ] : []));
}

function order(rows) {
  // pending first (in model order), then decided, then what was not proposed
  const rank = (f) => (isPending(f) ? 0 : f.approval_id ? 1 : 2);
  return rows.slice().sort((a, b) => rank(a) - rank(b));
}

function render() {
  const rows = order(findings());
  if (!rows.find((f) => f.prediction_id === focusId)) focusId = (rows.find(isPending) || rows[0])?.prediction_id || null;
  list.replaceChildren(...(rows.length ? rows.map(card) : [el("li", { class: "muted finding-empty" }, review ? "The model found nothing on this image." : "Upload a radiograph to see its findings.")]));
  const pending = rows.filter(isPending).length;
  renderActions(rows.find((f) => f.prediction_id === focusId) || null);
  document.getElementById("findings-count").textContent = rows.length ? `${pending} to review · ${rows.length} in all` : "";
  renderOverlay();
  legend();
  list.querySelector(".focused")?.scrollIntoView({ block: "nearest" });
  document.querySelectorAll("#odontogram .tooth-focus").forEach((n) => n.classList.remove("tooth-focus"));
  const f = focused();
  if (f && f.tooth) document.querySelector(`#odontogram g.tooth[data-tooth="${f.tooth}"]`)?.classList.add("tooth-focus");
}

// ---- loading --------------------------------------------------------------------------------

async function loadChart() {
  const box = document.getElementById("odontogram");
  try {
    const chart = await api(`/api/v1/patients/${patientId}/chart`);
    renderOdontogram(box, chart, { planned: chart.planned || [], perio: chart.perio || {} });
    box.dataset.snapshot = chart.snapshot_id || "";
    document.getElementById("chart-meta").textContent = chart.recorded_at ? `Updated ${formatTime(chart.recorded_at)}` : "Nothing charted yet";
    render();
  } catch (err) {
    box.replaceChildren(el("p", { class: "form-error" }, err.message));
  }
}

async function loadReview() {
  review = runId ? await api(`/api/v1/imaging/runs/${runId}`) : null;
  const meta = document.getElementById("review-meta");
  const link = document.getElementById("run-link");
  if (review) {
    document.getElementById("model-name").textContent = review.model || "the image model";
    meta.textContent = `Reviewed ${formatTime(review.started_at)} · ${humanize(review.status.toLowerCase())}`;
    link.hidden = false;
    link.href = `/runs/${review.run_id}`;
  } else {
    meta.textContent = "";
    link.hidden = true;
  }
  render();
}

function showObject(obj, reviewRun) {
  current = obj;
  runId = reviewRun;
  document.getElementById("xray-empty").hidden = Boolean(obj);
  document.getElementById("xray-stage").hidden = !obj;
  if (obj) {
    image.src = obj.display_url;
    document.getElementById("xray-info").textContent = `${humanize(obj.modality.toLowerCase())} · ${obj.width}×${obj.height} · ${formatTime(obj.created_at)}`;
    history.replaceState(null, "", runId ? `/imaging/runs/${runId}` : `/patients/${patientId}/imaging`);
  }
  renderStrip();
  return loadReview();
}

async function loadAll() {
  const studies = await api(`/api/v1/patients/${patientId}/imaging`);
  objects = studies.flatMap((s) => s.objects);
  let obj = null;
  if (runId) obj = objects.find((o) => o.reviews.some((r) => r.run_id === runId)) || null;
  if (!obj) {
    obj = objects[0] || null;
    runId = obj?.reviews[0]?.run_id || null;
  }
  await showObject(obj, runId);
}

// ---- decisions --------------------------------------------------------------------------------

async function afterDecision(decision) {
  const before = order(findings()).filter(isPending).map((f) => f.prediction_id);
  const at = before.indexOf(focusId);
  await loadReview();
  if (!focused() || !isPending(focused())) {
    // on to the next finding still to decide, as the inbox does
    const next = before.slice(at + 1).concat(before.slice(0, Math.max(at, 0))).find((id) => findings().some((f) => f.prediction_id === id && isPending(f)));
    if (next) {
      focusId = next;
      render();
    }
  }
  const studies = await api(`/api/v1/patients/${patientId}/imaging`);
  objects = studies.flatMap((s) => s.objects);
  renderStrip();
  if (decision && decision.run_status && decision.run_status !== "WAITING_APPROVAL") {
    try {
      await offerUndoForRun(decision.run_id, { patientId }); // also redraws the chart (chart-changed)
    } catch (err) {
      toast(err.message, { kind: "error" });
    }
    await loadChart();
    toast("Review complete: accepted findings are on the chart and the radiology report is written.", { timeout: 6000 });
  }
  window.dispatchEvent(new Event("dentalagent:inbox-changed"));
}

async function decide(path, body, message) {
  if (busy) return;
  busy = true;
  try {
    const decision = await api(path, { method: "POST", body });
    toast(message, { timeout: 2500 });
    await afterDecision(decision);
    return true;
  } catch (err) {
    toast(plain(err.message), { kind: "error", timeout: 12000 });
    if (err.status === 409 || err.status === 404) await loadReview();
    return false;
  } finally {
    busy = false;
  }
}

function decidable() {
  const f = focused();
  return f && isPending(f) && canDecideTier(3) ? f : null;
}

function approve() {
  const f = decidable();
  if (!f) return;
  if ((f.missing || []).includes("tooth")) {
    openEdit();
    return;
  }
  decide(`/api/v1/approvals/${f.approval_id}/approve`, {}, `Accepted: ${humanize(f.label)} on ${f.tooth}.`);
}

const rejectDialog = document.getElementById("reject-dialog");
const reasonSelect = document.getElementById("reject-reason");
reasonSelect.replaceChildren(...REASONS.map((r) => el("option", { value: r }, humanize(r))));

function askReject() {
  const f = decidable();
  if (!f) return;
  document.getElementById("reject-what").textContent = `${humanize(f.label)} on ${f.tooth || "?"}`;
  reasonSelect.value = REASONS[0] || "";
  document.getElementById("reject-comment").value = "";
  rejectDialog.dataset.id = f.approval_id;
  rejectDialog.showModal();
  reasonSelect.focus();
}
document.getElementById("reject-cancel").addEventListener("click", () => rejectDialog.close());
document.getElementById("reject-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const code = reasonSelect.value;
  const text = document.getElementById("reject-comment").value.trim();
  rejectDialog.close();
  decide(`/api/v1/approvals/${rejectDialog.dataset.id}/reject`, { comment: text ? `${code}: ${text}` : code },
    `Rejected (${humanize(code).toLowerCase()}).`);
});

const editDialog = document.getElementById("edit-dialog");
const editError = document.getElementById("edit-error");
document.getElementById("edit-label").replaceChildren(...LABELS.map((l) => el("option", { value: l }, humanize(l))));
const surfaceBox = document.getElementById("edit-surfaces");
surfaceBox.append(...SURFACES.map((s) => el("label", { class: "surface-pick" }, el("input", { type: "checkbox", value: s }), s)));

function openEdit() {
  const f = decidable();
  if (!f) return;
  editError.hidden = true;
  document.getElementById("edit-what").textContent = `Proposed: ${humanize(f.label)} on tooth ${f.tooth || "?"}${(f.surfaces || []).length ? ` (${f.surfaces.join("")})` : ""}, ${Math.round(f.confidence * 100)}% confidence`;
  document.getElementById("edit-tooth").value = f.tooth || "";
  document.getElementById("edit-label").value = f.label;
  surfaceBox.querySelectorAll("input").forEach((i) => { i.checked = (f.surfaces || []).includes(i.value); });
  document.getElementById("edit-comment").value = "";
  editDialog.dataset.id = f.approval_id;
  editDialog.showModal();
  document.getElementById("edit-tooth").select();
}
document.getElementById("edit-cancel").addEventListener("click", () => editDialog.close());
document.getElementById("edit-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const tooth = document.getElementById("edit-tooth").value.trim();
  if (!/^[1-8][1-8]$/.test(tooth)) {
    editError.textContent = "Give the tooth as an FDI number, e.g. 46.";
    editError.hidden = false;
    return;
  }
  const set = { tooth, label: document.getElementById("edit-label").value,
    surfaces: [...surfaceBox.querySelectorAll("input:checked")].map((i) => i.value) };
  const comment = document.getElementById("edit-comment").value.trim() || null;
  try {
    const decision = await api(`/api/v1/approvals/${editDialog.dataset.id}/edit`, { method: "POST", body: { set, comment } });
    editDialog.close();
    toast(`Corrected and accepted: ${humanize(set.label)} on ${tooth}.`, { timeout: 2500 });
    await afterDecision(decision);
  } catch (err) {
    editError.textContent = plain(err.message);
    editError.hidden = false;
  }
});

// ---- upload -----------------------------------------------------------------------------------

const uploadDialog = document.getElementById("upload-dialog");
const uploadError = document.getElementById("upload-error");
const uploadSubmit = document.getElementById("upload-submit");
document.getElementById("upload-open").addEventListener("click", () => {
  uploadError.hidden = true;
  uploadDialog.showModal();
});
document.getElementById("upload-cancel").addEventListener("click", () => uploadDialog.close());
document.getElementById("upload-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = document.getElementById("upload-file").files[0];
  if (!file) return;
  const body = new FormData();
  body.append("patient_id", patientId);
  body.append("file", file, file.name);
  const findingsFile = document.getElementById("upload-findings").files[0];
  if (findingsFile) body.append("findings", findingsFile, findingsFile.name);
  uploadSubmit.disabled = true;
  uploadSubmit.textContent = "Reviewing…";
  uploadError.hidden = true;
  try {
    const response = await fetch("/api/v1/imaging/reviews", { method: "POST", body, credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() } });
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError((data && data.error) || `The upload failed (HTTP ${response.status}).`, response.status, data && data.code, data);
    uploadDialog.close();
    document.getElementById("upload-form").reset();
    runId = data.run_id;
    await loadAll();
    const proposed = data.findings.filter((f) => f.approval_id).length;
    toast(`${proposed} finding${proposed === 1 ? "" : "s"} proposed for your review.`, { timeout: 4000 });
    window.dispatchEvent(new Event("dentalagent:inbox-changed"));
  } catch (err) {
    uploadError.textContent = err.message;
    uploadError.hidden = false;
  } finally {
    uploadSubmit.disabled = false;
    uploadSubmit.textContent = "Upload and review";
  }
});

document.getElementById("overlay-toggle").addEventListener("change", (event) => {
  overlay.classList.toggle("off", !event.target.checked);
});

// ---- keyboard and live updates --------------------------------------------------------------

function move(delta) {
  const rows = order(findings());
  if (!rows.length) return;
  const idx = Math.max(0, rows.findIndex((f) => f.prediction_id === focusId));
  focusId = rows[Math.min(rows.length - 1, Math.max(0, idx + delta))].prediction_id;
  render();
}

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (rejectDialog.open || editDialog.open || uploadDialog.open) return;
  const tag = (event.target.tagName || "").toLowerCase();
  if (["input", "textarea", "select"].includes(tag) || event.target.isContentEditable) return;
  const actions = { j: () => move(1), arrowdown: () => move(1), k: () => move(-1), arrowup: () => move(-1), a: approve, r: askReject, e: openEdit };
  const action = actions[event.key.toLowerCase()];
  if (action) {
    event.preventDefault();
    action();
  }
});

window.addEventListener("dentalagent:chart-changed", (event) => {
  if (!event.detail || !event.detail.patient_id || event.detail.patient_id === patientId) loadChart();
});

if (window.EventSource) {
  const events = new EventSource("/api/v1/events");
  for (const name of ["APPLIED", "DECIDED"]) {
    events.addEventListener(name, () => { if (!busy) { loadReview().catch(() => {}); loadChart(); } });
  }
  events.onerror = () => {};
}

loadAll().catch((err) => list.replaceChildren(el("li", { class: "form-error" }, err.message)));
loadChart();
list.focus();
