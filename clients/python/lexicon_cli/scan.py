"""``lexicon scan FILE…``: the words of an agent's texts at risk, and whether the organization's
dictionaries have a rule for each; ``--fail-on uncovered`` exits 1 when one has none, so an
agent's prompt repository fails its CI when a new risky word appears."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

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


def _scan(client: Client, path: Path, args: argparse.Namespace) -> dict[str, Any]:
    if not path.is_file():
        raise Failure(USAGE, f"{path}: no such file")
    data: dict[str, str] = {}
    if args.dictionary:
        data["dictionaries"] = ",".join(args.dictionary)
    if args.language:
        data["language"] = args.language
    with path.open("rb") as file:
        response = client.request(
            "POST", f"{API}/scan", data=data, files={"file": (path.name, file)}
        )
    body: dict[str, Any] = response.json()
    return _follow(client, path, body) if response.status_code == 202 else body


def _follow(client: Client, path: Path, job: dict[str, Any]) -> dict[str, Any]:
    """Poll a scan job (``GET /v1/pronunciation/scans/{id}``) to its end, showing progress."""
    shown = None
    while job["state"] not in ("succeeded", "failed"):
        progress = (job["state"], job.get("phase"), job.get("turns_done"))
        if progress != shown:
            print(
                f"{path}: scan {job['id']} {job['state']} ({job.get('phase')}), "
                f"turns {job.get('turns_done')}/{job.get('turns_total')}",
                file=sys.stderr,
            )
            shown = progress
        time.sleep(POLL_SECONDS)
        job = client.json("GET", f"{API}/scans/{job['id']}")
    if job["state"] == "failed":
        error = job.get("error") or {}
        code = UNAVAILABLE if int(error.get("status") or 500) >= 500 else REFUSED
        raise Failure(code, f"{path}: scan failed: {error.get('code')}: {error.get('error')}")
    result: dict[str, Any] = job["result"]
    return result


def _line(finding: dict[str, Any]) -> str:
    covers = [c for c in finding["coverage"] if c["state"] in ("fires", "ipa")]
    where = (
        ", ".join(f"{c['dictionary']}: {c['match']} -> {c['becomes']}" for c in covers)
        if covers
        else "no rule"
    )
    example = finding["examples"][0] if finding["examples"] else None
    context = f"  “{example['before']}{example['text']}{example['after']}”" if example else ""
    reasons = ", ".join(finding["reasons"])
    return f"  {finding['text']}  ×{finding['count']}  [{reasons}]  {where}{context}"


def cmd_scan(args: argparse.Namespace) -> int:
    client = _client()
    uncovered: list[str] = []
    for path in args.files:
        body = _scan(client, path, args)
        summary = body["summary"]
        print(
            f"{path}: {summary['findings']} at risk, {summary['uncovered']} without a rule "
            f"({body['words']} words, {body['language']})"
        )
        for finding in body["findings"]:
            print(_line(finding))
            if not finding["covered"]:
                uncovered.append(finding["text"])
        for note in body["notes"]:
            print(f"  note: {note}")
    if args.fail_on == "uncovered" and uncovered:
        print(f"{len(uncovered)} word(s) at risk without a rule: {', '.join(uncovered[:20])}")
        return REFUSED
    return OK


def add_parser(commands: Any) -> None:
    scan = commands.add_parser(
        "scan",
        help="find the words of texts a voice may say wrong, and the rules that cover them",
        description="Scan .txt, .csv, .jsonl, .srt or .vtt files for words at risk.",
    )
    scan.add_argument("files", nargs="+", type=Path, metavar="FILE")
    scan.add_argument(
        "--dictionary",
        action="append",
        metavar="NAME",
        help="measure against this dictionary (repeat for several; default: all)",
    )
    scan.add_argument("--language", help="BCP 47 tag (default: the dictionaries' language)")
    scan.add_argument(
        "--fail-on",
        choices=["uncovered"],
        help="uncovered: exit 1 when a word at risk has no rule in the dictionaries",
    )
    scan.set_defaults(run=cmd_scan)
