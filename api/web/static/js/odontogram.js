// The odontogram (FDI, as the dentist faces the patient): upper 18..11 | 21..28, lower
// 48..41 | 31..38. Each tooth is drawn as five surfaces (mesial, distal, occlusal/incisal,
// buccal/facial, lingual/palatal) coloured by what is charted; whole-tooth states (missing,
// crown, implant...) mark the tooth; planned treatment is hatched and outlined, never filled
// like an existing finding.

import { el } from "./api.js";

const SVG = "http://www.w3.org/2000/svg";
export const UPPER = ["18", "17", "16", "15", "14", "13", "12", "11", "21", "22", "23", "24", "25", "26", "27", "28"];
export const LOWER = ["48", "47", "46", "45", "44", "43", "42", "41", "31", "32", "33", "34", "35", "36", "37", "38"];
const SURFACE_ALIASES = { F: "B", P: "L", I: "O" };
const SURFACE_NAMES = { M: "mesial", D: "distal", O: "occlusal", I: "incisal", B: "buccal", F: "facial", L: "lingual", P: "palatal" };
const PRIORITY = ["caries", "fracture", "watch", "restoration", "sealant"];

const CELL = 52;
const GAP = 4;
const MID = 14;
const BOX = 40;
const INSET = 12;

function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) node.setAttribute(k, String(v));
  for (const c of children) if (c) node.append(c);
  return node;
}

export function canonicalSurface(surface) {
  const up = String(surface).toUpperCase();
  return SURFACE_ALIASES[up] || up;
}

function isUpper(tooth) {
  return ["1", "2", "5", "6"].includes(tooth[0]);
}

function mesialOnRight(tooth) {
  return ["1", "4", "5", "8"].includes(tooth[0]);
}

export function surfaceName(surface, tooth) {
  const up = String(surface).toUpperCase();
  if (up === "O" && tooth && Number(tooth[1]) <= 3) return "incisal";
  return SURFACE_NAMES[up] || up;
}

// Per tooth: surface -> findings, whole-tooth findings, status, planned items.
function toothState(entry, planned) {
  const state = { status: (entry && entry.status) || "present", surfaces: {}, whole: [], mobility: entry?.mobility ?? null, planned: [], plannedSurfaces: new Set() };
  for (const item of [...(entry?.conditions || []), ...(entry?.restorations || [])]) {
    const surfaces = item.surfaces || [];
    if (!surfaces.length) state.whole.push(item.label);
    for (const surf of surfaces) (state.surfaces[canonicalSurface(surf)] ||= []).push(item.label);
  }
  for (const item of planned) {
    state.planned.push(item);
    for (const surf of item.surfaces || []) state.plannedSurfaces.add(canonicalSurface(surf));
  }
  return state;
}

function topLabel(labels) {
  return PRIORITY.find((p) => labels.includes(p)) || labels[0];
}

// Where a tooth's five surfaces are drawn: the box at (x0, y0), side b, and each surface's polygon
// (the occlusal in the middle; buccal outward, mesial toward the midline).
function toothGeometry(tooth, x, yBox) {
  const upper = isUpper(tooth);
  const b = BOX;
  const i = INSET;
  const x0 = x + (CELL - BOX) / 2;
  const y0 = yBox;
  const regions = {
    top: `${x0},${y0} ${x0 + b},${y0} ${x0 + b - i},${y0 + i} ${x0 + i},${y0 + i}`,
    bottom: `${x0},${y0 + b} ${x0 + b},${y0 + b} ${x0 + b - i},${y0 + b - i} ${x0 + i},${y0 + b - i}`,
    left: `${x0},${y0} ${x0 + i},${y0 + i} ${x0 + i},${y0 + b - i} ${x0},${y0 + b}`,
    right: `${x0 + b},${y0} ${x0 + b - i},${y0 + i} ${x0 + b - i},${y0 + b - i} ${x0 + b},${y0 + b}`,
    center: `${x0 + i},${y0 + i} ${x0 + b - i},${y0 + i} ${x0 + b - i},${y0 + b - i} ${x0 + i},${y0 + b - i}`,
  };
  const where = {
    B: upper ? "top" : "bottom", L: upper ? "bottom" : "top",
    M: mesialOnRight(tooth) ? "right" : "left", D: mesialOnRight(tooth) ? "left" : "right", O: "center",
  };
  return { upper, b, x0, y0, regions, where };
}

