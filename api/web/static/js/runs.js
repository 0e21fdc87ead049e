// Recent runs (GET /api/v1/runs), newest first.

import { api, el, formatDuration, formatTime, humanize, statusClass } from "./api.js";

const tbody = document.querySelector("#runs-table tbody");

api("/api/v1/runs?limit=100").then((runs) => {
  tbody.replaceChildren(...(runs.length ? runs.map((r) => el("tr", { class: "row-link" },
    el("td", {}, el("a", { href: `/runs/${r.id}` }, formatTime(r.started_at))),
    el("td", {}, humanize(r.workflow)),
    el("td", {}, el("span", { class: statusClass(r.status) }, humanize(r.status.toLowerCase()))),
    el("td", { class: "muted hide-sm" }, r.current_node || "–"),
    el("td", { class: "num" }, r.completed_at ? formatDuration(new Date(r.completed_at) - new Date(r.started_at)) : "–"),
  )) : [el("tr", {}, el("td", { colspan: 5, class: "muted" }, "No runs yet."))]));
  tbody.addEventListener("click", (event) => {
    const link = event.target.closest("tr")?.querySelector("a");
    if (link && !event.target.closest("a")) window.location.assign(link.href);
  });
}).catch((err) => {
  tbody.replaceChildren(el("tr", {}, el("td", { colspan: 5, class: "form-error" }, err.message)));
});
