// IPA help on a rule's value input (pronunciations/admin/widgets.py IpaValueInput): on IPA rules
// a palette that inserts at the cursor, a hint naming characters outside IPA as you type, and
// espeak-ng's suggestion for the rule's match, clearly labelled. The palette, the IPA ranges and
// the suggestion's URL come once from the input's data-ipa-url (pronunciations.validation decides).
(function () {
  "use strict";
  let loaded = null;

  function load(url) {
    if (!loaded) {
      loaded = fetch(url, {credentials: "same-origin"}).then((response) => {
        if (!response.ok) { throw new Error("IPA help unavailable (" + response.status + ")"); }
        return response.json();
      });
    }
    return loaded;
  }

  function rowOf(input) {
    return input.closest("tr, .inline-related, .form-row") || input.parentElement;
  }

  function field(row, suffix) {
    // an inline formset's "<prefix>-<n>-match", or the rules editor's "<mode>_match"
    return row.querySelector("[name$='-" + suffix + "'], [name$='_" + suffix + "']");
  }

  function isIpa(input) {
    if (input.dataset.ipa === "always") { return true; }
    const mode = field(rowOf(input), "mode");
    return Boolean(mode && mode.value === "ipa");
  }

  function outside(ranges, text) {
    const bad = [];
    for (const char of text) {
      const point = char.codePointAt(0);
      const ok = ranges.some(([low, high]) => point >= low && point <= high);
      if (!ok && !bad.includes(char)) { bad.push(char); }
    }
    return bad;
  }

  function codePoint(char) {
    return "U+" + char.codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
  }

  function insert(input, text) {
    const start = input.selectionStart ?? input.value.length;
    const end = input.selectionEnd ?? input.value.length;
    input.value = input.value.slice(0, start) + text + input.value.slice(end);
    input.focus();
    input.setSelectionRange(start + text.length, start + text.length);
    input.dispatchEvent(new Event("input", {bubbles: true}));
  }

  function button(label, title, onClick) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = "ipa-button";
    element.textContent = label;
    element.title = title;
    element.addEventListener("mousedown", (event) => event.preventDefault()); // keep the caret
    element.addEventListener("click", onClick);
    return element;
  }

  function palette(input, data) {
    const box = document.createElement("div");
    box.className = "ipa-palette";
    box.hidden = true;
    for (const group of data.palette) {
      const row = document.createElement("div");
      row.className = "ipa-group";
      const name = document.createElement("span");
      name.className = "ipa-group-name";
      name.textContent = group.name;
      row.append(name);
      group.characters.forEach((char, index) => {
        const combining = /\p{M}/u.test(char);
        const shown = combining ? "◌" + char : char;
        const name = (group.names || [])[index];  // the sound's name on the IPA chart
        const key = button(shown, name ? `${name} (${shown})` : codePoint(char), () => insert(input, char));
        key.classList.add("ipa-key");
        key.dataset.char = char;
        row.append(key);
      });
      box.append(row);
    }
    return box;
  }

  function language() {
    const named = document.querySelector("[name='language']");
    if (named && named.value) { return named.value; }
    const metadata = document.getElementById("id_metadata");
    try {
      const parsed = metadata ? JSON.parse(metadata.value || "{}") : {};
      return typeof parsed.language === "string" ? parsed.language : "";
    } catch (error) {
      return "";
    }
  }

  function suggest(input, data, out) {
    const match = field(rowOf(input), "match");
    const params = new URLSearchParams({text: match ? match.value : "", language: language()});
    const saved = window.location.pathname.match(/\/dictionary\/(\d+)\/change\/$/);
    if (saved) { params.set("dictionary", saved[1]); }
    out.hidden = false;
    out.textContent = "Asking espeak-ng…";
    fetch(data.suggest_url + "?" + params, {credentials: "same-origin"})
      .then((response) => response.json())
      .then((body) => {
        out.textContent = "";
        if (body.errors) {
          out.textContent = Object.values(body.errors).flat().join(" ");
          return;
        }
        const label = document.createElement("span");
        label.className = "ipa-suggestion-label";
        label.textContent = "Suggestion";
        out.append(label);
        if (body.ipa) {
          const ipa = document.createElement("code");
          ipa.className = "ipa-suggestion-text";
          ipa.textContent = body.ipa;
          out.append(" ", ipa, " ", button("Use it", "Put the suggestion in the field", () => {
            input.value = body.ipa;
            input.dispatchEvent(new Event("input", {bubbles: true}));
          }));
        }
        const note = document.createElement("span");
        note.className = "ipa-suggestion-note";
        note.textContent = body.note;
        out.append(" ", note);
      })
      .catch(() => { out.textContent = "No suggestion: the server did not answer."; });
  }

  function enhance(input) {
    if (input.dataset.ipaReady || input.closest(".empty-form")) { return; }
    input.dataset.ipaReady = "1";
    const tools = document.createElement("div");
    tools.className = "ipa-tools";
    const hint = document.createElement("div");
    hint.className = "ipa-hint";
    hint.setAttribute("aria-live", "polite");
    const suggestion = document.createElement("div");
    suggestion.className = "ipa-suggestion";
    suggestion.hidden = true;
    input.after(tools);
    tools.after(hint, suggestion);

    load(input.dataset.ipaUrl).then((data) => {
      const box = palette(input, data);
      tools.append(
        button("IPA ⌨", "Show or hide the IPA palette", () => { box.hidden = !box.hidden; }),
        button("Suggest", "Ask espeak-ng how the match may sound", () => suggest(input, data, suggestion)),
      );
      tools.after(box);
      const check = () => {
        const bad = isIpa(input) ? outside(data.ranges, input.value) : [];
        hint.textContent = bad.length
          ? "Not IPA: " + bad.map((char) => "“" + char + "” (" + codePoint(char) + ")").join(", ")
          : "";
      };
      const show = () => {
        const on = isIpa(input);
        tools.hidden = !on;
        if (!on) { box.hidden = true; suggestion.hidden = true; }
        check();
      };
      input.addEventListener("input", check);
      const mode = field(rowOf(input), "mode");
      if (mode) { mode.addEventListener("change", show); }
      show();
    }).catch((error) => { hint.textContent = error.message; });
  }

  function enhanceAll(root) {
    root.querySelectorAll("input[data-ipa-url]").forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", () => enhanceAll(document));
  // Django's inline formsets announce rows added with "Add another".
  document.addEventListener("formset:added", (event) => enhanceAll(event.target));
})();
