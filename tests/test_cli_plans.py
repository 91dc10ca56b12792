"""Issue 27: ``lexicon plan`` and ``apply`` as dictionaries-as-code tools are expected to work:
exit codes a CI can read, a confirmation, saved plans refused once stale, ``--prune``, one file per
dictionary, checks and review in view, ``--comment``, a viewer key for plans, usage errors."""

import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from orgs.models import Role
from orgs.services import api_key_create, organization_configure, organization_create
from pronunciations.models import Dictionary, Revision
from tests.local_run import LocalRun, local_run  # noqa: F401 - the fixture
from tests.processes import ROOT
from tests.test_cli import CLIENT, lexicon

pytestmark = pytest.mark.django_db
HEADER = "dictionary,mode,match,replace\n"


@dataclass
class Team:
    """An organization of its own (``--prune`` deletes whatever its files do not define)."""

    editor: str
    viewer: str
    reviewed: str  # an editor key of an organization where revisions wait for review


@pytest.fixture(scope="module")
def team(local_run: LocalRun, django_db_blocker: Any) -> Iterator[Team]:  # noqa: F811
    with django_db_blocker.unblock():  # committed: the server's processes read them
        tools = organization_create(slug="cli-tools")
        reviewed = organization_create(slug="cli-reviewed")
        organization_configure(organization=reviewed, review_required=True, by="test")
        yield Team(
            api_key_create(organization=tools, label="ci").plaintext,
            api_key_create(organization=tools, label="pr", role=Role.VIEWER).plaintext,
            api_key_create(organization=reviewed, label="ci").plaintext,
        )


def _file(directory: Path, name: str, rows: str) -> str:
    path = directory / name
    path.write_text(HEADER + rows)
    return str(path)


def _revisions(name: str) -> list[int]:
    numbers = Revision.objects.filter(dictionary__name=name).order_by("number")
    return list(numbers.values_list("number", flat=True))


def test_detailed_exitcode_is_2_with_changes_0_without_and_1_on_an_error(
    local_run: LocalRun,  # noqa: F811
    team: Team,
    tmp_path: Path,
) -> None:
    brands = _file(tmp_path, "brands.csv", "exit-brands,rewrite,QP,cue pee\n")
    bad = _file(tmp_path, "bad.csv", "exit-bad,rewrite,,x\n")

    changes = lexicon(local_run, "plan", "--detailed-exitcode", brands, key=team.editor)
    plain = lexicon(local_run, "plan", brands, key=team.editor)
    lexicon(local_run, "apply", "--auto-approve", brands, key=team.editor)
    nothing = lexicon(local_run, "plan", "--detailed-exitcode", brands, key=team.editor)
    error = lexicon(local_run, "plan", "--detailed-exitcode", bad, key=team.editor)

    assert changes.returncode == 2, changes.stderr
    assert "Plan: 1 to create, 0 to change, 0 to delete." in changes.stdout
    assert plain.returncode == 0
    assert nothing.returncode == 0, nothing.stderr
    assert error.returncode == 1
    assert "row 2, match" in error.stderr


def test_apply_without_a_terminal_or_auto_approve_refuses_and_writes_nothing(
    local_run: LocalRun,  # noqa: F811
    team: Team,
    tmp_path: Path,
) -> None:
    brands = _file(tmp_path, "brands.csv", "ask-brands,rewrite,QP,cue pee\n")

    refused = lexicon(local_run, "apply", brands, key=team.editor)

    assert refused.returncode == 1
    assert "ask-brands: create" in refused.stdout  # the plan is shown first
    assert "standard input is not a terminal" in refused.stderr
    assert "--auto-approve" in refused.stderr
    assert not Dictionary.objects.filter(name="ask-brands").exists()


