"""How tests/test_docs.py and tests/test_docs_serve.py run every example of README.md and the
documentation site against a local run, and check each command's result and shown output."""

import os
from pathlib import Path

import yaml

from tests import docs_examples
from tests.local_run import LocalRun
from tests.processes import ROOT

README = ROOT / "README.md"
# Every page with examples is pasted a second time (issue 23): these on `.ci/serve`'s set-up
# (tests/test_docs_serve.py), the others on PostgreSQL (tests/test_docs.py), so that the two
# runs take about as long.
PASTED_TWICE_ON_SERVE = ("docs/import-export.md", "docs/cli.md")


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


def pages_with_examples() -> list[str]:
    """The pages that have run blocks, in their order."""
    return list(dict.fromkeys(block.page for block in all_blocks()))


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


def run_and_check(run: LocalRun, pasted_twice: tuple[str, ...] = ()) -> None:
    """Every block, in order, in one shell against ``run``; each command and shown output
    checked as tests/docs_examples.py says. Then the blocks of the ``pasted_twice`` pages run
    again in the same shell, as a reader pasting a page a second time: each command must
    succeed again (a shown output is the first paste's, so it is not compared then)."""
    found = all_blocks()
    assert len(found) >= 10
    again = [block for block in found if block.page in pasted_twice]
    assert len({block.page for block in again}) == len(pasted_twice), "a page has no examples"
    runner = docs_examples.Runner(
        _workspace(run),
        {**run.env, "PATH": os.environ.get("PATH", "")},
        {
            "127.0.0.1:8000": f"127.0.0.1:{run.port}",
            "127.0.0.1:8765": f"127.0.0.1:{run.emulator_port}",
            ".venv/bin/lexicon": str(run.directory / "bin" / "lexicon"),
        },
        timeout=780,
    )

    results = runner.run(found + again)
    _print_times(results, len(found))

    for block, block_results in zip(found, results[: len(found)], strict=True):
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
    for result in (r for block_results in results[len(found) :] for r in block_results):
        problem = docs_examples.check(result)
        assert problem is None, (
            f"pasted twice, {result.command.page}:{result.command.line}: {problem}\n"
            f"{result.command.text}\n"
            f"stdout: {result.stdout[:2000]}\nstderr: {result.stderr[:2000]}"
        )


def _print_times(results: list[list[docs_examples.Result]], first: int) -> None:
    """Seconds per page (each paste) and the slowest commands, in the test's captured output
    (pytest -rP shows it): where the run's time goes."""
    pages: dict[str, float] = {}
    flat = []
    for index, block_results in enumerate(results):
        for result in block_results:
            page = result.command.page + (" (again)" if index >= first else "")
            pages[page] = pages.get(page, 0.0) + result.seconds
            flat.append((result.seconds, page, result.command))
    for page, seconds in pages.items():
        print(f"{seconds:7.1f} s  {page}")
    print(f"{sum(pages.values()):7.1f} s  in all")
    for seconds, page, command in sorted(flat, key=lambda item: -item[0])[:10]:
        print(f"{seconds:7.2f} s  {page}:{command.line}  {command.text.splitlines()[0][:90]}")
