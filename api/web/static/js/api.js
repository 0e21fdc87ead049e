// Talking to /api/v1 from the browser: the session cookie rides along; anything that changes
// state sends the CSRF token from the readable dentalagent_csrf cookie.

export class ApiError extends Error {
  constructor(message, status, code, data) {
    super(message);
    this.status = status;
    this.code = code;
    this.data = data;
  }
}

export function csrfToken() {
  const match = document.cookie.split(";").map((c) => c.trim()).find((c) => c.startsWith("dentalagent_csrf="));
  return match ? decodeURIComponent(match.slice("dentalagent_csrf=".length)) : "";
}

export async function api(path, { method = "GET", body, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET" && method !== "HEAD") headers["X-CSRF-Token"] = csrfToken();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin", signal,
    });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError("The server cannot be reached. Check the connection and try again.", 0, "network", null);
  }
  if (response.status === 401 && !path.startsWith("/auth/")) {
    window.location.assign(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError("Your session has ended: sign in again.", 401, "unauthenticated", null);
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message = (data && data.error) || `The request failed (HTTP ${response.status}).`;
    throw new ApiError(message, response.status, (data && data.code) || "error", data);
  }
  return data;
}

export const page = JSON.parse(document.getElementById("page-data")?.textContent || "{}");

export function canDecideTier(tier) {
  const perms = new Set((page.user && page.user.permissions) || []);
  if (tier === null || tier === undefined) return perms.has("approvals.decide.tier3") || perms.has("approvals.decide.tier2");
  if (tier <= 1) return true;
  return perms.has(`approvals.decide.tier${tier}`);
}

// Tiny element builder: el("div", {class: "x", onclick: fn}, "text", child)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "style") node.style.cssText = value; // CSSOM, not a style attribute: the CSP allows it
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function shortId(id) {
  return id ? String(id).slice(0, 8) : "";
}

export function formatTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return d.toLocaleString([], { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

export function formatDuration(ms) {
  if (ms === null || ms === undefined) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
}

export function humanize(text) {
  if (!text) return "";
  const s = String(text).replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function statusClass(status) {
  return `status status-${String(status || "unknown").toLowerCase()}`;
}

let patientCache = null;
export async function patientNames() {
  if (!patientCache) {
    patientCache = api("/api/v1/patients").then((rows) => Object.fromEntries(rows.map((p) => [p.id, p.name])))
      .catch(() => ({}));
  }
  return patientCache;
}

const SITE_ORDER = ["MB", "B", "DB", "ML", "L", "DL"];

// Sites in the order they are said (mesial, middle, distal; buccal row first), never as stored.
export function siteList(map) {
  return Object.entries(map || {}).sort(([a], [b]) => SITE_ORDER.indexOf(a) - SITE_ORDER.indexOf(b))
    .map(([site, v]) => `${site} ${v}`).join(" · ");
}

// A person's title for a proposed tool call (the stored one-liner is written for logs).
export function actionTitle(tool, args, fallback) {
  const a = args || {};
  if (tool === "record_perio_measurements" && Array.isArray(a.teeth) && a.teeth.length > 3) {  // a whole exam
    const depths = a.teeth.flatMap((t) => Object.values(t.depths_mm || {}));
    const bleeding = a.teeth.reduce((n, t) => n + (t.bleeding_sites || []).length, 0);
    return `Perio exam: ${a.teeth.length} teeth, ${depths.length} sites` + (depths.length ? `, deepest ${Math.max(...depths)} mm` : "")
      + (bleeding ? `, ${bleeding} bleeding` : "");
  }
  if (tool === "record_perio_measurements" && Array.isArray(a.teeth)) {
    return a.teeth.map((t) => {
      const parts = [];
      if (t.depths_mm && Object.keys(t.depths_mm).length) parts.push(`${siteList(t.depths_mm)} mm`);
      if (t.bleeding_sites && t.bleeding_sites.length) parts.push(`bleeding ${t.bleeding_sites.join(", ")}`);
      if (t.recession_mm && Object.keys(t.recession_mm).length) parts.push(`recession ${siteList(t.recession_mm)} mm`);
      if (t.mobility_grade !== null && t.mobility_grade !== undefined) parts.push(`mobility ${t.mobility_grade}`);
      return `Perio: tooth ${t.tooth}${parts.length ? ` · ${parts.join(", ")}` : ""}`;
    }).join("; ");
  }
  if (tool === "resolve_source_disagreement" && a.finding) {
    return `Disagreement: ${a.finding} → ${String(a.resolution || "").replace(/_/g, " ")}`;
  }
  if (tool === "add_treatment_plan_item" && !a.code && a.label) {
    const surfaces = (a.surfaces || []).length ? ` (${a.surfaces.join("")})` : "";
    return `Plan: ${String(a.label).replace(/_/g, " ")}${a.tooth ? ` on tooth ${a.tooth}${surfaces}` : ""}${a.phase ? ` · phase ${a.phase}` : ""}`;
  }
  if (tool === "add_treatment_plan_item" && a.code) {
    const surfaces = (a.surfaces || []).length ? ` (${a.surfaces.join("")})` : "";
    return `Plan: ${a.code}${a.label ? ` ${String(a.label).replace(/_/g, " ")}` : ""}${a.tooth ? ` on tooth ${a.tooth}${surfaces}` : ""}`;
  }
  return fallback || humanize(tool);
}

// A refusal as a person reads it: no ids, no command-line advice (the API's message serves
// the CLI too, which needs both).
const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
export function plain(message) {
  return String(message || "")
    .replace(/(approval|run|change|request|prediction) [0-9a-f-]{36}\s*/gi, "")
    .replace(UUID_RE, "")
    .replace(/:?\s*(correct|set) it (with|first with)? ?(approvals )?(edit )?--set[^;.]*/gi, ": correct it with Edit (E) first")
    .replace(/\s*--set\b/g, "")
    .replace(/\s*\((approvals\.[a-z0-9.]+) needed\)/gi, "")
    .replace(/\s{2,}/g, " ").trim();
}
