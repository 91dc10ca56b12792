// Links to one rule (from "Where is this word?") end in #rule=<mode>:<match>: scroll to the row
// whose mode and match are those, and mark it, whatever the table's layout.
(function () {
  "use strict";
  function show() {
    const found = window.location.hash.match(/^#rule=(.*)$/);
    if (!found) { return; }
    const wanted = decodeURIComponent(found[1]);
    const colon = wanted.indexOf(":");
    const mode = wanted.slice(0, colon), match = wanted.slice(colon + 1).toLocaleLowerCase();
    for (const input of document.querySelectorAll("input[name$='-match']")) {
      const row = input.closest("tr, .inline-related, .form-row");
      const modeField = row && row.querySelector("[name$='-mode']");
      if (row && input.value.toLocaleLowerCase() === match && (!modeField || modeField.value === mode)) {
        row.classList.add("rule-linked");
        row.style.outline = "3px solid #f59e0b";
        row.scrollIntoView({block: "center"});
        input.focus({preventScroll: true});
        return;
      }
    }
  }
  document.addEventListener("DOMContentLoaded", show);
  window.addEventListener("hashchange", show);
})();