function drawTooth(tooth, x, yBox, state, { idPrefix = "odontogram-", interactive = true } = {}) {
  const { upper, b, x0, y0, regions, where } = toothGeometry(tooth, x, yBox);
  const gone = state.status === "missing" || state.status === "extracted";
  const whole = state.whole;
  const classes = ["tooth", `status-${state.status}`];
  if (state.planned.length) classes.push("has-plan");
  if (whole.includes("crown")) classes.push("crowned");
  const titleBits = [`Tooth ${tooth}`];
  if (state.status !== "present") titleBits.push(state.status);
  for (const [surf, labels] of Object.entries(state.surfaces)) titleBits.push(`${labels.join(", ")} (${surf})`);
  if (whole.length) titleBits.push(whole.join(", "));
  if (state.mobility !== null) titleBits.push(`mobility ${state.mobility}`);
  for (const p of state.planned) titleBits.push(`planned: ${p.code}${p.label ? " " + p.label : ""}`);
  const g = s("g", { class: classes.join(" "), "data-tooth": tooth, "data-status": state.status, role: interactive ? "img" : null,
    "aria-label": interactive ? titleBits.join(", ") : null, id: `${idPrefix}tooth-${tooth}`,
    "data-planned": state.planned.length ? "true" : null, "data-whole": whole.join(" ") || null });
  g.append(s("title", {}, document.createTextNode(titleBits.join(" · "))));
  for (const [surf, region] of Object.entries(where)) {
    const labels = state.surfaces[surf] || [];
    const label = labels.length ? topLabel(labels) : null;
    const cls = ["surface", label ? `f-${label}` : "f-none"];
    const planned = state.plannedSurfaces.has(surf);
    g.append(s("polygon", { points: regions[region], class: cls.join(" "), "data-tooth": tooth, "data-surface": surf,
      "data-finding": label, "data-findings": labels.join(" ") || null }));
    if (planned) {
      g.append(s("polygon", { points: regions[region], class: "surface-planned", "data-tooth": tooth, "data-surface": surf, "data-planned": "true" }));
    }
  }
  // whole-tooth marks
  const wholeCond = whole.find((w) => ["caries", "fracture", "watch", "restoration", "sealant"].includes(w));
  if (wholeCond) g.append(s("rect", { x: x0 + 2, y: y0 + 2, width: b - 4, height: b - 4, class: `whole-ring f-${wholeCond}` }));
  if (whole.includes("crown")) g.append(s("rect", { x: x0 - 3, y: y0 - 3, width: b + 6, height: b + 6, rx: 6, class: "crown-ring" }));
  if (state.planned.length) {
    if (state.planned.some((p) => !(p.surfaces || []).length)) {
      g.append(s("rect", { x: x0, y: y0, width: b, height: b, class: "whole-planned", "data-planned": "true" }));
    }
    g.append(s("rect", { x: x0 - 5, y: y0 - 5, width: b + 10, height: b + 10, rx: 8, class: "plan-ring" }));
  }
  const rootY = upper ? y0 - 9 : y0 + b + 3;
  if (whole.includes("root_canal_treated")) {
    g.append(s("rect", { x: x + CELL / 2 - 2, y: rootY, width: 4, height: 6, rx: 1, class: "rct-mark" }));
  }
  if (gone) {
    g.append(s("line", { x1: x0 - 2, y1: y0 - 2, x2: x0 + b + 2, y2: y0 + b + 2, class: "missing-x" }));
    g.append(s("line", { x1: x0 + b + 2, y1: y0 - 2, x2: x0 - 2, y2: y0 + b + 2, class: "missing-x" }));
  }
  if (state.status === "implant") {
    g.append(s("text", { x: x + CELL / 2, y: y0 + b / 2 + 4, class: "tooth-tag" }, document.createTextNode("IMP")));
  }
  if (state.mobility !== null && state.mobility !== undefined) {
    g.append(s("text", { x: x0 + b - 1, y: upper ? y0 + b + 11 : y0 - 3, class: "mobility-tag" }, document.createTextNode(`M${state.mobility}`)));
  }
  return g;
}

