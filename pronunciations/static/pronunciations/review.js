// The Review page's Listen buttons: a changed rule's match spoken before, then after, the
// proposed revision's rules, through the Listen endpoint an app offers (speak.js plays it).
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value;
  if (!window.lexiconSpeak) { return; }
  for (const box of document.querySelectorAll(".review-listen")) {
    const modes = JSON.parse(document.getElementById(box.dataset.modesId).textContent);
    const shown = {
      status: box.querySelector(".review-listen-status"),
      before: box.querySelector(".review-listen-before"),
      after: box.querySelector(".review-listen-after"),
    };
    for (const button of box.querySelectorAll(".review-listen-button")) {
      button.addEventListener("click", () => {
        window.lexiconSpeak(box.dataset.listenUrl, {text: button.dataset.text, modes: modes}, csrf, shown);
      });
    }
  }
});
