// Background import page: polls the job's status until it has finished, then shows the report.
(function () {
  "use strict";
  const box = document.getElementById("import-job");
  if (!box) { return; }
  const every = parseInt(box.dataset.pollMs || "1000", 10);

  function text(id, value) { document.getElementById(id).textContent = value; }

  function list(title, items) {
    const section = document.createElement("div");
    const heading = document.createElement("h3");
    heading.textContent = title;
    const ul = document.createElement("ul");
    for (const item of items) {
      const li = document.createElement("li");
      li.textContent = item;
      ul.appendChild(li);
    }
    section.append(heading, ul);
    return section;
  }

  function showReport(job) {
    const out = document.getElementById("import-job-report");
    out.replaceChildren();
    const report = job.report;
    if (report) {
      const d = report.dictionaries, r = report.rules;
      const summary = document.createElement("p");
      summary.id = "import-job-summary";
      summary.textContent = (job.state === "succeeded" ? (report.dry_run ? "Dry run: " : "Imported: ") : "Nothing was written. ") +
        `dictionaries ${d.created.length} created, ${d.changed.length} changed, ${d.unchanged.length} unchanged; ` +
        `rules ${r.added} added, ${r.changed} changed, ${r.removed} removed.`;
      out.appendChild(summary);
      const wrote = d.created.length + d.changed.length > 0;
      if (job.state === "succeeded" && !report.dry_run && wrote && box.dataset.proposed) {
        const proposed = document.createElement("p");
        proposed.id = "import-job-proposed";
        proposed.textContent = box.dataset.proposed;
        out.appendChild(proposed);
      }
      if (report.errors.length) {
        const more = report.errors_not_listed ? [`... and ${report.errors_not_listed} more errors, not listed`] : [];
        out.appendChild(list("Errors", report.errors.map((e) => `row ${e.row}, ${e.column}: ${e.message}`).concat(more)));
      }
      if (report.warnings.length) { out.appendChild(list("Warnings", report.warnings)); }
    }
    if (job.error && !(report && report.errors.length)) {
      const fields = Object.entries(job.error.fieldErrors || {}).map(([k, v]) => `${k}: ${v.join(" ")}`);
      out.appendChild(list("Failed", [job.error.error].concat(fields)));
    }
  }

  function show(job) {
    text("import-job-state", job.state);
    text("import-job-phase", job.phase && job.state === "running" ? `(${job.phase})` : "");
    text("import-job-rows", job.rows_done);
    text("import-job-total", job.rows_total === null ? "?" : job.rows_total);
    const bar = document.getElementById("import-job-progress");
    bar.max = job.rows_total || 0;
    bar.value = job.rows_done;
    if (job.state === "succeeded" || job.state === "failed") { showReport(job); return true; }
    return false;
  }

  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then((response) => response.json())
      .then((job) => { if (!show(job)) { setTimeout(poll, every); } })
      .catch(() => setTimeout(poll, every * 2));
  }
  poll();
})();
