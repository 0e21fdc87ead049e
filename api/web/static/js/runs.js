// Runs (GET /api/v1/runs), newest first: filtered by patient, who started them, status and
// date (kept in the address, so a filtered list can be linked), a page of PAGE at a time.

import { api, el, formatDuration, formatTime, humanize, page, patientNames, statusClass } from "./api.js";

const PAGE = 25;
const tbody = document.querySelector("#runs-table tbody");
const form = document.getElementById("runs-filter");
const newer = document.getElementById("page-newer");
const older = document.getElementById("page-older");
const where = document.getElementById("page-where");
let offset = 0;
let latest = 0; // only the newest request's answer is shown (an older, slower one may come back last)

function filters() {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(form)) if (value) params.set(key, value);
  return params;
}

function query() {
  const params = filters();
  if (params.get("user_id") === "me") params.set("user_id", page.user?.id || "");
  if (params.get("since")) params.set("since", new Date(`${params.get("since")}T00:00:00`).toISOString());
  if (params.get("until")) { // the whole "to" day
    const end = new Date(`${params.get("until")}T00:00:00`);
    end.setDate(end.getDate() + 1);
    params.set("until", end.toISOString());
  }
  params.set("limit", String(PAGE + 1)); // one more: is there an older page?
  params.set("offset", String(offset));
  return params;
}

function row(r) {
  return el("tr", { class: "row-link", dataset: { runId: r.id } },
    el("td", {}, el("a", { href: `/runs/${r.id}` }, formatTime(r.started_at))),
    el("td", {}, r.patient_id ? el("a", { href: `/patients/${r.patient_id}` }, r.patient_name || "Patient") : "–"),
    el("td", { class: "hide-sm" }, r.user_name || "–"),
    el("td", {}, humanize(r.workflow)),
    el("td", {}, el("span", { class: statusClass(r.undone ? "CANCELLED" : r.status) }, r.undone ? "Undone" : humanize(r.status.toLowerCase()))),
    el("td", { class: "muted hide-sm" }, r.current_node || "–"),
    el("td", { class: "num" }, r.completed_at ? formatDuration(new Date(r.completed_at) - new Date(r.started_at)) : "–"));
}

async function load() {
  const shown = filters();
  shown.delete("offset");
  if (offset) shown.set("page", String(offset / PAGE + 1));
  history.replaceState(null, "", shown.toString() ? `?${shown}` : location.pathname);
  const mine = ++latest;
  try {
    const runs = await api(`/api/v1/runs?${query()}`);
    if (mine !== latest) return;
    const more = runs.length > PAGE;
    const rows = runs.slice(0, PAGE);
    tbody.replaceChildren(...(rows.length ? rows.map(row)
      : [el("tr", {}, el("td", { colspan: 7, class: "muted" }, offset || filters().toString() ? "No runs match." : "No runs yet."))]));
    newer.disabled = offset === 0;
    older.disabled = !more;
    where.textContent = rows.length ? `Runs ${offset + 1}–${offset + rows.length}` : "";
  } catch (err) {
    if (mine !== latest) return;
    tbody.replaceChildren(el("tr", {}, el("td", { colspan: 7, class: "form-error" }, err.message)));
  }
}

tbody.addEventListener("click", (event) => {
  const link = event.target.closest("tr")?.querySelector("a");
  if (link && !event.target.closest("a")) window.location.assign(link.href);
});
form.addEventListener("change", () => { offset = 0; load(); });
form.addEventListener("submit", (event) => event.preventDefault());
form.addEventListener("reset", () => setTimeout(() => { offset = 0; load(); }));
newer.addEventListener("click", () => { offset = Math.max(0, offset - PAGE); load(); });
older.addEventListener("click", () => { offset += PAGE; load(); });

async function start() {
  const names = await patientNames().catch(() => ({}));
  const select = document.getElementById("filter-patient");
  select.append(...Object.entries(names).sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) => el("option", { value: id }, name)));
  const asked = new URLSearchParams(location.search);
  for (const field of form.elements) if (field.name && asked.get(field.name)) field.value = asked.get(field.name);
  offset = Math.max(0, (Number(asked.get("page")) || 1) - 1) * PAGE;
  await load();
}
start();
