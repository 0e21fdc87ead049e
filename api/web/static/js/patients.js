// The patient list (GET /api/v1/patients) with a quick name filter.

import { api, el, shortId } from "./api.js";

const tbody = document.querySelector("#patients-table tbody");
const search = document.getElementById("patient-search");
let patients = [];

function age(dob) {
  if (!dob) return "";
  const born = new Date(dob);
  const now = new Date();
  let years = now.getFullYear() - born.getFullYear();
  if (now < new Date(now.getFullYear(), born.getMonth(), born.getDate())) years -= 1;
  return `${years} y`;
}

function render() {
  const q = search.value.trim().toLowerCase();
  const rows = patients.filter((p) => !q || p.name.toLowerCase().includes(q));
  tbody.replaceChildren(...(rows.length ? rows.map((p) => el("tr", { class: "row-link", dataset: { href: `/patients/${p.id}` } },
    el("td", {}, el("a", { href: `/patients/${p.id}`, class: "strong" }, p.name)),
    el("td", {}, p.dob ? `${p.dob} · ${age(p.dob)}` : "–"),
    el("td", { class: "mono muted hide-sm" }, shortId(p.id)),
    el("td", { class: "num" }, el("a", { href: `/patients/${p.id}`, class: "btn btn-small" }, "Open chart")),
  )) : [el("tr", {}, el("td", { colspan: 4, class: "muted" }, q ? "No patient matches." : "No patients yet."))]));
}

tbody.addEventListener("click", (event) => {
  const row = event.target.closest("tr.row-link");
  if (row && !event.target.closest("a")) window.location.assign(row.dataset.href);
});
search.addEventListener("input", render);

api("/api/v1/patients").then((rows) => {
  patients = rows;
  render();
}).catch((err) => {
  tbody.replaceChildren(el("tr", {}, el("td", { colspan: 4, class: "form-error" }, err.message)));
});
