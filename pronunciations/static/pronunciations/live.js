// Live pages: window.lexiconFollow(url, show) asks a small JSON endpoint every few seconds, only
// while the page is visible (document.visibilityState), and at once when it becomes visible
// again; show(body) redraws what changed. Pages that follow decisions and syncs made elsewhere
// (the Review page, the dictionary list's badges) use it.
(function () {
  "use strict";
  const EVERY_MS = 5000;

  window.lexiconFollow = function (url, show) {
    let timer = null;
    let busy = false;

    function ask() {
      if (busy || document.visibilityState !== "visible") { return; }
      busy = true;
      fetch(url, {headers: {Accept: "application/json"}, credentials: "same-origin"})
        .then((response) => (response.ok ? response.json() : null))
        .then((body) => { if (body) { show(body); } })
        .catch(() => {})
        .finally(() => { busy = false; });
    }

    function start() {
      clearInterval(timer);
      timer = setInterval(ask, EVERY_MS);
    }

    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") { ask(); start(); } else { clearInterval(timer); }
    });
    start();
  };
}());
