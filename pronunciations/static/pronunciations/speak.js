// Listen's player, for the pages that offer it (the change page's preview, the Review page):
// posts {text, modes} to the Listen endpoint an app offers (sync: the organization's target),
// says what the model receives, and plays the text before, then after, the rules.
window.lexiconSpeak = function (url, body, csrf, shown) {
  "use strict";
  shown.status.textContent = "Speaking…";
  fetch(url, {
    method: "POST",
    headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
    body: JSON.stringify(body),
  }).then((response) => response.json()).then((answer) => {
    if (answer.errors || answer.error) {
      const rules = answer.errors && Object.keys(answer.errors).some((key) => key.startsWith("modes"));
      shown.status.textContent = answer.error || (rules ? "Fix the rules marked in red first." : Object.values(answer.errors).flat().join(" "));
      return;
    }
    shown.status.textContent = "Model receives: " + answer.text;
    shown.before.src = answer.original_audio;
    shown.after.src = answer.rewritten_audio;
    // The players show once there is something to play (no empty players before Listen).
    const players = shown.before.closest("[hidden]");
    if (players) { players.hidden = false; }
    shown.before.onended = () => { shown.after.play().catch(() => {}); };
    shown.before.play().catch(() => {});
  }).catch(() => { shown.status.textContent = "Listen failed."; });
};
