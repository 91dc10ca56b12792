// The Review page's Listen buttons: a changed rule's match spoken before, then after, the
// proposed revision's rules, through the Listen endpoint an app offers (sync: the target's TTS).
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value;
  for (const box of document.querySelectorAll(".review-listen")) {
    const modes = JSON.parse(document.getElementById(box.dataset.modesId).textContent);
    const status = box.querySelector(".review-listen-status");
    const before = box.querySelector(".review-listen-before");
    const after = box.querySelector(".review-listen-after");
    for (const button of box.querySelectorAll(".review-listen-button")) {
      button.addEventListener("click", () => {
        status.textContent = "Speaking…";
        fetch(box.dataset.listenUrl, {
          method: "POST",
          headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
          body: JSON.stringify({text: button.dataset.text, modes: modes}),
        }).then((response) => response.json()).then((body) => {
          if (body.errors || body.error) {
            status.textContent = body.error || Object.values(body.errors).flat().join("; ");
            return;
          }
          status.textContent = "Model receives: " + body.text;
          before.src = body.original_audio;
          after.src = body.rewritten_audio;
          before.onended = () => { after.play().catch(() => {}); };
          before.play().catch(() => {});
        }).catch(() => { status.textContent = "Listen failed."; });
      });
    }
  }
});
