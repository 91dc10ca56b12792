"""The examples of README.md and the documentation site run as pasted, in order, against a live
local run (issue 16; the site since issue 24). tests/test_docs_serve.py runs them on
``bash .ci/serve``'s own set-up: two files, so that pytest-xdist runs the two runs side by side.

Every page can be pasted twice (issue 23); each run pastes some pages a second time, so that the
two runs take about as long: this one every page but those tests/test_docs_serve.py pastes again
(import and export, and the client, whose background imports matter most on SQLite)."""

import pytest

from tests import docs_examples
from tests.docs_run import PASTED_TWICE_ON_SERVE, pages_with_examples, run_and_check
from tests.local_run import LocalRun, local_run  # noqa: F401 - the fixture

pytestmark = [pytest.mark.django_db, pytest.mark.long]


@pytest.mark.timeout(900)
def test_every_shell_example_runs_as_shown(local_run: LocalRun) -> None:  # noqa: F811
    """Issue 16: each run block's commands succeed (or answer their `# -> NNN`), and shown
    output matches, with the demo key, as a new user pasting top to bottom would see. Issue 23:
    the pages tests/test_docs_serve.py does not paste twice are pasted a second time here."""
    again = [page for page in pages_with_examples() if page not in PASTED_TWICE_ON_SERVE]
    run_and_check(local_run, pasted_twice=tuple(again))


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
            "e   # -> 404 or 204",
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
        ("e   # -> 404 or 204", 404),
    ]
    either = block.commands[-1]
    assert [
        docs_examples.check(docs_examples.Result(either, 0, status, "", ""))
        for status in (404, 204, 200)
    ] == [None, None, "HTTP status 200, expected 404 or 204"]
    assert block.output is not None
    kind, shown = block.output
    assert docs_examples.output_matches(
        kind, shown, '{"id": "pd_1", "n": 1, "x": 2, "list": [1, 2, 3]}'
    )
    assert not docs_examples.output_matches(kind, shown, '{"id": "pd_1", "n": "1", "list": [1]}')
    assert not docs_examples.output_matches(kind, shown, '{"id": "org_1", "n": 1, "list": [1]}')
    assert docs_examples.text_matches("a\n…\nc …", "a\nb\nb2\nc d\n")
    assert not docs_examples.text_matches("a\nc", "a\nb\nc\n")