// A proposed change drawn over a tooth as a "ghost": dashed and translucent, never like a charted
// finding. ``marks``: [{label, surfaces, planned}] of this tooth.
function drawGhost(g, tooth, x, yBox, marks) {
  const { b, x0, y0, regions, where } = toothGeometry(tooth, x, yBox);
  g.classList.add("has-ghost");
  g.append(s("rect", { x: x0 - 6, y: y0 - 6, width: b + 12, height: b + 12, rx: 8, class: "ghost-ring" }));
  g.setAttribute("data-ghost", marks.map((m) => m.label).join(" "));
  for (const mark of marks) {
    const label = String(mark.label || "").toLowerCase();
    const colour = PRIORITY.includes(label) || label === "crown" ? label : "other";
    const cls = `ghost ${mark.planned ? "ghost-planned" : `f-${colour}`}`;
    const data = { "data-ghost-tooth": tooth, "data-ghost-label": label };
    const surfaces = (mark.surfaces || []).map(canonicalSurface).filter((surf) => where[surf]);
    if (surfaces.length) {
      for (const surf of surfaces) g.append(s("polygon", { points: regions[where[surf]], class: cls, "data-ghost-surface": surf, ...data }));
    } else if (["missing", "extracted"].includes(label)) {
      g.append(s("line", { x1: x0 - 2, y1: y0 - 2, x2: x0 + b + 2, y2: y0 + b + 2, class: "ghost ghost-x", ...data }));
      g.append(s("line", { x1: x0 + b + 2, y1: y0 - 2, x2: x0 - 2, y2: y0 + b + 2, class: "ghost ghost-x", ...data }));
    } else {
      g.append(s("rect", { x: x0 - 4, y: y0 - 4, width: b + 8, height: b + 8, rx: 7, class: `${cls} ghost-whole`, ...data }));
    }
  }
}