def _apply_answering(run: LocalRun, answer: str, *args: str, key: str) -> tuple[int, str]:
    """``lexicon apply`` on a terminal, answering its question with ``answer``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEXICON_")}
    env |= {"PYTHONPATH": str(CLIENT), "LEXICON_URL": run.url, "LEXICON_API_KEY": key}
    controller, terminal = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "lexicon_cli", "apply", *args],
        cwd=ROOT,
        env=env,
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        os.close(terminal)
        os.write(controller, f"{answer}\n".encode())
        said, _ = process.communicate(timeout=60)
    os.close(controller)
    return process.returncode, said


def test_apply_asks_and_writes_only_on_yes(
    local_run: LocalRun,  # noqa: F811
    team: Team,
    tmp_path: Path,
) -> None:
    brands = _file(tmp_path, "brands.csv", "yes-brands,rewrite,QP,cue pee\n")

    no, said_no = _apply_answering(local_run, "no", brands, key=team.editor)
    assert no == 1
    assert "Only 'yes' applies" in said_no
    assert "apply cancelled: nothing was written" in said_no
    assert not Dictionary.objects.filter(name="yes-brands").exists()

    yes, said_yes = _apply_answering(local_run, "yes", brands, key=team.editor)
    assert yes == 0, said_yes
    assert "yes-brands: revision 1 live" in said_yes


def test_a_saved_plan_applies_as_planned_and_is_refused_once_the_server_changed(
    local_run: LocalRun,  # noqa: F811
    team: Team,
    tmp_path: Path,
) -> None:
    first = _file(tmp_path, "brands.csv", "saved-brands,rewrite,QP,cue pee\n")
    planned = tmp_path / "first.plan"

    made = lexicon(local_run, "plan", "-out", str(planned), first, key=team.editor)
    Path(first).write_text(HEADER + "saved-brands,rewrite,QP,changed after the plan\n")
    applied = lexicon(local_run, "apply", str(planned), key=team.editor)  # no question

    assert made.returncode == 0, made.stderr
    assert f"Saved the plan to {planned}" in made.stdout
    assert applied.returncode == 0, applied.stderr
    assert "saved-brands: revision 1 live" in applied.stdout
    stored = Dictionary.objects.get(name="saved-brands")
    assert stored.rules.get().value == "cue pee"  # what was planned, not the file's new content

    second = tmp_path / "second.plan"
    lexicon(local_run, "plan", "--out", str(second), first, key=team.editor)
    lexicon(local_run, "apply", "--auto-approve", first, key=team.editor)  # someone else's
    stale = lexicon(local_run, "apply", str(second), key=team.editor)

    assert stale.returncode == 1
    assert "the server changed since the plan was made; nothing was written" in stale.stderr
    assert "saved-brands: revision 1 when planned, revision 2 now" in stale.stderr
    assert _revisions("saved-brands") == [1, 2]


def test_prune_shows_then_deletes_the_dictionaries_no_file_defines(
    local_run: LocalRun,  # noqa: F811
    team: Team,
    tmp_path: Path,
) -> None:
    keep = _file(tmp_path, "keep.csv", "prune-keep,rewrite,QP,cue pee\n")
    extra = _file(tmp_path, "extra.csv", "prune-gone,rewrite,QP,cue pee\n")
    lexicon(local_run, "apply", "--auto-approve", keep, extra, key=team.editor)
    others = Dictionary.objects.filter(organization__slug="cli-tools", deleted_at=None).exclude(
        name__in=["prune-keep", "prune-gone"]
    )  # earlier tests' (the same organization)
    rows = "".join(f"{d.name},rewrite,QP,cue pee\n" for d in others)
    kept = _file(tmp_path, "others.csv", rows)

    without = lexicon(local_run, "plan", keep, kept, key=team.editor)
    prune = ("--prune", "--detailed-exitcode")
    shown = lexicon(local_run, "plan", *prune, keep, kept, key=team.editor)
    pruned = lexicon(local_run, "apply", "--prune", "--auto-approve", keep, kept, key=team.editor)

    assert "prune-gone" not in without.stdout
    assert shown.returncode == 2, shown.stdout + shown.stderr
    assert "Not in the files (--prune):\n  prune-gone: delete (revision 1)\n" in shown.stdout
    assert pruned.returncode == 0, pruned.stderr
    assert "prune-gone: deleted" in pruned.stdout
    assert Dictionary.objects.get(name="prune-gone").deleted_at is not None
    assert Dictionary.objects.get(name="prune-keep").deleted_at is None

    saved = tmp_path / "prune.plan"
    lexicon(local_run, "plan", "--prune", "-out", str(saved), keep, kept, key=team.editor)
    lexicon(local_run, "apply", "--auto-approve", extra, key=team.editor)  # created meanwhile
    stale = lexicon(local_run, "apply", str(saved), key=team.editor)

    assert stale.returncode == 1
    assert "  prune-gone: created since the plan" in stale.stderr


def test_two_files_defining_one_dictionary_are_refused_naming_both(
    local_run: LocalRun,  # noqa: F811
    team: Team,
    tmp_path: Path,
) -> None:
    one = _file(tmp_path, "one.csv", "twice,rewrite,QP,cue pee\n")
    two = _file(tmp_path, "two.csv", "TWICE,rewrite,QP,queue pea\n")

    refused = lexicon(local_run, "apply", "--auto-approve", one, two, key=team.editor)

    assert refused.returncode == 1
    assert f"TWICE is defined in two files, {one} and {two}" in refused.stderr
    assert not Dictionary.objects.filter(name__iexact="twice").exists()


def test_failing_checks_fail_the_plan_and_are_listed(
    local_run: LocalRun,  # noqa: F811
    team: Team,
    tmp_path: Path,
) -> None:
    checked = tmp_path / "checked.csv"
    checked.write_text(
        "dictionary,mode,match,replace,note\n"
        "checked,rewrite,QP,cue pee,\n"
        "checked,check,QP rocks,cue pee rocks,\n"
        "checked,check,QPs,cue pees,\n"
    )

    plan = lexicon(local_run, "plan", "--detailed-exitcode", str(checked), key=team.editor)
    applied = lexicon(local_run, "apply", "--auto-approve", str(checked), key=team.editor)

    assert plan.returncode == 1
    assert "  + check 'QPs' -> 'cue pees'" in plan.stdout
    assert "  ! check 'QPs' fails: expected 'cue pees', got 'QPs'" in plan.stdout
    assert "checks fail against the planned content of checked" in plan.stderr
    assert applied.returncode == 1
    assert not Dictionary.objects.filter(name="checked").exists()


def test_a_revision_waiting_for_review_is_shown_as_proposed_with_its_comment(
    local_run: LocalRun,  # noqa: F811
    team: Team,
    tmp_path: Path,
) -> None:
    brands = _file(tmp_path, "brands.csv", "reviewed-brands,rewrite,QP,cue pee\n")
    args = ("apply", "--auto-approve", "--comment", "From PR #7", brands)

    applied = lexicon(local_run, *args, key=team.reviewed)
    status = lexicon(local_run, "status", key=team.reviewed)

    assert applied.returncode == 0, applied.stderr
    assert "reviewed-brands: revision 1 proposed — waits for review" in applied.stdout
    assert Revision.objects.get(dictionary__name="reviewed-brands").comment == "From PR #7"
    assert status.returncode == 0, status.stderr
    assert status.stdout.splitlines()[1].split()[:4] == ["reviewed-brands", "1", "proposed", "-"]
    assert "reviewed-brands: revision 1 proposed — waits for review" in status.stdout
    Path(brands).write_text(HEADER + "reviewed-brands,rewrite,QP,queue pea\n")
    plan = lexicon(local_run, "plan", brands, key=team.reviewed)
    assert "  note: reviewed-brands revision 1 is proposed — waits for review" in plan.stdout


def test_a_viewer_key_plans_but_cannot_apply(
    local_run: LocalRun,  # noqa: F811
    team: Team,
    tmp_path: Path,
) -> None:
    brands = _file(tmp_path, "brands.csv", "viewer-brands,rewrite,QP,cue pee\n")

    plan = lexicon(local_run, "plan", "--detailed-exitcode", "--prune", brands, key=team.viewer)
    apply = lexicon(local_run, "apply", "--auto-approve", brands, key=team.viewer)

    assert plan.returncode == 2, plan.stderr
    assert "viewer-brands: create" in plan.stdout
    assert apply.returncode == 1
    assert "403 pronunciation_forbidden: This API key's role is viewer" in apply.stderr


@pytest.mark.parametrize(
    ("args", "url", "said"),
    [
        (("plan", "--no-such-flag", "x.csv"), None, "unrecognized arguments: --no-such-flag"),
        (("status",), "127.0.0.1:8000", "LEXICON_URL '127.0.0.1:8000' is not an http://"),
        (("status",), "ftp://127.0.0.1", "is not an http:// or https:// URL"),
        (("apply", "--auto-approve", "missing.csv"), None, "missing.csv: no such file"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], url: str | None, said: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEXICON_")}
    env |= {"PYTHONPATH": str(CLIENT), "LEXICON_API_KEY": "lex_x_y"}
    if url is not None:
        env["LEXICON_URL"] = url
    result = subprocess.run(
        [sys.executable, "-m", "lexicon_cli", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert said in result.stderr
