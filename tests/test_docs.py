"""The examples of README.md and the documentation site run as pasted, in order, against a live
local run (issue 16; the site since issue 24)."""

import os
from pathlib import Path

import pytest
import yaml

from tests import docs_examples
from tests.local_run import LocalRun, local_run  # noqa: F401 - the fixture
from tests.processes import ROOT
from tests.sqlite_run import sqlite_run  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
README = ROOT / "README.md"


def pages() -> list[Path]:
    """README.md, then the site's pages in mkdocs.yml's nav order."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    files = [next(iter(entry.values())) for entry in config["nav"]]
    return [README, *(ROOT / "docs" / name for name in files)]


def all_blocks() -> list[docs_examples.Block]:
    found: list[docs_examples.Block] = []
    for path in pages():
        found += docs_examples.blocks(path.read_text(), str(path.relative_to(ROOT)))
    return found


def _workspace(run: LocalRun) -> Path:
    """The local run's directory (its var/demo-key) seen as a checkout: files the examples read
    come from this one; files they write stay there."""
    for name in (".venv", "manage.py", "docs"):
        link = run.directory / name
        if not link.exists():
            link.symlink_to(ROOT / name)
    shim = run.directory / "bin" / "lexicon"
    shim.parent.mkdir(exist_ok=True)
    # The console script of this checkout (the shared .venv may hold another checkout's).
    client, python = ROOT / "clients" / "python", ROOT / ".venv" / "bin" / "python"
    shim.write_text(f'#!/bin/sh\nPYTHONPATH="{client}" exec "{python}" -m lexicon_cli "$@"\n')
    shim.chmod(0o755)
    return run.directory


@pytest.mark.timeout(400)
def test_every_shell_example_runs_as_shown(local_run: LocalRun) -> None:  # noqa: F811
    """Issue 16: each run block's commands succeed (or answer their `# -> NNN`), and shown
    output matches, with the demo key, as a new user pasting top to bottom would see."""
    _run_and_check(local_run, all_blocks())


@pytest.mark.timeout(900)
def test_every_shell_example_runs_on_the_serve_set_up(sqlite_run: LocalRun) -> None:  # noqa: F811
    """Issue 23: the examples also run on `bash .ci/serve`'s own set-up (SQLite, the file
    broker, runserver), where the background import used to fail."""
    _run_and_check(sqlite_run, all_blocks())


def _run_and_check(run: LocalRun, found: list[docs_examples.Block]) -> None:
    assert len(found) >= 10
    runner = docs_examples.Runner(
        _workspace(run),
        {**run.env, "PATH": os.environ.get("PATH", "")},
        {
            "127.0.0.1:8000": f"127.0.0.1:{run.port}",
            "127.0.0.1:8765": f"127.0.0.1:{run.emulator_port}",
            ".venv/bin/lexicon": str(run.directory / "bin" / "lexicon"),
        },
        timeout=600,
    )

    results = runner.run(found)

    for block, block_results in zip(found, results, strict=True):
        for result in block_results:
            problem = docs_examples.check(result)
            assert problem is None, (
                f"{result.command.page}:{result.command.line}: {problem}\n"
                f"{result.command.text}\n"
                f"stdout: {result.stdout[:2000]}\nstderr: {result.stderr[:2000]}"
            )
        if block.output is not None:
            kind, shown = block.output
            last = block_results[-1]
            assert docs_examples.output_matches(kind, shown, last.stdout), (
                f"{block.page}:{block.line}: the output differs from the shown one\n"
                f"shown:\n{shown}\nactual:\n{last.stdout}"
            )


def test_the_conventions_hold() -> None:
    """The docs test's own rules: markers, skipped blocks, placeholders."""
    text = "\n".join(
        [
            "```bash",
            "a \\",
            "  b   # -> 404",
            "c '",
            "d'",
            "for i in 1 2; do",
            "  echo $i",
            "done",
            "```",
            "```json",
            '{"id": "pd_…", "n": 1, "…": "…", "list": [1, "…"]}',
            "```",
            "```shell",
            "docker compose up",
            "```",
        ]
    )
    (block,) = docs_examples.blocks(text)
    assert [(c.text, c.status) for c in block.commands] == [
        ("a \\\n  b   # -> 404", 404),
        ("c '\nd'", None),
        ("for i in 1 2; do\n  echo $i\ndone", None),
    ]
    assert block.output is not None
    kind, shown = block.output
    assert docs_examples.output_matches(
        kind, shown, '{"id": "pd_1", "n": 1, "x": 2, "list": [1, 2, 3]}'
    )
    assert not docs_examples.output_matches(kind, shown, '{"id": "pd_1", "n": "1", "list": [1]}')
    assert not docs_examples.output_matches(kind, shown, '{"id": "org_1", "n": 1, "list": [1]}')
    assert docs_examples.text_matches("a\n…\nc …", "a\nb\nb2\nc d\n")
    assert not docs_examples.text_matches("a\nc", "a\nb\nc\n")
