// Links to one rule (from "Where is this word?") end in #rule=<mode>:<match>: the rules editor
// (rules.js, window.lexiconRules) shows that mode's tab, scrolls to the row and marks it.
(function () {
  "use strict";
  function show() {
    const found = window.location.hash.match(/^#rule=(.*)$/);
    if (!found || !window.lexiconRules) { return; }
    const wanted = decodeURIComponent(found[1]);
    const colon = wanted.indexOf(":");
    window.lexiconRules.revealMatch(wanted.slice(0, colon), wanted.slice(colon + 1));
  }
  document.addEventListener("DOMContentLoaded", show);
  window.addEventListener("hashchange", show);
})();
