// The sync panel follows a sync without a reload: after a save (or on a page whose targets are
// still pending) and after Sync now, it asks its small JSON endpoint, less and less often, until
// every target has settled (verified, failed, or looked at by a finished run). Settled, it keeps
// following what happens elsewhere (a reviewer's approval, a scheduled sync) every 5 seconds,
// only while the page is visible.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const panel = document.getElementById("sync-panel");
  if (!panel) { return; }
  const message = document.getElementById("sync-message");
  const MAX_POLLS = 120;
  const SETTLED_MS = 5000;
  let polls = 0;
  let timer = null;
  let after = 0;

  function set(row, field, text) {
    const cell = row.querySelector(`[data-field="${field}"]`);
    if (cell) { cell.textContent = text; }
    return cell;
  }

  function show(targets) {
    for (const target of targets) {
      const row = Array.from(panel.querySelectorAll("tr.sync-row")).find((r) => r.dataset.target === target.target);
      if (!row) { continue; }
      const badge = set(row, "status", target.status);
      badge.className = "sync-badge sync-" + target.status;
      set(row, "note", target.note);
      set(row, "revision", target.revision);
      set(row, "waiting", target.waiting);
      set(row, "audible", target.audible);
      set(row, "checked", target.checked || "not yet");
      const run = set(row, "run", target.run_label);
      run.href = target.run_url || "#";
      run.hidden = !target.run_url;
      set(row, "what", target.what);
      set(row, "todo", target.todo);
      row.querySelector('[data-field="todo-label"]').hidden = !target.todo;
      set(row, "detail", target.detail);
      row.querySelector('[data-field="detail-box"]').hidden = !target.detail;
      row.querySelector('[data-field="none"]').hidden = Boolean(target.what);
    }
  }

  function poll() {
    if (panel.dataset.settled !== "true") { polls += 1; }
    fetch(panel.dataset.statusUrl + "?after=" + after, {headers: {Accept: "application/json"}})
      .then((response) => response.json())
      .then((body) => {
        show(body.targets || []);
        panel.dataset.settled = body.settled ? "true" : "false";
        if (body.settled) {
          if (after) { message.textContent = "Sync finished."; }
          after = 0;
          watch();
        } else {
          follow();
        }
      })
      .catch(() => (panel.dataset.settled === "true" ? watch() : follow()));
  }

  function watch() {
    clearTimeout(timer);
    if (document.visibilityState === "visible") { timer = setTimeout(poll, SETTLED_MS); }
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && panel.dataset.settled === "true") { poll(); }
    else if (document.visibilityState !== "visible" && panel.dataset.settled === "true") { clearTimeout(timer); }
  });

  function follow() {
    clearTimeout(timer);
    if (polls >= MAX_POLLS) {
      message.textContent = "Still waiting for the sync worker; reload the page later to see how it went.";
      return;
    }
    timer = setTimeout(poll, Math.min(1000 + polls * 250, 5000));
  }

  const button = document.getElementById("sync-now");
  if (button) {
    button.addEventListener("click", (event) => {
      event.preventDefault();
      const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
      message.textContent = "Queuing…";
      fetch(button.getAttribute("formaction"), {
        method: "POST",
        headers: {Accept: "application/json", "X-CSRFToken": csrf},
      }).then((response) => response.json()).then((body) => {
        if (!body.queued) { message.textContent = body.message; return; }
        message.textContent = body.message + " Following it here…";
        after = body.after || 0;
        panel.dataset.settled = "false";
        polls = 0;
        follow();
      }).catch(() => { message.textContent = "Sync now failed; try again."; });
    });
  }

  if (panel.dataset.settled !== "true") { follow(); } else { watch(); }
});
