// The "Scan texts" page: filters over the findings, and "Add to dictionary" without leaving
// the page (the forms post the same fields without this script, and come back with a message).
"use strict";

function scanFilter() {
  const reason = document.getElementById("scan-filter-reason").value;
  const uncovered = document.getElementById("scan-filter-uncovered").checked;
  const text = document.getElementById("scan-filter-text").value.trim().toLowerCase();
  for (const row of document.querySelectorAll("#scan-findings .scan-finding")) {
    const reasons = row.dataset.reasons.split(" ");
    const shown = (!reason || reasons.includes(reason))
      && (!uncovered || row.dataset.covered === "0")
      && (!text || row.dataset.key.includes(text));
    row.hidden = !shown;
  }
}

async function scanAdd(event) {
  event.preventDefault();
  const form = event.target;
  const status = form.querySelector(".scan-added");
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    const body = await response.json();
    status.textContent = body.message;
    status.className = response.ok ? "scan-added scan-ok" : "scan-added scan-error";
    button.disabled = response.ok;
  } catch (error) {
    status.textContent = "Could not add the rule: " + error;
    status.className = "scan-added scan-error";
    button.disabled = false;
  }
}

// Listen: the finding's example sentence spoken before, then after, the suggested rule as it
// is in the row's fields, through the Listen endpoint an app offers (speak.js plays it).
function scanListen(event) {
  const box = event.target.closest(".scan-listen");
  const form = box.closest("form");
  const rule = {match: form.elements.match.value, replace: form.elements.replace.value};
  const csrf = form.elements.csrfmiddlewaretoken.value;
  window.lexiconSpeak(box.dataset.listenUrl, {
    text: event.target.dataset.text,
    modes: {rewrite: {rules: [rule]}},
  }, csrf, {
    status: box.querySelector(".scan-listen-status"),
    before: box.querySelector(".scan-listen-before"),
    after: box.querySelector(".scan-listen-after"),
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const filters = document.getElementById("scan-filters");
  if (filters) {
    filters.hidden = false;
    for (const id of ["scan-filter-reason", "scan-filter-uncovered", "scan-filter-text"]) {
      document.getElementById(id).addEventListener("input", scanFilter);
    }
  }
  for (const form of document.querySelectorAll("form.scan-add")) {
    form.addEventListener("submit", scanAdd);
  }
  if (window.lexiconSpeak) {
    for (const button of document.querySelectorAll(".scan-listen-button")) {
      button.addEventListener("click", scanListen);
    }
  }
});
