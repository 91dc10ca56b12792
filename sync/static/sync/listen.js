// Listen, in the dictionary's preview panel: the preview's text spoken by the organization's
// SLNG target before, then after, the rules on the page (saved or not), with pronunciations'
// player (speak.js).
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const preview = window.lexiconPreview;
  const listenRow = document.getElementById("listen-row");
  if (!preview || !listenRow || !window.lexiconSpeak) { return; }
  const shown = {
    before: document.getElementById("listen-before"),
    after: document.getElementById("listen-after"),
    status: document.getElementById("listen-status"),
  };
  document.getElementById("listen").addEventListener("click", () => {
    const body = {text: preview.text(), modes: preview.modes()};
    window.lexiconSpeak(listenRow.dataset.listenUrl, body, preview.csrf, shown);
  });
});
