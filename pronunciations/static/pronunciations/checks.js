// The checks editor beside the preview: each check's sentence is run through the preview
// endpoint with the rules on the page (saved or not), and its row shows what the model receives
// and whether that is the expected text. Rows are inputs of the change form, saved with it.
document.addEventListener("DOMContentLoaded", () => {
  "use strict";
  const panel = document.getElementById("checks-panel");
  const previewPanel = document.getElementById("preview-panel");
  const rules = window.lexiconRules;
  if (!panel || !previewPanel || !rules) { return; }
  const list = document.getElementById("check-rows");
  const summary = document.getElementById("checks-summary");
  const general = document.getElementById("checks-general");
  const empty = panel.querySelector(".checks-empty");
  const template = document.getElementById("check-row-template");
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  let timer = null;
  let sent = 0;

  function value(row, part) {
    const input = row.querySelector(".check-" + part);
    if (input) { return input.value; }
    const shown = row.querySelector(".check-" + part + "-read");
    return shown ? shown.textContent.replace(/^→ /, "") : "";
  }
  // The rows the server counts (it leaves out blank ones too).
  function liveRows() {
    return Array.from(list.querySelectorAll(".check-row")).filter((row) =>
      ["text", "expect", "note"].some((part) => value(row, part).trim()));
  }
  function checks() { return liveRows().map((row) => ({text: value(row, "text"), expect: value(row, "expect")})); }

  // A failing check explained: expected and got side by side, the differing words marked, and
  // the rules that fired there (or none: a rule may be missing).
  function pieces(box, parts, kind) {
    box.textContent = "";
    for (const [text, differs] of parts) {
      if (differs) {
        const mark = document.createElement("mark");
        mark.className = "check-diff-" + kind;
        mark.textContent = text;
        box.append(mark);
      } else {
        box.append(document.createTextNode(text));
      }
    }
  }
  function explain(row, explained) {
    const box = row.querySelector(".check-explain");
    if (!box) { return; }
    box.hidden = !explained;
    if (!explained) { return; }
    pieces(box.querySelector(".check-explain-expected"), explained.expected, "expected");
    pieces(box.querySelector(".check-explain-got"), explained.got, "got");
    const rules = box.querySelector(".check-explain-rules");
    rules.textContent = explained.rules.length
      ? (explained.rules.length === 1 ? "Rule that fired there: " : "Rules that fired there: ") + explained.rules.join("; ")
      : "No rule fired there: a rule may be missing.";
  }

  function show(row, result) {
    explain(row, result.explain || null);
    const verdict = row.querySelector(".check-verdict");
    const gotLine = row.querySelector(".check-got-line");
    const useGot = row.querySelector(".check-use-got");
    row.classList.toggle("check-passed", result.passed === true);
    row.classList.toggle("check-failed", result.passed === false);
    verdict.textContent = result.passed === true ? "✓ passes" : result.passed === false ? "✗ fails" : "";
    gotLine.hidden = result.got === null;
    row.querySelector(".check-got").textContent = result.got === null ? "" : result.got;
    if (useGot) { useGot.hidden = result.passed !== false; }
    const problems = row.querySelector(".check-problems");
    problems.textContent = "";
    for (const message of result.problems || []) {
      const item = document.createElement("li");
      item.textContent = message;
      problems.append(item);
    }
  }

  function render(body) {
    const rows = liveRows();
    for (const row of list.querySelectorAll(".check-row")) {
      if (!rows.includes(row)) { show(row, {got: null, passed: null, problems: []}); }
    }
    if (!body.checks) {  // the rules need fixing first
      rows.forEach((row) => show(row, {got: null, passed: null, problems: []}));
      summary.textContent = rows.length ? "fix the rules to run them" : "";
      return;
    }
    body.checks.results.forEach((result, i) => { if (rows[i]) { show(rows[i], result); } });
    general.textContent = "";
    for (const message of body.checks.general) {
      const item = document.createElement("li");
      item.textContent = message;
      general.append(item);
    }
    general.hidden = !body.checks.general.length;
    const passed = body.checks.results.filter((result) => result.passed === true).length;
    summary.textContent = rows.length ? passed + " of " + rows.length + " pass" : "";
  }

  function refresh() {
    const ticket = ++sent;
    empty.hidden = list.querySelector(".check-row") !== null;
    fetch(previewPanel.dataset.previewUrl, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({text: "", modes: rules.modes(), checks: checks()}),
    }).then((response) => response.json()).then((body) => {
      if (ticket === sent) { render(body); }
    }).catch(() => { summary.textContent = "could not be run; they run again when you type"; });
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(refresh, 250); }

  panel.addEventListener("input", (event) => { if (event.target.closest(".check-row")) { schedule(); } });
  document.addEventListener("lexicon:rules-changed", schedule);
  panel.addEventListener("click", (event) => {
    const row = event.target.closest(".check-row");
    if (event.target.closest(".check-remove") && row) {
      row.remove();
      schedule();
    } else if (event.target.closest(".check-use-got") && row) {
      row.querySelector(".check-expect").value = row.querySelector(".check-got").textContent;
      schedule();
    }
  });
  const add = document.getElementById("add-check");
  if (add && template) {
    add.addEventListener("click", () => {
      if (list.querySelectorAll(".check-row").length >= Number(panel.dataset.max)) { return; }
      list.append(template.content.cloneNode(true));
      empty.hidden = true;
      list.lastElementChild.querySelector(".check-text").focus();
    });
  }
  refresh();
});
