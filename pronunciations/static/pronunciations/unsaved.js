// No lost work: leaving a dictionary's change page with unsaved edits asks first, whether by
// closing or reloading the tab (beforeunload) or by a link on the page (breadcrumbs, Revisions,
// the menu); saving never asks. "Unsaved" means the form differs from what the page loaded with.
(function () {
  "use strict";
  const QUESTION = "This dictionary has unsaved changes. Leave this page and lose them?";
  let form = null;
  let loaded = null;
  let leaving = false;

  function state() {
    const data = new FormData(form);
    data.delete("csrfmiddlewaretoken");
    return new URLSearchParams(data).toString();
  }

  function unsaved() {
    return form !== null && loaded !== null && !leaving && state() !== loaded;
  }

  function leavesPage(link, event) {
    if (event.defaultPrevented || event.button !== 0) { return false; }
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return false; }
    if (link.target && link.target !== "_self") { return false; }
    if (link.hasAttribute("download")) { return false; }
    const href = link.getAttribute("href") || "";
    if (!href || href.startsWith("#") || href.startsWith("javascript:")) { return false; }
    const url = new URL(link.href, window.location.href);
    return !(url.pathname === window.location.pathname && url.search === window.location.search && url.hash);
  }

  window.addEventListener("load", () => {
    form = document.getElementById("dictionary_form");
    if (!form) { return; }
    loaded = state();
    form.addEventListener("submit", () => { leaving = true; });
  });

  window.addEventListener("beforeunload", (event) => {
    if (!unsaved()) { return; }
    event.preventDefault();
    event.returnValue = "";
  });

  document.addEventListener("click", (event) => {
    const link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || !leavesPage(link, event) || !unsaved()) { return; }
    if (window.confirm(QUESTION)) {
      leaving = true;
    } else {
      event.preventDefault();
    }
  }, true);
}());
