// Live preview: posts the rules currently on the page (saved or not) and the text, shows the
// rewritten text with each applied rule highlighted.
(function () {
  "use strict";
  const panel = document.getElementById("preview-panel");
  if (!panel) { return; }
  const textBox = document.getElementById("preview-text");
  const output = document.getElementById("preview-output");
  const applied = document.getElementById("preview-applied");
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  let timer = null;

  function currentModes() {
    const modes = {rewrite: {rules: []}, ipa: {rules: []}};
    const rows = Array.from(document.querySelectorAll(".rules-inline tr.form-row:not(.empty-form)"));
    const rules = rows.map((row) => ({
      mode: (row.querySelector("select[name$='-mode']") || {}).value,
      position: parseInt((row.querySelector("input[name$='-position']") || {}).value || "0", 10),
      match: (row.querySelector("input[name$='-match']") || {}).value || "",
      value: (row.querySelector("input[name$='-value']") || {}).value || "",
      deleted: (row.querySelector("input[name$='-DELETE']") || {}).checked,
    })).filter((rule) => rule.mode && !rule.deleted && rule.match.trim() && rule.value.trim());
    rules.sort((a, b) => a.position - b.position);
    for (const rule of rules) {
      const field = rule.mode === "ipa" ? "ipa" : "replace";
      modes[rule.mode].rules.push({match: rule.match, [field]: rule.value});
    }
    if (!modes.ipa.rules.length) { delete modes.ipa; }
    return modes;
  }

  function render(result) {
    output.textContent = "";
    applied.textContent = "";
    let at = 0;
    for (const item of result.applied) {
      output.append(document.createTextNode(result.text.slice(at, item.out_start)));
      const mark = document.createElement("mark");
      mark.textContent = result.text.slice(item.out_start, item.out_end);
      mark.title = item.match + " → " + item.replace;
      output.append(mark);
      at = item.out_end;
      const li = document.createElement("li");
      li.textContent = item.match + " → " + item.replace + "  (characters " + item.start + "–" + item.end + ")";
      applied.append(li);
    }
    output.append(document.createTextNode(result.text.slice(at)));
  }

  function refresh() {
    fetch(panel.dataset.previewUrl, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({text: textBox.value, modes: currentModes()}),
    }).then((response) => response.json()).then((body) => {
      if (body.errors) {
        output.textContent = "Fix the rules first: " + Object.entries(body.errors).map(([k, v]) => k + ": " + v.join(", ")).join("; ");
        applied.textContent = "";
      } else {
        render(body);
      }
    });
  }

  // For panels other apps add to the preview (sync's Listen): the page's rules and text.
  window.lexiconPreview = {modes: currentModes, text: () => textBox.value, csrf: csrf};

  function schedule() { clearTimeout(timer); timer = setTimeout(refresh, 250); }
  textBox.addEventListener("input", schedule);
  document.addEventListener("input", (event) => { if (event.target.closest(".rules-inline")) { schedule(); } });
  document.addEventListener("change", (event) => { if (event.target.closest(".rules-inline")) { schedule(); } });
})();
