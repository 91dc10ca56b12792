"""The examples of README.md and the documentation site run as pasted, in order, against a live
local run (issue 16; the site since issue 24). tests/test_docs_serve.py runs them on
``bash .ci/serve``'s own set-up: two files, so that pytest-xdist runs the two runs side by side."""

import pytest

from tests import docs_examples
from tests.docs_run import run_and_check
from tests.local_run import LocalRun, local_run  # noqa: F401 - the fixture

pytestmark = [pytest.mark.django_db, pytest.mark.long]


@pytest.mark.timeout(400)
def test_every_shell_example_runs_as_shown(local_run: LocalRun) -> None:  # noqa: F811
    """Issue 16: each run block's commands succeed (or answer their `# -> NNN`), and shown
    output matches, with the demo key, as a new user pasting top to bottom would see."""
    run_and_check(local_run)


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
