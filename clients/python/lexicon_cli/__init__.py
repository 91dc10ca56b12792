"""``lexicon``: dictionaries as code, over Lexicon's REST API only (no Django, no database).

A tools repository keeps its dictionaries in files (CSV, XLSX, JSON or PLS, the import layout) and
applies them from its own CI::

    lexicon plan dictionaries.csv     # what an import would change; nothing is written
    lexicon apply dictionaries.csv    # the same, written (all or nothing per file)
    lexicon export --format csv -o dictionaries.csv
    lexicon status                    # sync state of every dictionary on every target
    lexicon scan prompts/*.txt --fail-on uncovered   # words at risk without a rule: exit 1

``LEXICON_URL`` (default ``http://127.0.0.1:8000``) and ``LEXICON_API_KEY`` come from the
environment. Exit codes: 0 success, 1 the server refused the request or the file (errors are
listed with their row), 2 usage or configuration (no key, a key the server does not accept,
a missing file), 3 the server is unreachable or answered 5xx.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, NoReturn

from lexicon_cli import scan
from lexicon_cli.client import (
    API,
    OK,
    POLL_SECONDS,
    REFUSED,
    UNAVAILABLE,
    USAGE,
    Client,
    Failure,
    _client,
)

# --- import: plan and apply ---------------------------------------------------------------------


def _import(client: Client, path: Path, args: argparse.Namespace, *, dry_run: bool) -> dict:
    """One import of ``path``; answers its report, following a background job to its end."""
    if not path.is_file():
        raise Failure(USAGE, f"{path}: no such file")
    data = {
        "mode": args.mode,
        "create_missing": "true" if args.create_missing else "false",
        "dry_run": "true" if dry_run else "false",
    }
    if args.format:
        data["format"] = args.format
    if args.dictionary:
        data["dictionary"] = args.dictionary
    if args.background:
        data["async"] = "true"
    with path.open("rb") as file:
        try:
            response = client.request(
                "POST", f"{API}/import", data=data, files={"file": (path.name, file)}
            )
        except Failure as failure:
            _raise_rejected(path, failure)
            raise
    body = response.json()
    if response.status_code == 202:
        return _follow(client, path, body)
    return body


def _follow(client: Client, path: Path, job: dict) -> dict:
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
            _raise_rejected(path, failure)
            raise failure
        time.sleep(POLL_SECONDS)
        job = client.json("GET", f"{API}/imports/{job['id']}")


def _raise_rejected(path: Path, failure: Failure) -> None:
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


def _where(error: dict) -> str:
    """A tabular error's row and column, or a PLS error's lexeme, grapheme and line."""
    if "lexeme" not in error:
        return f"row {error.get('row')}" + (f", {error['column']}" if error.get("column") else "")
    element = f"<{error.get('element')}> at line {error.get('line')}"
    if not error.get("lexeme"):
        return element
    grapheme = f" {error['grapheme']!r}" if error.get("grapheme") else ""
    return f"lexeme {error['lexeme']}{grapheme}, {element}"


def _rule(rule: dict) -> str:
    return f"{rule.get('mode')} {rule.get('match')!r}"


def plan_lines(report: dict) -> list[str]:
    """A readable plan of an import report: rule by rule when the server sends ``plan``, else
    the dictionaries by action and the rule counts."""
    lines: list[str] = []
    plan = report.get("plan")
    if isinstance(plan, list):
        for entry in plan:
            if entry.get("action") == "unchanged":
                continue
            rules = entry.get("rules") or {}
            lines.append(f"{entry.get('dictionary')}: {entry.get('action')}")
            lines += [f"  + {_rule(r)} -> {r.get('value')!r}" for r in rules.get("added", [])]
            lines += [
                f"  ~ {_rule(r)}: {r.get('from')!r} -> {r.get('to')!r}"
                for r in rules.get("changed", [])
            ]
            lines += [f"  - {_rule(r)} ({r.get('value')!r})" for r in rules.get("removed", [])]
            if entry.get("reordered"):
                lines.append("  rules reordered")
            if entry.get("metadata_changed"):
                lines.append("  metadata changed")
        if report.get("plan_rules_not_listed"):
            lines.append(f"  ... and {report['plan_rules_not_listed']} more rule changes")
    else:
        groups = report.get("dictionaries") or {}
        for action in ("created", "changed"):
            lines += [
                f"{name}: {action[:-1] if action == 'created' else 'change'}"
                for name in groups.get(action, [])
            ]
    return lines


def summary(report: dict) -> str:
    groups, rules = report.get("dictionaries") or {}, report.get("rules") or {}
    created, changed = len(groups.get("created", [])), len(groups.get("changed", []))
    if not created and not changed:
        unchanged = len(groups.get("unchanged", []))
        noun = "dictionary" if unchanged == 1 else "dictionaries"
        return f"No changes: {unchanged} {noun} up to date."
    return (
        f"{created} to create, {changed} to change, {len(groups.get('unchanged', []))} unchanged; "
        f"rules: {rules.get('added', 0)} to add, {rules.get('changed', 0)} to change, "
        f"{rules.get('removed', 0)} to remove."
    )


def _print_report(path: Path, report: dict, *, applied: bool) -> None:
    print(f"{path}:")
    for line in plan_lines(report):
        print(f"  {line}")
    text = summary(report)
    if applied:
        text = text.replace(" to create", " created").replace(" to change", " changed")
        text = text.replace(" to add", " added").replace(" to remove", " removed")
    print(f"  {text}")
    for warning in report.get("warnings") or []:
        print(f"  warning: {warning}")


def cmd_plan(args: argparse.Namespace) -> int:
    client = _client()
    for path in args.files:
        _print_report(path, _import(client, path, args, dry_run=True), applied=False)
    return OK


def cmd_apply(args: argparse.Namespace) -> int:
    """Every file is checked (a dry run) before any is written, so one bad file writes nothing."""
    client = _client()
    for path in args.files:
        _import(client, path, args, dry_run=True)
    for path in args.files:
        _print_report(path, _import(client, path, args, dry_run=False), applied=True)
    return OK


# --- export and status -------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    client = _client()
    params = {"format": args.format}
    if args.names:
        params["names"] = args.names
    response = client.request("GET", f"{API}/export", params=params)
    if args.output in (None, "-"):
        sys.stdout.buffer.write(response.content)
        sys.stdout.flush()
        return OK
    # Written only on success, and whole: a temporary file next to the target, then renamed.
    target = Path(args.output)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as out:
        out.write(response.content)
    umask = os.umask(0)
    os.umask(umask)
    Path(out.name).chmod(0o666 & ~umask)  # as an ordinary new file, not the temporary's 0600
    Path(out.name).replace(target)
    print(f"wrote {target} ({len(response.content)} bytes)", file=sys.stderr)
    return OK


def cmd_status(args: argparse.Namespace) -> int:
    client = _client()
    names = args.names or [
        d["name"] for d in client.json("GET", f"{API}/dictionaries")["dictionaries"]
    ]
    rows = [("DICTIONARY", "REVISION", "TARGET", "STATUS", "PUSHED", "LAST ERROR")]
    pending = False
    for name in names:
        state = client.json("GET", f"{API}/dictionaries/{name}/sync")
        if not state["targets"]:
            rows.append((name, str(state["revision"]), "-", "no targets", "-", ""))
        for target in state["targets"]:
            error = target.get("last_error") or {}
            message = f"{error.get('code')}: {error.get('message')}" if error else ""
            pushed = target.get("pushed_revision")
            rows.append(
                (
                    name,
                    str(state["revision"]),
                    target["target"],
                    target["status"],
                    "-" if pushed is None else str(pushed),
                    message,
                )
            )
            pending = pending or target["status"] != "verified"
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
            + "  "
            + row[5]
        )
    return REFUSED if args.strict and pending else OK


# --- arguments -----------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise Failure(USAGE, f"{self.prog}: {message}")


def parser() -> argparse.ArgumentParser:
    root = _Parser(
        prog="lexicon",
        description="Apply pronunciation dictionaries kept in files to Lexicon, over its REST API.",
        epilog="Environment: LEXICON_URL (default http://127.0.0.1:8000), LEXICON_API_KEY. "
        "Exit codes: 0 ok, 1 refused (errors in a file, a request the server refused), "
        "2 usage or configuration, 3 server unreachable or 5xx.",
    )
    commands = root.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, run, help_text in (
        ("plan", cmd_plan, "show what importing the files would change (nothing is written)"),
        ("apply", cmd_apply, "import the files (each all or nothing; all checked first)"),
    ):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("files", nargs="+", type=Path, metavar="FILE")
        sub.add_argument(
            "--mode",
            choices=["replace", "merge"],
            default="replace",
            help="replace (default): each file is its dictionaries' whole content; "
            "merge: rules are added or updated, others kept",
        )
        sub.add_argument(
            "--no-create",
            dest="create_missing",
            action="store_false",
            help="refuse dictionaries that do not exist yet (default: create them)",
        )
        sub.add_argument(
            "--format",
            choices=["csv", "xlsx", "json", "pls"],
            help="the files' format (default: from the extension)",
        )
        sub.add_argument("--dictionary", help="PLS only: the dictionary's name")
        sub.add_argument(
            "--background",
            action="store_true",
            help="run as a background job and follow it (larger files always do)",
        )
        sub.set_defaults(run=run)
    export = commands.add_parser("export", help="export dictionaries to a file or stdout")
    export.add_argument("--format", choices=["csv", "xlsx", "json"], default="csv")
    export.add_argument("--names", help="comma-separated dictionary names (default: all)")
    export.add_argument(
        "-o",
        "--output",
        help="the file to write (default: stdout); written only when the export succeeded",
    )
    export.set_defaults(run=cmd_export)
    status = commands.add_parser("status", help="sync state of dictionaries on each target")
    status.add_argument("names", nargs="*", metavar="NAME", help="default: every dictionary")
    status.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 unless every dictionary is verified on every target",
    )
    status.set_defaults(run=cmd_status)

    scan.add_parser(commands)
    return root


def main(argv: Sequence[str] | None = None, stderr: IO[str] | None = None) -> int:
    err = stderr or sys.stderr
    try:
        args = parser().parse_args(argv)
        run: Callable[[argparse.Namespace], int] = args.run
        return run(args)
    except Failure as failure:
        print(f"lexicon: {failure.message}", file=err)
        return failure.code
    except KeyboardInterrupt:
        return 130


def entry_point() -> NoReturn:
    sys.exit(main())
