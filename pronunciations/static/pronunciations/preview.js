// Live preview, beside the rules: posts the rules on the page (saved or not) and a sentence,
// shows the sentence and what the model receives with each applied rule highlighted in both,
// and puts every rule's problems (plain words, from the server) on its row. The sentence is
// kept for this browser tab, across saves.
(function () {
  "use strict";
  const panel = document.getElementById("preview-panel");
  const rules = window.lexiconRules;
  if (!panel || !rules) { return; }
  const textBox = document.getElementById("preview-text");
  const input = document.getElementById("preview-input");
  const output = document.getElementById("preview-output");
  const applied = document.getElementById("preview-applied");
  const status = document.getElementById("preview-status");
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const key = panel.dataset.sentenceKey;
  const PENDING = "lexicon-preview:pending";
  let timer = null;
  let sent = 0;

  // The sentence survives a save: kept per dictionary as it is typed; a new dictionary's is
  // handed over by "Save and continue editing" to the page of the dictionary it creates.
  try {
    const pending = sessionStorage.getItem(PENDING);
    sessionStorage.removeItem(PENDING);
    textBox.value = pending !== null ? pending : (sessionStorage.getItem(key) || "");
  } catch (error) { /* storage disabled: the sentence is simply not kept */ }
  function keep() {
    try { sessionStorage.setItem(key, textBox.value); } catch (error) { /* not kept */ }
  }
  const form = panel.closest("form");
  if (form) {
    form.addEventListener("submit", (event) => {
      if (!key.endsWith(":new") || !event.submitter || event.submitter.name !== "_continue") { return; }
      try { sessionStorage.setItem(PENDING, textBox.value); } catch (error) { /* not kept */ }
    });
  }

  // The engine's spans count code points; JavaScript strings count UTF-16 units.
  function highlighted(target, text, spans, first, last) {
    const chars = Array.from(text);
    target.textContent = "";
    let at = 0;
    spans.forEach((item, n) => {
      target.append(document.createTextNode(chars.slice(at, item[first]).join("")));
      const mark = document.createElement("mark");
      mark.textContent = chars.slice(item[first], item[last]).join("");
      mark.title = item.match + " → " + item.replace;
      mark.dataset.n = String(n);
      mark.dataset.rule = String(item.rule_index);
      target.append(mark);
      at = item[last];
    });
    target.append(document.createTextNode(chars.slice(at).join("")));
  }

  function render(result) {
    highlighted(input, textBox.value, result.applied, "start", "end");
    highlighted(output, result.text, result.applied, "out_start", "out_end");
    applied.textContent = "";
    const seen = new Set();
    for (const item of result.applied) {
      if (seen.has(item.rule_index)) { continue; }
      seen.add(item.rule_index);
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "applied-rule";
      button.dataset.rule = String(item.rule_index);
      button.title = "Show this rule";
      button.textContent = item.match + " → " + item.replace;
      li.append(button);
      applied.append(li);
    }
    if (!result.applied.length) {
      const li = document.createElement("li");
      li.className = "preview-none";
      li.textContent = textBox.value.trim() ? "No rule applies to this sentence." : "None yet.";
      applied.append(li);
    }
  }

  function refresh() {
    const ticket = ++sent;
    fetch(panel.dataset.previewUrl, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({
        text: textBox.value,
        modes: rules.modes(),
        // lint then also says which rules the organization's target models cannot speak
        dictionary: panel.dataset.dictionary ? Number(panel.dataset.dictionary) : null,
      }),
    }).then((response) => response.json()).then((body) => {
      if (ticket !== sent) { return; }  // an answer to an older request
      rules.showProblems(body.problems || []);
      if (body.errors || body.text === null) {
        const general = body.errors ? Object.values(body.errors).flat() : body.general;
        status.textContent = general.length ? general.join(" ") : "Fix the rules marked in red to see the preview.";
        output.textContent = "";
        input.textContent = textBox.value;
        return;
      }
      // An unfinished row does not blank the preview: it runs without the rows marked in red.
      status.textContent = body.left_out
        ? `Preview without the ${body.left_out === 1 ? "rule" : body.left_out + " rules"} marked in red, until ${body.left_out === 1 ? "it is" : "they are"} finished.`
        : "";
      render(body);
    }).catch(() => { status.textContent = "The preview could not be reached; it retries when you type."; });
  }

  function schedule() { clearTimeout(timer); timer = setTimeout(refresh, 250); }
  textBox.addEventListener("input", () => { keep(); schedule(); });
  document.addEventListener("lexicon:rules-changed", schedule);

  // A highlight or an applied rule points at its rule row; the same span is lit in both texts.
  function pointed(event) { return event.target.closest("mark[data-rule], button.applied-rule"); }
  panel.addEventListener("click", (event) => {
    const target = pointed(event);
    if (target) { rules.reveal("rewrite", Number(target.dataset.rule)); }
  });
  for (const kind of ["mouseover", "mouseout"]) {
    panel.addEventListener(kind, (event) => {
      const target = pointed(event);
      if (!target) { return; }
      const on = kind === "mouseover";
      rules.markRule("rewrite", Number(target.dataset.rule), on);
      const selector = target.dataset.n !== undefined ? `mark[data-n="${target.dataset.n}"]` : `mark[data-rule="${target.dataset.rule}"]`;
      panel.querySelectorAll(selector).forEach((mark) => mark.classList.toggle("lit", on));
    });
  }

  // For panels other apps add to the preview (sync's Listen): the page's rules and text.
  window.lexiconPreview = {modes: rules.modes, text: () => textBox.value, csrf: csrf};
  refresh();
})();
