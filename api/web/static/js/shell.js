// Every signed-in page: sign-out, the inbox count in the header, undo toasts still open.

import { api } from "./api.js";
import { restoreUndoToasts, toast } from "./toasts.js";

document.getElementById("signout")?.addEventListener("click", async () => {
  try {
    await api("/auth/logout", { method: "POST" });
  } catch (err) {
    if (err.status !== 401) toast(err.message, { kind: "error" });
  }
  localStorage.removeItem("dentalagent.undo");
  window.location.assign("/signin");
});

export async function refreshInboxCount() {
  const badge = document.getElementById("inbox-count");
  if (!badge) return;
  try {
    const rows = await api("/api/v1/approvals");
    badge.textContent = String(rows.length);
    badge.hidden = rows.length === 0;
  } catch {
    badge.hidden = true;
  }
}

window.addEventListener("dentalagent:inbox-changed", refreshInboxCount);
refreshInboxCount();
restoreUndoToasts();
