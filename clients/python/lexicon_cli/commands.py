"""``lexicon plan`` and ``lexicon apply``: what the files would change, then, once approved, the
change, with each new revision's review and checks."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from lexicon_cli.client import OK, REFUSED, USAGE, Client, Failure, _client
from lexicon_cli.imports import Options, import_file
from lexicon_cli.plans import Plan, is_saved_plan, load, make_plan, path_of, save, stale
from lexicon_cli.render import report_lines

CHANGES = 2  # plan --detailed-exitcode: the plan has changes
LIVE = {"approved", "auto"}


def options_of(args: argparse.Namespace) -> Options:
    return Options(
        mode=args.mode,
        create_missing=args.create_missing,
        file_format=args.format,
        dictionary=args.dictionary,
        background=args.background,
    )


def cmd_plan(args: argparse.Namespace) -> int:
    client = _client()
    plan = make_plan(client, args.files, options_of(args), prune=args.prune)
    show(client, plan)
    refuse_failing_checks(plan)
    if args.out is not None:
        save(plan, args.out)
        print(f"Saved the plan to {args.out}: `lexicon apply {args.out}` applies exactly it.")
    return CHANGES if args.detailed_exitcode and plan.changes() else OK


def cmd_apply(args: argparse.Namespace) -> int:
    """Files: planned, shown and (unless ``--auto-approve``) confirmed, then applied. A saved
    plan: applied as it was reviewed, unless the server changed since."""
    client = _client()
    if len(args.files) == 1 and is_saved_plan(args.files[0]):
        plan = load(args.files[0])
        if changed := stale(client, plan):
            raise Failure(
                REFUSED,
                "the server changed since the plan was made; nothing was written. Run "
                "`lexicon plan` again.\n" + "\n".join(f"  {line}" for line in changed),
            )
        show(client, plan)
    else:
        if any(is_saved_plan(path) for path in args.files):
            raise Failure(USAGE, "apply takes one saved plan, or files: not both")
        plan = make_plan(client, args.files, options_of(args), prune=args.prune)
        show(client, plan)
        refuse_failing_checks(plan)
        if plan.changes():
            confirm(args.auto_approve, client.base_url)
    if not plan.changes():
        print("Nothing to apply.")
        return OK
    execute(client, plan, args.comment or "")
    return OK


def show(client: Client, plan: Plan) -> None:
    """Each file's plan, the proposals its changes would supersede, and what --prune deletes."""
    for planned in plan.files:
        for line in report_lines(planned.path, planned.report, done=False):
            print(line)
        for name in (planned.report.get("dictionaries") or {}).get("changed", []):
            latest = _latest(client, name)
            if latest is not None and latest["review"]["state"] == "proposed":
                print(f"  note: {name} revision {latest['number']} is proposed — waits for review")
    if plan.prune:
        print("Not in the files (--prune):")
        for gone in plan.prune:
            print(f"  {gone['name']}: delete (revision {gone['revision']})")
    if plan.changes():
        created = sum(len(f.report["dictionaries"]["created"]) for f in plan.files)
        print(
            f"Plan: {created} to create, {plan.changes() - created - len(plan.prune)} to change, "
            f"{len(plan.prune)} to delete."
        )


def refuse_failing_checks(plan: Plan) -> None:
    if failing := plan.failing():
        raise Failure(
            REFUSED,
            f"checks fail against the planned content of {', '.join(failing)} (each is listed "
            "with `!` above): fix the rules or the checks",
        )


def confirm(auto_approve: bool, url: str) -> None:
    """Ask before writing; without a terminal to ask on, refuse rather than guess."""
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise Failure(
            REFUSED,
            "apply asks before it writes, and standard input is not a terminal: review the plan "
            "and pass --auto-approve, or apply a saved plan (`lexicon plan -out FILE`, then "
            "`lexicon apply FILE`). Nothing was written.",
        )
    try:
        answer = input(f"Apply these changes to {url}? Only 'yes' applies: ")
    except EOFError:
        answer = ""
    if answer.strip() != "yes":
        raise Failure(REFUSED, "apply cancelled: nothing was written")


def execute(client: Client, plan: Plan, comment: str) -> None:
    """Import each file that changes something (each all or nothing), then delete what --prune
    planned, each only if unchanged since (If-Match with the ETag read by the plan)."""
    written: list[str] = []
    for planned in plan.files:
        if not planned.changes():
            continue
        report = import_file(
            client, planned.path, planned.content, plan.options, dry_run=False, comment=comment
        )
        for line in report_lines(planned.path, report, done=True):
            print(line)
        groups = report.get("dictionaries") or {}
        written += groups.get("created", []) + groups.get("changed", [])
    for gone in plan.prune:
        try:
            client.request("DELETE", path_of(gone["name"]), headers={"If-Match": gone["etag"]})
        except Failure as failure:
            raise Failure(failure.code, f"{gone['name']}: not deleted: {failure.message}") from None
        print(f"{gone['name']}: deleted")
    for name in written:
        print(outcome(client, name))


def _latest(client: Client, name: str) -> dict[str, Any] | None:
    revisions = client.json("GET", f"{path_of(name)}/revisions", params={"limit": 1})
    found: list[dict[str, Any]] = revisions.get("revisions") or []
    return found[0] if found else None


def outcome(client: Client, name: str) -> str:
    """A written dictionary's new revision: live, or proposed and waiting; its checks."""
    revision = client.json("GET", f"{path_of(name)}/revisions/{_number(client, name)}")
    state = revision["review"]["state"]
    said = "live" if state in LIVE else state
    if state == "proposed":
        said = "proposed — waits for review"
    failed = int(revision.get("checks_failed") or 0)
    total = len(revision.get("check_results") or [])
    checks = f", checks: {total - failed}/{total} pass" if total else ""
    return f"{name}: revision {revision['number']} {said}{checks}"


def _number(client: Client, name: str) -> int:
    return int(client.json("GET", path_of(name))["revision"])
