"""One file through ``POST /v1/pronunciation/import``: a dry run (the plan) or the import itself,
following a background job to its end, and a refused file's errors located in the file."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any

from lexicon_cli.client import API, POLL_SECONDS, REFUSED, UNAVAILABLE, Client, Failure


@dataclass(frozen=True)
class Options:
    """How the files are imported: the same for the plan and for the apply."""

    mode: str = "replace"
    create_missing: bool = True
    file_format: str | None = None
    dictionary: str | None = None
    background: bool = False

    def form(self, *, dry_run: bool, comment: str = "") -> dict[str, str]:
        data = {
            "mode": self.mode,
            "create_missing": "true" if self.create_missing else "false",
            "dry_run": "true" if dry_run else "false",
        }
        if self.file_format:
            data["format"] = self.file_format
        if self.dictionary:
            data["dictionary"] = self.dictionary
        if self.background:
            data["async"] = "true"
        if comment:
            data["comment"] = comment
        return data


def import_file(
    client: Client,
    path: str,
    content: bytes,
    options: Options,
    *,
    dry_run: bool,
    comment: str = "",
) -> dict[str, Any]:
    """One import of ``content`` (read from ``path``); answers its report."""
    data = options.form(dry_run=dry_run, comment=comment)
    name = path.rsplit("/", 1)[-1]
    try:
        response = client.request(
            "POST", f"{API}/import", data=data, files={"file": (name, content)}
        )
    except Failure as failure:
        raise_rejected(path, failure)
        raise
    body: dict[str, Any] = response.json()
    if response.status_code == 202:
        return follow(client, path, body)
    return body


def follow(client: Client, path: str, job: dict[str, Any]) -> dict[str, Any]:
    """Poll an import job (``GET /v1/pronunciation/imports/{id}``), showing its rows done."""
    shown = None
    while True:
        state = job.get("state")
        progress = (state, job.get("phase"), job.get("rows_done"))
        if progress != shown:
            total = job.get("rows_total")
            rows = f"{job.get('rows_done') or 0}/{total}" if total else f"{job.get('rows_done')}"
            print(
                f"{path}: job {job['id']} {state} ({job.get('phase')}), rows {rows}",
                file=sys.stderr,
            )
            shown = progress
        if state == "succeeded":
            return dict(job["report"])
        if state == "failed":
            error = job.get("error") or {}
            failure = Failure(
                UNAVAILABLE if int(error.get("status") or 500) >= 500 else REFUSED,
                f"{path}: import job failed: {error.get('code')}: {error.get('error')}",
                error,
            )
            raise_rejected(path, failure)
            raise failure
        time.sleep(POLL_SECONDS)
        job = client.json("GET", f"{API}/imports/{job['id']}")


def raise_rejected(path: object, failure: Failure) -> None:
    """A refused file (400 with the report): every error with its row and column, exit 1."""
    report = failure.body.get("report")
    if failure.code != REFUSED or not isinstance(report, dict) or not report.get("errors"):
        return
    lines = [f"{path}: {len(report['errors'])} error(s), nothing written"]
    for error in report["errors"]:
        lines.append(f"  {_where(error)}: {error.get('message')}")
    if report.get("errors_not_listed"):
        lines.append(f"  ... and {report['errors_not_listed']} more errors")
    raise Failure(REFUSED, "\n".join(lines))


def _where(error: dict[str, Any]) -> str:
    """A tabular error's row and column, or a PLS error's lexeme, grapheme and line."""
    if "lexeme" not in error:
        return f"row {error.get('row')}" + (f", {error['column']}" if error.get("column") else "")
    element = f"<{error.get('element')}> at line {error.get('line')}"
    if not error.get("lexeme"):
        return element
    grapheme = f" {error['grapheme']!r}" if error.get("grapheme") else ""
    return f"lexeme {error['lexeme']}{grapheme}, {element}"
