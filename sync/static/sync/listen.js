// Listen, in the dictionary's preview panel: the preview's text spoken by the organization's
// SLNG target before, then after, the rules on the page (saved or not).
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const preview = window.lexiconPreview;
  const listenRow = document.getElementById("listen-row");
  if (!preview || !listenRow) { return; }
  const before = document.getElementById("listen-before");
  const after = document.getElementById("listen-after");
  const status = document.getElementById("listen-status");
  document.getElementById("listen").addEventListener("click", () => {
    status.textContent = "Speaking…";
    fetch(listenRow.dataset.listenUrl, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRFToken": preview.csrf},
      body: JSON.stringify({text: preview.text(), modes: preview.modes()}),
    }).then((response) => response.json()).then((body) => {
      if (body.errors || body.error) {
        const rules = body.errors && Object.keys(body.errors).some((key) => key.startsWith("modes"));
        status.textContent = body.error || (rules ? "Fix the rules marked in red first." : Object.values(body.errors).flat().join(" "));
        return;
      }
      status.textContent = "Model receives: " + body.text;
      before.src = body.original_audio;
      after.src = body.rewritten_audio;
      before.onended = () => { after.play().catch(() => {}); };
      before.play().catch(() => {});
    }).catch(() => { status.textContent = "Listen failed."; });
  });
});