// ``options``: ghost (tooth -> marks drawn over the chart as a preview), idPrefix (ids unique on
// the page), interactive (false: a picture, not a keyboard-driven chart), label (its text alternative).
export function renderOdontogram(container, chart, extras, options = {}) {
  const { ghost = {}, idPrefix = "odontogram-", interactive = true, label = null } = options;
  const teeth = chart?.teeth || {};
  const planned = {};
  for (const item of extras?.planned || []) if (item.tooth) (planned[item.tooth] ||= []).push(item);
  const width = 16 * CELL + 15 * GAP + MID;
  const height = 196;
  // Keyboard: the chart takes the focus (Tab); arrows move across a jaw and between the jaws,
  // Home/End to its ends; the tooth reached is read out (aria-activedescendant) and outlined.
  const svg = interactive ? s("svg", { viewBox: `0 0 ${width} ${height}`, class: "odontogram-svg", role: "group", tabindex: 0,
    "aria-label": "Odontogram, FDI notation: arrow keys move from tooth to tooth",
    "aria-roledescription": "dental chart" })
    : s("svg", { viewBox: `0 0 ${width} ${height}`, class: "odontogram-svg", role: "img", "aria-label": label || "Dental chart" });
  // One odontogram a page: the stylesheet fills with url(#hatch).
  const defs = s("defs", {}, s("pattern", { id: "hatch", width: 5, height: 5, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
    s("rect", { width: 5, height: 5, class: "hatch-bg" }), s("line", { x1: 0, y1: 0, x2: 0, y2: 5, class: "hatch-line" })));
  svg.append(defs);
  const xOf = (idx) => idx * (CELL + GAP) + (idx >= 8 ? MID : 0);
  svg.append(s("line", { x1: width / 2, y1: 4, x2: width / 2, y2: height - 4, class: "midline" }));
  svg.append(s("line", { x1: 0, y1: height / 2, x2: width, y2: height / 2, class: "occlusal-plane" }));
  const rows = [[UPPER, 30, 14], [LOWER, 126, 188]];
  for (const [row, yBox, yLabel] of rows) {
    row.forEach((tooth, idx) => {
      const x = xOf(idx);
      const state = toothState(teeth[tooth], planned[tooth] || []);
      const g = drawTooth(tooth, x, yBox, state, { idPrefix, interactive });
      if (ghost[tooth]?.length) drawGhost(g, tooth, x, yBox, ghost[tooth]);
      g.append(s("text", { x: x + CELL / 2, y: yLabel, class: "tooth-num" }, document.createTextNode(tooth)));
      svg.append(g);
    });
  }
  container.replaceChildren(svg);
  if (interactive) keyboardTeeth(svg, container.dataset.kbTooth || "11", (tooth) => { container.dataset.kbTooth = tooth; }, idPrefix);
}

function keyboardTeeth(svg, start, remember, idPrefix = "odontogram-") {
  let current = start;
  const show = () => {
    svg.querySelectorAll(".tooth-kb").forEach((n) => n.classList.remove("tooth-kb"));
    svg.setAttribute("aria-activedescendant", `${idPrefix}tooth-${current}`);
    if (document.activeElement === svg) svg.querySelector(`g.tooth[data-tooth="${current}"]`)?.classList.add("tooth-kb");
    remember(current);
  };
  svg.addEventListener("focus", show);
  svg.addEventListener("blur", () => svg.querySelectorAll(".tooth-kb").forEach((n) => n.classList.remove("tooth-kb")));
  svg.addEventListener("keydown", (event) => {
    const row = UPPER.includes(current) ? UPPER : LOWER;
    const idx = row.indexOf(current);
    const moves = {
      ArrowLeft: () => row[Math.max(0, idx - 1)], ArrowRight: () => row[Math.min(row.length - 1, idx + 1)],
      ArrowUp: () => UPPER[idx], ArrowDown: () => LOWER[idx], Home: () => row[0], End: () => row[row.length - 1],
    };
    if (!moves[event.key]) return;
    event.preventDefault();
    current = moves[event.key]();
    show();
  });
  svg.setAttribute("aria-activedescendant", `${idPrefix}tooth-${current}`);
}

// The perio grid: six sites per tooth (three buccal, three lingual/palatal), depths and bleeding.
// Depths read in the order they are said (mesial, middle, distal), whichever side of the screen
// the tooth is on; each cell's title names its site. ``pending``: values heard in an exam, not
// yet approved; ``cursor``: the exam's tooth and row.
export function renderPerio(container, perio, chart, { pending = false, cursor = null } = {}) {
  const teeth = chart?.teeth || {};
  const siteOrder = (tooth, side) => (side === "B" ? ["MB", "B", "DB"] : ["ML", "L", "DL"]);
  const table = (row, sides) => {
    const head = el("tr", {}, el("th", { class: "perio-side" }, ""), ...row.map((t) => el("th", { class: "perio-tooth" }, t)));
    const bodyRows = sides.map(([side, name]) => el("tr", {}, el("th", { class: "perio-side" }, name),
      ...row.map((t) => {
        const gone = ["missing", "extracted"].includes(teeth[t]?.status);
        const cells = siteOrder(t, side).map((site) => {
          const v = perio?.[t]?.[site];
          const depth = v?.depth;
          const cls = ["pd"];
          if (depth >= 5) cls.push("pd-deep");
          else if (depth === 4) cls.push("pd-watch");
          if (v?.bleeding) cls.push("bop");
          return el("span", { class: cls.join(" "), "data-tooth": t, "data-site": site,
            title: `${t} ${site}${depth !== undefined ? `: ${depth} mm` : ""}${v?.bleeding ? ", bleeding" : ""}` },
          depth ?? "·");
        });
        const here = cursor && cursor.tooth === t && (cursor.row === "buccal") === (side === "B");
        const cls = ["perio-cell", gone ? "gone" : "", pending ? "pending" : "", here ? "cursor" : ""].filter(Boolean).join(" ");
        return el("td", { class: cls, ...(here ? { "aria-current": "location" } : {}) }, ...cells);
      })));
    return el("table", { class: "perio-table" }, el("thead", {}, head), el("tbody", {}, ...bodyRows));
  };
  const any = perio && Object.keys(perio).length;
  const grid = el("div", { class: "perio-scroll" },
    table(UPPER, [["B", "Buccal"], ["L", "Palatal"]]),
    table(LOWER, [["L", "Lingual"], ["B", "Buccal"]]));
  container.replaceChildren(grid);
  if (!any && !pending) container.append(el("p", { class: "muted small" }, "No probing recorded yet. Dictate e.g. “pocket depths 16 buccal 3 4 5, bleeding on 16 buccal”."));
}
