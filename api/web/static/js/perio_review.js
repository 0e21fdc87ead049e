// A perio exam's one approval request, shown as the grid the clinician dictated (not JSON):
// record_perio_measurements' teeth in the chart's perio shape, drawn by the chart's own renderer.

import { el } from "./api.js";
import { renderPerio } from "./odontogram.js";

export const PERIO_TOOL = "record_perio_measurements";

export function perioOfTeeth(teeth) {
  const out = {};
  for (const entry of teeth || []) {
    const sites = {};
    for (const [site, depth] of Object.entries(entry.depths_mm || {})) sites[site] = { depth };
    for (const site of entry.bleeding_sites || []) sites[site] = { ...(sites[site] || {}), bleeding: true };
    out[entry.tooth] = sites;
  }
  return out;
}

export function perioReview(item) {
  if (item.tool !== PERIO_TOOL) return null;
  const box = el("div", { class: "perio perio-review", role: "group", "aria-label": "Perio values to approve" });
  renderPerio(box, perioOfTeeth(item.arguments?.teeth), {}, { pending: true });
  const teeth = item.arguments?.teeth || [];
  const marks = teeth.flatMap((t) => [
    t.suppuration_sites?.length ? `${t.tooth} suppuration ${t.suppuration_sites.join(" ")}` : null,
    t.plaque_sites?.length ? `${t.tooth} plaque ${t.plaque_sites.join(" ")}` : null,
    Object.keys(t.recession_mm || {}).length ? `${t.tooth} recession ${Object.entries(t.recession_mm).map(([s, v]) => `${s} ${v}`).join(" ")}` : null,
    Object.keys(t.furcation || {}).length ? `${t.tooth} furcation ${Object.entries(t.furcation).map(([s, v]) => `${s} ${v}`).join(" ")}` : null,
    t.mobility_grade !== undefined && t.mobility_grade !== null ? `${t.tooth} mobility ${t.mobility_grade}` : null,
  ]).filter(Boolean);
  return el("div", {}, el("p", { class: "muted small" }, `${teeth.length} teeth · depths in the order said (mesial, middle, distal)`),
    box, marks.length ? el("p", { class: "small" }, marks.join(" · ")) : null);
}
