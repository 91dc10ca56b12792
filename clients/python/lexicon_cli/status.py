"""``lexicon export`` and ``lexicon status``: the dictionaries to a file, and where each one
stands (its revision's review and checks, and its sync on every target)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from lexicon_cli.client import API, OK, REFUSED, Client, _client
from lexicon_cli.plans import path_of


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


HEADER = ("DICTIONARY", "REVISION", "REVIEW", "CHECKS", "TARGET", "STATUS", "PUSHED", "LAST ERROR")


def _review(client: Client, name: str, number: int) -> tuple[str, str]:
    """The revision's review state and its checks passed (``-`` without checks)."""
    revision = client.json("GET", f"{path_of(name)}/revisions/{number}")
    total = len(revision.get("check_results") or [])
    failed = int(revision.get("checks_failed") or 0)
    return revision["review"]["state"], f"{total - failed}/{total}" if total else "-"


def _rows(client: Client, name: str) -> tuple[list[tuple[str, ...]], bool, str | None]:
    """A dictionary's rows (one per target), whether any target is not verified, and the
    note of a proposal waiting for review."""
    state: dict[str, Any] = client.json("GET", f"{path_of(name)}/sync")
    number = int(state["revision"])
    review, checks = _review(client, name, number)
    head = (name, str(number), review, checks)
    note = None
    if review == "proposed":
        note = f"{name}: revision {number} proposed — waits for review"
    if not state["targets"]:
        return [(*head, "-", "no targets", "-", "")], False, note
    rows: list[tuple[str, ...]] = []
    pending = False
    for target in state["targets"]:
        error = target.get("last_error") or {}
        message = f"{error.get('code')}: {error.get('message')}" if error else ""
        pushed = target.get("pushed_revision")
        rows.append(
            (*head, target["target"], target["status"], "-" if pushed is None else str(pushed))
            + (message,)
        )
        pending = pending or target["status"] != "verified"
    return rows, pending, note


def cmd_status(args: argparse.Namespace) -> int:
    client = _client()
    names = args.names or [
        d["name"] for d in client.json("GET", f"{API}/dictionaries")["dictionaries"]
    ]
    rows: list[tuple[str, ...]] = [HEADER]
    notes: list[str] = []
    pending = False
    for name in names:
        found, waiting, note = _rows(client, name)
        rows += found
        pending = pending or waiting
        notes += [note] if note else []
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join(cells) + "  " + row[-1])
    for note in notes:
        print(note)
    return REFUSED if args.strict and pending else OK
