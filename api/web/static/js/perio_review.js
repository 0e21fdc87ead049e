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

// ---- correcting the exam before approving it ---------------------------------------------
// The edit dialog's grid for record_perio_measurements: a number input per tooth x site for the
// depth and a checkbox per site for bleeding; the rest of each tooth's entry is kept as dictated.

export const PERIO_SITES = ["MB", "B", "DB", "ML", "L", "DL"];

export function perioEditor(item) {
  const teeth = item.arguments?.teeth || [];
  const head = el("tr", {}, el("th", { scope: "col" }, "Tooth"), ...PERIO_SITES.map((site) => el("th", { scope: "col" }, site)));
  const rows = teeth.map((entry, idx) => el("tr", { dataset: { index: idx } },
    el("th", { scope: "row", class: "perio-edit-tooth" }, entry.tooth),
    ...PERIO_SITES.map((site) => {
      const depth = entry.depths_mm?.[site];
      return el("td", {},
        el("input", { type: "number", min: 0, max: 15, step: 1, inputmode: "numeric", class: "perio-edit-depth",
          value: depth ?? "", "aria-label": `Tooth ${entry.tooth} ${site} depth in mm`,
          dataset: { tooth: entry.tooth, site } }),
        el("label", { class: "perio-edit-bleed", title: `Bleeding at ${entry.tooth} ${site}` },
          el("input", { type: "checkbox", checked: (entry.bleeding_sites || []).includes(site),
            "aria-label": `Tooth ${entry.tooth} ${site} bleeding`, dataset: { tooth: entry.tooth, site } }),
          el("span", { "aria-hidden": "true" }, "BOP")));
    })));
  return el("div", { class: "perio-edit", role: "group", "aria-label": "Perio values by tooth and site" },
    el("p", { class: "muted small" }, "Pocket depth in mm (empty: not measured) and bleeding on probing, per site."),
    el("div", { class: "perio-edit-scroll" },
      el("table", { class: "perio-edit-table" }, el("thead", {}, head), el("tbody", {}, ...rows))));
}

// The corrected teeth: each dictated entry with the grid's depths and bleeding sites.
export function perioEdits(box, item) {
  return (item.arguments?.teeth || []).map((entry, idx) => {
    const row = box.querySelector(`tr[data-index="${idx}"]`);
    const depths = {};
    const bleeding = [];
    for (const site of PERIO_SITES) {
      const value = row.querySelector(`.perio-edit-depth[data-site="${site}"]`).value.trim();
      if (value !== "") depths[site] = Number(value);
      if (row.querySelector(`input[type="checkbox"][data-site="${site}"]`).checked) bleeding.push(site);
    }
    const out = { ...entry, depths_mm: depths };
    // Bleeding left unassessed stays unassessed unless the reviewer marks a site.
    out.bleeding_sites = entry.bleeding_sites === null || entry.bleeding_sites === undefined ? (bleeding.length ? bleeding : entry.bleeding_sites) : bleeding;
    if (out.bleeding_sites === undefined) delete out.bleeding_sites;
    return out;
  });
}
