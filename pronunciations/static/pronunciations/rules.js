// The rules editor of the dictionary change page: a tab per mode (rewrite first), rows ordered
// by dragging (or the arrow buttons), added one by one or pasted many at once, removed, and
// filtered. The page posts each mode's rows in their order, so positions are never typed.
// window.lexiconRules gives the page's rules to the preview and puts problems on their rows.
(function () {
  "use strict";
  const editor = document.getElementById("rules-editor");
  if (!editor) { return; }
  const editable = !editor.classList.contains("readonly");
  const bodies = Array.from(editor.querySelectorAll("tbody[data-mode]"));
  const bodyOf = (mode) => editor.querySelector(`tbody[data-mode="${mode}"]`);
  const filterBox = document.getElementById("rule-filter");
  const filterCount = document.getElementById("rule-filter-count");

  function changed() {
    updateCounts();
    document.dispatchEvent(new CustomEvent("lexicon:rules-changed"));
  }

  function textOf(row, part) {
    const input = row.querySelector(part === "match" ? ".rule-match" : ".rule-value");
    if (input) { return input.value; }
    const text = row.querySelector(part === "match" ? ".rule-match-text" : ".rule-value-text");
    return text ? text.textContent : "";
  }

  // The rows that count as rules, per mode: not removed, not blank (the server skips those too).
  function liveRows(mode) {
    return Array.from(bodyOf(mode).rows).filter((row) =>
      !row.classList.contains("removed") && (textOf(row, "match").trim() || textOf(row, "value").trim()));
  }

  function modes() {
    const wire = {};
    for (const body of bodies) {
      const mode = body.dataset.mode;
      const field = mode === "ipa" ? "ipa" : "replace";
      wire[mode] = {rules: liveRows(mode).map((row) => ({match: textOf(row, "match"), [field]: textOf(row, "value")}))};
    }
    if (wire.ipa && !wire.ipa.rules.length) { delete wire.ipa; }
    return wire;
  }

  // -- tabs -----------------------------------------------------------------------------------
  function showTab(mode) {
    for (const tab of editor.querySelectorAll(".rule-tab")) {
      const active = tab.dataset.mode === mode;
      tab.classList.toggle("active", active);
      tab.setAttribute("aria-selected", active ? "true" : "false");
    }
    for (const panel of editor.querySelectorAll(".rule-panel")) { panel.hidden = panel.dataset.mode !== mode; }
  }
  editor.querySelectorAll(".rule-tab").forEach((tab) => tab.addEventListener("click", () => showTab(tab.dataset.mode)));

  function updateTabCounts() {
    for (const body of bodies) {
      const mode = body.dataset.mode;
      const count = editor.querySelector(`[data-count-for="${mode}"]`);
      if (count) { count.textContent = String(liveRows(mode).length); }
    }
  }

  function updateCounts() {
    updateTabCounts();
    for (const body of bodies) {
      const empty = body.closest(".rule-panel").querySelector(".rules-empty");
      if (empty) { empty.hidden = body.rows.length > 0; }
    }
    applyFilter();
  }

  // -- problems on their rows -------------------------------------------------------------------
  function showProblems(problems) {
    for (const list of editor.querySelectorAll(".row-problems")) { list.textContent = ""; }
    for (const row of editor.querySelectorAll("tr.rule-row")) { row.classList.remove("has-error", "has-warning"); }
    const marks = {};
    for (const problem of problems) {
      const row = liveRows(problem.mode)[problem.index];
      if (!row) { continue; }
      const list = row.querySelector(`.row-problems[data-for="${problem.field}"]`);
      const item = document.createElement("li");
      item.className = "problem-" + problem.level;
      item.textContent = problem.message;
      list.append(item);
      if (problem.level === "error" || !row.classList.contains("has-error")) {
        row.classList.remove("has-warning");
        row.classList.add("has-" + problem.level);
      }
      marks[problem.mode] = marks[problem.mode] === "error" ? "error" : problem.level;
    }
    for (const tab of editor.querySelectorAll(".rule-tab")) {
      const mark = tab.querySelector(".tab-mark");
      mark.className = "tab-mark" + (marks[tab.dataset.mode] ? " mark-" + marks[tab.dataset.mode] : "");
    }
  }

  // A rule of the page (index among its mode's live rows) brought into view and flashed.
  function reveal(mode, index) {
    const row = liveRows(mode)[index];
    if (!row) { return; }
    showTab(mode);
    if (row.hidden) { filterBox.value = ""; applyFilter(); }
    row.scrollIntoView({block: "center", behavior: "smooth"});
    row.classList.remove("flash");
    void row.offsetWidth;
    row.classList.add("flash");
  }

  // A link to a rule ("Where is this word?") names its mode and match: show that row.
  function revealMatch(mode, match) {
    const wanted = match.toLocaleLowerCase();
    const body = bodyOf(mode);
    const row = body && Array.from(body.rows).find((r) => textOf(r, "match").toLocaleLowerCase() === wanted);
    if (!row) { return false; }
    showTab(mode);
    if (row.hidden) { filterBox.value = ""; applyFilter(); }
    row.classList.add("rule-linked");
    row.scrollIntoView({block: "center"});
    const input = row.querySelector(".rule-match");
    if (input) { input.focus({preventScroll: true}); }
    return true;
  }

  function markRule(mode, index, on) {
    const row = liveRows(mode)[index];
    if (row) { row.classList.toggle("applied-hover", on); }
  }

  // -- filter ---------------------------------------------------------------------------------
  function applyFilter() {
    const needle = filterBox.value.trim().toLocaleLowerCase();
    const shown = {};
    let total = 0;
    let visible = 0;
    for (const body of bodies) {
      shown[body.dataset.mode] = 0;
      for (const row of body.rows) {
        const hit = !needle || (textOf(row, "match") + "\u0000" + textOf(row, "value")).toLocaleLowerCase().includes(needle);
        row.hidden = !hit;
        total += 1;
        if (hit) { visible += 1; shown[body.dataset.mode] += 1; }
      }
    }
    editor.classList.toggle("filtered", Boolean(needle));
    filterCount.textContent = needle ? `${visible} of ${total} rules match (rewrite ${shown.rewrite}, IPA ${shown.ipa || 0})` : "";
  }
  filterBox.addEventListener("input", applyFilter);
  filterBox.addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); } });

  if (!editable) {
    window.lexiconRules = {modes, showProblems, reveal, revealMatch, markRule};
    return;
  }

  // -- rows: add, remove, move, drag ----------------------------------------------------------
  function newRow(mode, match, value) {
    const template = document.getElementById("row-template-" + mode);
    const row = template.content.firstElementChild.cloneNode(true);
    row.querySelector(".rule-match").value = match || "";
    row.querySelector(".rule-value").value = value || "";
    bodyOf(mode).append(row);
    // As Django's formsets announce an added row: the IPA tools (ipa.js) attach to it.
    row.dispatchEvent(new CustomEvent("formset:added", {bubbles: true}));
    return row;
  }

  editor.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button || !editor.contains(button)) { return; }
    const row = button.closest("tr.rule-row");
    if (button.classList.contains("add-rule")) {
      const added = newRow(button.dataset.mode);
      if (filterBox.value) { filterBox.value = ""; }
      changed();
      added.querySelector(".rule-match").focus();
    } else if (button.classList.contains("remove-rule")) {
      const removed = row.classList.toggle("removed");
      row.querySelectorAll("input").forEach((input) => { input.disabled = removed; });
      button.textContent = removed ? "Undo" : "Remove";
      changed();
    } else if (button.classList.contains("move-up") && row.previousElementSibling) {
      row.parentNode.insertBefore(row, row.previousElementSibling);
      changed();
      button.focus();
    } else if (button.classList.contains("move-down") && row.nextElementSibling) {
      row.parentNode.insertBefore(row.nextElementSibling, row);
      changed();
      button.focus();
    }
  });

  let dragging = null;
  for (const body of bodies) {
    body.addEventListener("mousedown", (event) => {
      const handle = event.target.closest(".drag-handle");
      if (handle) { handle.closest("tr").draggable = true; }
    });
    body.addEventListener("dragstart", (event) => {
      dragging = event.target.closest("tr.rule-row");
      if (!dragging) { return; }
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", textOf(dragging, "match"));
      dragging.classList.add("dragging");
    });
    body.addEventListener("dragover", (event) => {
      const over = event.target.closest("tr.rule-row");
      if (!dragging || !over || over.parentNode !== dragging.parentNode) { return; }
      event.preventDefault();
      if (over === dragging) { return; }
      const box = over.getBoundingClientRect();
      const after = event.clientY > box.top + box.height / 2;
      over.parentNode.insertBefore(dragging, after ? over.nextSibling : over);
    });
    body.addEventListener("drop", (event) => { if (dragging) { event.preventDefault(); } });
    body.addEventListener("dragend", () => {
      if (!dragging) { return; }
      dragging.classList.remove("dragging");
      dragging.draggable = false;
      dragging = null;
      changed();
    });
  }
  document.addEventListener("mouseup", () => {
    if (!dragging) { editor.querySelectorAll("tr[draggable=true]").forEach((row) => { row.draggable = false; }); }
  });

  editor.addEventListener("input", (event) => {
    if (!event.target.closest("tr.rule-row")) { return; }
    updateTabCounts();  // a row typed into (or emptied) counts at once, not at the next add
    document.dispatchEvent(new CustomEvent("lexicon:rules-changed"));
  });

  // -- paste many rules: checked by the server against the page's rules, then added ----------
  const dialog = document.getElementById("paste-dialog");
  const pasteText = document.getElementById("paste-text");
  const pasteResult = document.getElementById("paste-result");
  const pasteAdd = document.getElementById("paste-add");
  const pasteChange = document.getElementById("paste-change");
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  let pasteMode = "rewrite";
  let plan = null;

  editor.querySelectorAll(".paste-open").forEach((button) => button.addEventListener("click", () => {
    pasteMode = button.dataset.mode;
    document.getElementById("paste-mode-name").textContent = button.dataset.mode === "ipa" ? "IPA rules" : "Rewrite rules";
    pasteResult.hidden = true;
    pasteAdd.disabled = true;
    plan = null;
    dialog.showModal();
    pasteText.focus();
  }));
  document.getElementById("paste-cancel").addEventListener("click", () => dialog.close());
  pasteText.addEventListener("input", () => { plan = null; pasteAdd.disabled = true; });
  pasteChange.addEventListener("change", () => renderPlan());

  document.getElementById("paste-check").addEventListener("click", () => {
    fetch(editor.dataset.pasteUrl, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({mode: pasteMode, text: pasteText.value, modes: modes()}),
    }).then((response) => response.json()).then((body) => {
      plan = body.errors ? {lines: [], counts: {}, general: Object.values(body.errors).flat()} : body;
      renderPlan();
    }).catch(() => { plan = {lines: [], counts: {}, general: ["Could not check the lines; try again."]}; renderPlan(); });
  });

  const STATUS = {add: "Will be added", change: "Already a rule", same: "Already there", conflict: "Conflict", invalid: "Not a rule", header: "Header, skipped"};

  function adding() {
    if (!plan || plan.general.length) { return []; }
    return plan.lines.filter((line) => line.status === "add" || (line.status === "change" && pasteChange.checked));
  }

  function renderPlan() {
    if (!plan) { return; }
    pasteResult.hidden = false;
    const tbody = document.querySelector("#paste-lines tbody");
    tbody.textContent = "";
    const order = {header: 0, conflict: 1, invalid: 2, change: 3, same: 4, add: 5};  // flagged lines first
    const lines = plan.lines.slice().sort((a, b) => order[a.status] - order[b.status] || a.line - b.line);
    for (const line of lines) {
      const row = tbody.insertRow();
      row.className = "paste-" + line.status;
      const status = line.status === "change" && pasteChange.checked ? "Replacement changed" : STATUS[line.status];
      for (const text of [String(line.line), line.match, line.value]) { row.insertCell().textContent = text; }
      const what = row.insertCell();
      const label = document.createElement("strong");
      label.textContent = status;
      what.append(label);
      if (line.message) { what.append(document.createTextNode(" " + line.message)); }
      for (const ignored of line.ignored || []) {  // a cell not taken: said on its line, never joined
        const note = document.createElement("span");
        note.className = "paste-ignored";
        note.textContent = ignored;
        what.append(note);
      }
    }
    const general = document.getElementById("paste-general");
    general.textContent = "";
    for (const problem of plan.general) {
      const item = document.createElement("li");
      item.textContent = problem;
      general.append(item);
    }
    const counts = plan.counts;
    const flagged = (counts.conflict || 0) + (counts.invalid || 0) + (pasteChange.checked ? 0 : counts.change || 0);
    const count = adding().length;
    const rules = plan.lines.filter((line) => line.status !== "header");
    const header = plan.lines.find((line) => line.status === "header");
    document.getElementById("paste-summary").textContent = (header ? `Line ${header.line} is a header: skipped. ` : "") + (rules.length
      ? `${rules.length} lines: ${count} will be added or changed` + (flagged ? `, ${flagged} flagged and left out.` : ".")
      : "No rules in the pasted text.");
    document.getElementById("paste-change-label").hidden = !counts.change;
    pasteAdd.disabled = count === 0;
    pasteAdd.textContent = count === 1 ? "Add 1 rule" : `Add ${count} rules`;
  }

  pasteAdd.addEventListener("click", () => {
    const existing = liveRows(pasteMode);
    for (const line of adding()) {
      if (line.status === "change") {
        existing[line.existing].querySelector(".rule-value").value = line.value;
      } else {
        newRow(pasteMode, line.match, line.value);
      }
    }
    dialog.close();
    pasteText.value = "";
    filterBox.value = "";
    showTab(pasteMode);
    changed();
  });

  window.lexiconRules = {modes, showProblems, reveal, revealMatch, markRule};
  updateCounts();
})();
