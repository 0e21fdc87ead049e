// The inbox's ghost preview: the proposed change drawn, dashed and translucent, over the
// patient's chart as it is now (GET /api/v1/patients/{id}/chart), on the chart page's own
// odontogram, so the reviewer sees what approving does. A caption says the same in words.

import { api, el } from "./api.js";
import { renderOdontogram, surfaceName } from "./odontogram.js";

const charts = new Map(); // patient id -> {at, promise of the chart}: re-read after a change or 20 s
const FRESH_MS = 20000;

window.addEventListener("dentalagent:chart-changed", () => charts.clear());

function chartOf(patientId) {
  const known = charts.get(patientId);
  if (!known || Date.now() - known.at > FRESH_MS) {
    const loading = api(`/api/v1/patients/${patientId}/chart`);
    loading.catch(() => charts.delete(patientId));
    charts.set(patientId, { at: Date.now(), loading });
  }
  return charts.get(patientId).loading;
}

// tooth -> [{label, surfaces, planned}] of what the request would chart; empty when it charts nothing.
export function ghostMarks(tool, args) {
  const a = args || {};
  const marks = {};
  const add = (tooth, mark) => { if (tooth) (marks[String(tooth)] ||= []).push(mark); };
  if (tool === "update_dental_chart") {
    for (const c of a.changes || []) add(c.tooth, { label: c.label, surfaces: c.surfaces || [] });
  } else if (tool === "chart_imaging_finding") {
    add(a.tooth, { label: a.label, surfaces: a.surfaces || [] });
  } else if (tool === "add_treatment_plan_item") {
    add(a.tooth, { label: a.label || a.code || "planned treatment", surfaces: a.surfaces || [], planned: true });
  }
  return marks;
}

function words(marks) {
  return Object.entries(marks).map(([tooth, list]) => `tooth ${tooth}: ` + list.map((m) => {
    const what = String(m.label || "").replace(/_/g, " ");
    const where = (m.surfaces || []).length ? ` on the ${m.surfaces.map((x) => surfaceName(x, tooth)).join(", ")} surface${m.surfaces.length > 1 ? "s" : ""}` : "";
    return `${m.planned ? "planned " : ""}${what}${where}`;
  }).join(", ")).join("; ");
}

// The preview section of a request, or null when it charts nothing drawable.
export function ghostPreview(item) {
  const marks = ghostMarks(item.tool, item.arguments);
  const patientId = item.arguments?.patient_id;
  if (!patientId || !Object.keys(marks).length) return null;
  const text = `Preview: ${words(marks)}. Drawn dashed over the chart as it is now; nothing is charted until approved.`;
  const drawing = el("div", { class: "odontogram odontogram-ghost", dataset: { patientId } }, el("p", { class: "muted small" }, "Loading the chart…"));
  const section = el("section", { class: "ghost-preview", "aria-label": "Preview on the chart" },
    el("p", { class: "ghost-caption small" }, text),
    drawing);
  chartOf(patientId).then((chart) => {
    renderOdontogram(drawing, chart, { planned: chart.planned || [] },
      { ghost: marks, idPrefix: `ghost-${item.id}-`, interactive: false, label: text });
  }).catch(() => drawing.replaceChildren(el("p", { class: "muted small" }, "The chart could not be loaded for the preview.")));
  return section;
}
