// The Review page follows decisions made elsewhere while it is open: a proposal decided,
// withdrawn or superseded meanwhile loses its buttons and says so; new proposals are announced
// with a link to reload; the count follows.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const page = document.querySelector(".review-page[data-state-url]");
  if (!page || !window.lexiconFollow) { return; }
  const notice = document.getElementById("review-live");

  function gone(proposal) {
    if (proposal.classList.contains("review-gone")) { return; }
    proposal.classList.add("review-gone");
    const form = proposal.querySelector(".review-decide");
    if (form) {
      const note = document.createElement("p");
      note.className = "review-gone-note";
      note.textContent = "Decided elsewhere, withdrawn or replaced by a newer change since this page was opened: nothing to do here.";
      form.replaceWith(note);
    }
  }

  window.lexiconFollow(page.dataset.stateUrl, (body) => {
    const waiting = new Set(body.waiting || []);
    const shown = new Set();
    for (const proposal of page.querySelectorAll(".review-proposal")) {
      const key = proposal.id.replace("proposal-", "");
      shown.add(key);
      if (!waiting.has(key)) { gone(proposal); }
    }
    const count = document.getElementById("review-count");
    if (count) { count.textContent = String(body.total); }
    const fresh = [...waiting].filter((key) => !shown.has(key)).length;
    notice.hidden = fresh === 0;
    if (fresh) {
      notice.textContent = "";
      const link = document.createElement("a");
      link.href = window.location.pathname;
      link.id = "review-reload";
      link.textContent = fresh === 1 ? "1 new change waits for review: show it" : `${fresh} new changes wait for review: show them`;
      notice.append(link);
    }
  });
});
