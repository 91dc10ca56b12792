// Listen's player, for the pages that offer it (the change page's preview, the Review page):
// posts {text, modes} to the Listen endpoint an app offers (sync: the organization's target),
// says which target's model and voice speak and what the model receives, and plays the text
// before (what that target serves now), then after, the rules. ``lexiconSpeakClear`` empties a
// player whose audio no longer matches the rules on the page.
window.lexiconSpeakClear = function (shown) {
  "use strict";
  for (const audio of [shown.before, shown.after]) {
    if (audio.getAttribute("src")) { audio.pause(); audio.removeAttribute("src"); audio.load(); }
  }
  shown.status.textContent = "The rules changed: press Listen to hear them.";
};
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
    const heard = answer.heard_on ? answer.heard_on.words + ". " : "";
    shown.status.textContent = heard + "Model receives: " + answer.text;
    if (shown.heard) { shown.heard.textContent = heard.trim(); }
    shown.before.src = answer.original_audio;
    shown.after.src = answer.rewritten_audio;
    // The players show once there is something to play (no empty players before Listen).
    const players = shown.before.closest("[hidden]");
    if (players) { players.hidden = false; }
    shown.before.onended = () => { shown.after.play().catch(() => {}); };
    shown.before.play().catch(() => {});
  }).catch(() => { shown.status.textContent = "Listen failed."; });
};
