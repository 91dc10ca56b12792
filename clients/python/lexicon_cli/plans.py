"""A plan: every file's dry run, the dictionaries ``--prune`` deletes, and the server's state it
was made against (each dictionary's revision), so that a saved plan is refused once the server
changed. A dictionary belongs to one file: two files defining it are refused."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lexicon_cli.client import API, REFUSED, USAGE, Client, Failure
from lexicon_cli.imports import Options, import_file
from lexicon_cli.render import failing_checks

FORMAT = "lexicon-plan/1"
# How a saved plan starts (save writes "format" first); an import file never does.
_MARK = re.compile(rb'\A\s*\{\s*"format"\s*:\s*"lexicon-plan/')


def key(name: str) -> str:
    """Names compare case-insensitively, as the server compares them."""
    return name.casefold()


def path_of(name: str) -> str:
    return f"{API}/dictionaries/{quote(name, safe='')}"


@dataclass
class PlannedFile:
    path: str
    content: bytes
    report: dict[str, Any]

    def names(self) -> list[str]:
        groups = self.report.get("dictionaries") or {}
        return [n for action in ("created", "changed", "unchanged") for n in groups.get(action, [])]

    def changes(self) -> int:
        groups = self.report.get("dictionaries") or {}
        return len(groups.get("created", [])) + len(groups.get("changed", []))


@dataclass
class Plan:
    url: str
    options: Options
    files: list[PlannedFile]
    revisions: dict[str, int | None]  # each dictionary of the files: its revision, None: absent
    prune: list[dict[str, Any]] = field(default_factory=list)  # name, revision, etag
    live: dict[str, int] | None = None  # with --prune: every live dictionary's revision

    def changes(self) -> int:
        return sum(f.changes() for f in self.files) + len(self.prune)

    def failing(self) -> list[str]:
        return [name for f in self.files for name in failing_checks(f.report)]


def live_revisions(client: Client) -> dict[str, tuple[str, int]]:
    """Every live dictionary of the organization: its name and revision, by ``key``."""
    listed = client.json("GET", f"{API}/dictionaries")["dictionaries"]
    return {key(d["name"]): (d["name"], int(d["revision"])) for d in listed}


def make_plan(client: Client, paths: list[Path], options: Options, *, prune: bool) -> Plan:
    """Dry-run every file (nothing is written) against the state read first."""
    contents = [(str(path), _read(path)) for path in paths]
    live = live_revisions(client)
    files = [
        PlannedFile(name, content, import_file(client, name, content, options, dry_run=True))
        for name, content in contents
    ]
    homes = one_home(files)
    plan = Plan(
        client.base_url,
        options,
        files,
        {name: live[k][1] if k in live else None for k, name in homes.items()},
    )
    if prune:
        plan.live = {name: revision for name, revision in live.values()}
        for k, (name, revision) in sorted(live.items()):
            if k not in homes:
                etag = client.request("GET", path_of(name)).headers.get("ETag", "")
                plan.prune.append({"name": name, "revision": revision, "etag": etag})
    return plan


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise Failure(USAGE, f"{path}: no such file")
    return path.read_bytes()


def one_home(files: list[PlannedFile]) -> dict[str, str]:
    """Each dictionary of the files by ``key``; one defined in two files is refused, naming
    both (applied one after the other, they would undo each other on every apply)."""
    homes: dict[str, tuple[str, str]] = {}
    for planned in files:
        for name in planned.names():
            other = homes.setdefault(key(name), (name, planned.path))
            if other[1] != planned.path:
                raise Failure(
                    REFUSED,
                    f"{name} is defined in two files, {other[1]} and {planned.path}: "
                    "keep each dictionary in one file",
                )
    return {k: name for k, (name, _) in homes.items()}


def stale(client: Client, plan: Plan) -> list[str]:
    """How the server changed since the plan was made (nothing: the plan still holds). With
    ``--prune`` every dictionary is watched, else those of the files."""
    if plan.url.rstrip("/") != client.base_url.rstrip("/"):
        return [f"the plan was made for {plan.url}, not {client.base_url}"]
    live = live_revisions(client)
    watched = dict(plan.revisions)
    known = {key(name) for name in watched}
    created: list[str] = []
    if plan.live is not None:
        watched |= {name: rev for name, rev in plan.live.items() if key(name) not in known}
        known |= {key(name) for name in plan.live}
        created = [name for k, (name, _) in sorted(live.items()) if k not in known]

    def now(name: str) -> int | None:
        return live[key(name)][1] if key(name) in live else None

    changed = [
        f"{name}: {_state(revision)} when planned, {_state(now(name))} now"
        for name, revision in watched.items()
        if now(name) != revision
    ]
    return changed + [f"{name}: created since the plan" for name in created]


def _state(revision: int | None) -> str:
    return "absent" if revision is None else f"revision {revision}"


def is_saved_plan(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as file:
        return _MARK.match(file.read(256)) is not None


def save(plan: Plan, path: Path) -> None:
    body = {
        "format": FORMAT,
        "url": plan.url,
        "options": asdict(plan.options),
        "files": [
            {
                "path": f.path,
                "content": base64.b64encode(f.content).decode("ascii"),
                "report": f.report,
            }
            for f in plan.files
        ],
        "revisions": plan.revisions,
        "prune": plan.prune,
        "live": plan.live,
    }
    path.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def load(path: Path) -> Plan:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        if body.get("format") != FORMAT:
            raise ValueError(f"format {body.get('format')!r}, not {FORMAT}")
        files = [
            PlannedFile(f["path"], base64.b64decode(f["content"]), f["report"])
            for f in body["files"]
        ]
        return Plan(
            body["url"],
            Options(**body["options"]),
            files,
            body["revisions"],
            body["prune"],
            body["live"],
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise Failure(USAGE, f"{path}: not a saved plan this lexicon can read ({exc})") from exc
