// The dictionary list's SLNG badges follow syncs and review decisions made elsewhere: every few
// seconds while the page is visible (pronunciations/live.js), the list asks for its rows' badges.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const cells = new Map();
  for (const cell of document.querySelectorAll(".sync-badges[data-dictionary]")) {
    cells.set(cell.dataset.dictionary, cell);
  }
  if (!cells.size || !window.lexiconFollow) { return; }
  // The list is the dictionary admin's changelist; its badges endpoint sits below it.
  const url = window.location.pathname + "sync/badges/?ids=" + [...cells.keys()].join(",");
  window.lexiconFollow(url, (body) => {
    for (const [pk, html] of Object.entries(body.badges || {})) {
      const cell = cells.get(pk);
      if (cell && cell.innerHTML !== html) { cell.innerHTML = html; }
    }
  });
});
