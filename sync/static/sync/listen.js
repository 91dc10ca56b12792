// Listen, in the dictionary's preview panel: the preview's text spoken by a target's model and
// voice (production's unless another is chosen) before (what that target serves now), then
// after, the rules on the page (saved or not), with pronunciations' player (speak.js). Audio
// that no longer matches the page's rules is cleared.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const preview = window.lexiconPreview;
  const listenRow = document.getElementById("listen-row");
  if (!preview || !listenRow || !window.lexiconSpeak) { return; }
  const choice = document.getElementById("listen-target");
  const shown = {
    before: document.getElementById("listen-before"),
    after: document.getElementById("listen-after"),
    status: document.getElementById("listen-status"),
    heard: document.getElementById("listen-heard"),
  };
  document.getElementById("listen").addEventListener("click", () => {
    const body = {text: preview.text(), modes: preview.modes(), target: choice.value};
    window.lexiconSpeak(listenRow.dataset.listenUrl, body, preview.csrf, shown);
  });
  choice.addEventListener("change", () => {
    shown.heard.textContent = choice.selectedOptions[0].dataset.heard;
    window.lexiconSpeakClear(shown);
  });
  document.addEventListener("lexicon:rules-changed", () => window.lexiconSpeakClear(shown));
});
