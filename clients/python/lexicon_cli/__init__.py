"""``lexicon``: dictionaries as code, over Lexicon's REST API only (no Django, no database).

A tools repository keeps its dictionaries in files (CSV, XLSX, JSON or PLS, the import layout) and
applies them from its own CI::

    lexicon plan --detailed-exitcode dictionaries/*.csv   # what would change; nothing is written
    lexicon plan -out change.plan dictionaries/*.csv      # ... saved, to apply exactly that
    lexicon apply change.plan                             # refused if the server changed since
    lexicon apply --auto-approve --prune dictionaries/*.csv
    lexicon export --format csv -o dictionaries.csv
    lexicon status                    # review, checks and sync of every dictionary
    lexicon scan prompts/*.txt --fail-on uncovered   # words at risk without a rule: exit 1

``LEXICON_URL`` (default ``http://127.0.0.1:8000``) and ``LEXICON_API_KEY`` come from the
environment. Exit codes: 0 success, 1 an error (the server refused the request or the file, a
check fails, a refused or cancelled apply), 2 usage or configuration (a bad flag, a URL without
scheme, no key, a key the server does not accept, a missing file) and, for ``plan
--detailed-exitcode``, a plan with changes; 3 the server is unreachable or answered 5xx.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, NoReturn

from lexicon_cli import scan
from lexicon_cli.client import REFUSED, USAGE, Failure
from lexicon_cli.commands import cmd_apply, cmd_plan
from lexicon_cli.imports import raise_rejected
from lexicon_cli.render import plan_lines, summary
from lexicon_cli.status import cmd_export, cmd_status

__all__ = ["REFUSED", "Failure", "entry_point", "main", "parser", "plan_lines", "raise_rejected"]
__all__ += ["summary"]


# --- arguments -----------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise Failure(USAGE, f"{self.prog}: {message}")


def _file_options(sub: argparse.ArgumentParser) -> None:
    """What plan and apply share: the files and how they are imported."""
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
    sub.add_argument(
        "--prune",
        action="store_true",
        help="also delete the organization's dictionaries that no file defines",
    )


def parser() -> argparse.ArgumentParser:
    root = _Parser(
        prog="lexicon",
        description="Apply pronunciation dictionaries kept in files to Lexicon, over its REST API.",
        epilog="Environment: LEXICON_URL (default http://127.0.0.1:8000), LEXICON_API_KEY. "
        "Exit codes: 0 ok, 1 an error (a refused file or request, a failing check, an apply "
        "refused or cancelled), 2 usage or configuration (and plan --detailed-exitcode: "
        "changes), 3 server unreachable or 5xx.",
    )
    commands = root.add_subparsers(dest="command", required=True, parser_class=_Parser)
    plan = commands.add_parser(
        "plan",
        help="show what the files would change (nothing is written)",
        description="Dry-run every file and show what applying them would change, with the "
        "checks the new content fails (which fail the plan). Needs only a viewer key.",
    )
    _file_options(plan)
    plan.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 0 when there is nothing to do, 2 when there are changes, 1 on an error",
    )
    plan.add_argument(
        "-out",
        "--out",
        type=Path,
        metavar="PLANFILE",
        help="save the plan (with the files) for `lexicon apply PLANFILE`",
    )
    plan.set_defaults(run=cmd_plan)
    apply = commands.add_parser(
        "apply",
        help="apply the files, or a saved plan",
        description="Plan the files, show the plan and, once confirmed, import each file (each "
        "all or nothing). Given one saved plan (`plan -out`), apply exactly it, unless the "
        "server changed since it was made.",
    )
    _file_options(apply)
    apply.add_argument(
        "--auto-approve",
        action="store_true",
        help="apply without asking (needed when standard input is not a terminal)",
    )
    apply.add_argument("--comment", help="kept in the history of each revision the apply makes")
    apply.set_defaults(run=cmd_apply)
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
