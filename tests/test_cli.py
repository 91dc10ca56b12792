"""Issue 16: ``lexicon``, dictionaries as code over the REST API, against a live local run."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import lexicon_cli as cli
from lexicon_cli import main, plan_lines
from tests.local_run import LocalRun, local_run  # noqa: F401 - the fixture
from tests.processes import ROOT, free_port

# The tests run in a database transaction of their own; the local run's data is committed before.
pytestmark = pytest.mark.django_db
CLIENT = ROOT / "clients" / "python"
EXAMPLE = ROOT / "docs" / "examples" / "tools-dictionaries.csv"


def lexicon(
    run: LocalRun | None, *args: str, key: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The command as CI runs it: a process of its own, configured by the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEXICON_")}
    env["PYTHONPATH"] = str(CLIENT)
    if run is not None:
        env["LEXICON_URL"] = run.url
        env["LEXICON_API_KEY"] = run.key if key is None else key
    return subprocess.run(
        [sys.executable, "-m", "lexicon_cli", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,  # as in CI: no terminal to ask on
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_plan_then_apply_then_plan_has_nothing_to_do(local_run: LocalRun) -> None:  # noqa: F811
    """Issue 16: the example file plans its dictionaries, applies them, then is up to date."""
    first = lexicon(local_run, "plan", str(EXAMPLE))
    assert first.returncode == 0, first.stderr
    assert "tools-brands: create" in first.stdout
    assert "1 to create, 0 to change" in first.stdout

    applied = lexicon(local_run, "apply", "--auto-approve", str(EXAMPLE))
    assert applied.returncode == 0, applied.stderr
    assert "1 created" in applied.stdout
    assert "tools-brands: revision 1 live" in applied.stdout

    again = lexicon(local_run, "plan", str(EXAMPLE))
    assert again.returncode == 0, again.stderr
    assert "No changes: 1 dictionary up to date." in again.stdout


def test_a_file_with_errors_exits_1_with_the_row_and_message(
    local_run: LocalRun,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Issue 16: a refused file names each row and message and writes nothing (exit 1)."""
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "dictionary,mode,match,replace\nbad-one,rewrite,SLNG,slang\nbad-one,rewrite,,x\n"
    )

    result = lexicon(local_run, "apply", str(bad))

    assert result.returncode == 1
    assert f"{bad}: 1 error(s), nothing written" in result.stderr
    assert "  row 3, match: " in result.stderr
    status = lexicon(local_run, "status", "bad-one")
    assert status.returncode == 1  # never created
    assert "404 pronunciation_not_found" in status.stderr


def test_a_refused_pls_file_names_each_lexeme_grapheme_and_line() -> None:
    """Issue 18: a PLS file's errors are located in the file, not by row and column."""
    body = {
        "report": {
            "errors": [
                {
                    "lexeme": 6,
                    "grapheme": "MUJI",
                    "line": 32,
                    "element": "grapheme",
                    "message": "differs",
                },
                {"lexeme": 0, "grapheme": "", "line": 2, "element": "lexicon", "message": "full"},
            ]
        }
    }
    with pytest.raises(cli.Failure) as refused:
        cli.raise_rejected(Path("brands.pls"), cli.Failure(cli.REFUSED, "refused", body))

    assert refused.value.message.splitlines() == [
        "brands.pls: 2 error(s), nothing written",
        "  lexeme 6 'MUJI', <grapheme> at line 32: differs",
        "  <lexicon> at line 2: full",
    ]


def test_a_missing_key_exits_2(tmp_path: Path) -> None:
    """Issue 16: no LEXICON_API_KEY is a configuration error, before any request."""
    result = lexicon(None, "plan", str(EXAMPLE))

    assert result.returncode == 2
    assert "LEXICON_API_KEY is not set" in result.stderr


def test_a_key_the_server_refuses_exits_2(local_run: LocalRun) -> None:  # noqa: F811
    result = lexicon(local_run, "status", key="lex_wrongkey_" + "x" * 43)

    assert result.returncode == 2
    assert "401 pronunciation_unauthenticated: Missing or invalid API key" in result.stderr


def test_an_unreachable_server_exits_3(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 16: nothing listening is exit 3, so CI can tell an outage from a bad file."""
    monkeypatch.setenv("LEXICON_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("LEXICON_API_KEY", "lex_x_y")
    err = io.StringIO()

    assert main(["status"], stderr=err) == 3
    assert "cannot reach http://127.0.0.1:" in err.getvalue()


def test_usage_errors_exit_2() -> None:
    result = lexicon(None, "plan")

    assert result.returncode == 2
    assert "the following arguments are required: FILE" in result.stderr


def test_export_round_trips(local_run: LocalRun, tmp_path: Path) -> None:  # noqa: F811
    """Issue 16: an export applied again changes nothing; ``-o`` is written on success only."""
    out = tmp_path / "all.csv"
    result = lexicon(local_run, "export", "--format", "csv", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "brand,rewrite,QubePay,cube pay" in out.read_text(encoding="utf-8-sig")

    again = lexicon(local_run, "plan", str(out))
    assert again.returncode == 0, again.stderr
    assert "No changes:" in again.stdout

    missing = tmp_path / "missing.csv"
    refused = lexicon(local_run, "export", "--names", "no-such-dictionary", "-o", str(missing))
    assert refused.returncode == 1
    assert not missing.exists()


def test_status_lists_the_demo_targets(local_run: LocalRun) -> None:  # noqa: F811
    result = lexicon(local_run, "status", "support-pronunciations")

    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split() == [
        "DICTIONARY",
        "REVISION",
        "REVIEW",
        "CHECKS",
        "TARGET",
        "STATUS",
        "PUSHED",
        "LAST",
        "ERROR",
    ]
    assert [row.split()[:5] for row in rows] == [
        ["support-pronunciations", "1", "auto", "-", target]
        for target in ("emulator", "production", "staging")
    ]


def test_a_background_import_shows_its_progress(local_run: LocalRun) -> None:  # noqa: F811
    """Issue 16: a job (202) is followed through GET /v1/pronunciation/imports/{id}."""
    result = lexicon(local_run, "plan", "--background", str(EXAMPLE))

    assert result.returncode == 0, result.stderr
    assert f"{EXAMPLE}: job imp_" in result.stderr
    assert " succeeded " in result.stderr.splitlines()[-1]
    assert result.stdout.startswith(f"{EXAMPLE}:\n")


def test_the_plan_is_printed_rule_by_rule(local_run: LocalRun, tmp_path: Path) -> None:  # noqa: F811
    """Issue 16: depends on the import report's ``plan`` field (the rule-level plan contract),
    built on another branch: until that is merged this test fails here, by design."""
    changed = tmp_path / "brand.csv"  # the demo's brand names, a layer both agents include
    changed.write_text(
        "dictionary,mode,match,replace,ipa\n"
        "brand,rewrite,SLNG,slang,\n"
        "brand,rewrite,QubePay,kyoob pay,\n"
        "brand,rewrite,NAIC,en ay eye see,\n"
    )

    result = lexicon(local_run, "plan", str(changed))

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1:5] == [
        "  brand: change",
        "    + rewrite 'NAIC' -> 'en ay eye see'",
        "    ~ rewrite 'QubePay': 'cube pay' -> 'kyoob pay'",
        "    - ipa 'SLNG' ('slɪŋ')",
    ]


def test_plan_lines_follow_the_contract_and_fall_back_to_counts() -> None:
    """Issue 16: the printed plan of a report with ``plan`` (the contract's shape) and without."""
    with_plan = {
        "plan": [
            {"dictionary": "a", "action": "unchanged", "rules": {}, "metadata_changed": False},
            {
                "dictionary": "b",
                "action": "change",
                "rules": {
                    "added": [{"mode": "rewrite", "match": "X", "value": "ex"}],
                    "changed": [{"mode": "ipa", "match": "Y", "from": "i", "to": "j"}],
                    "removed": [{"mode": "rewrite", "match": "Z", "value": "zed"}],
                },
                "metadata_changed": True,
            },
            {"dictionary": "c", "action": "change", "rules": {}, "reordered": True},
        ],
        "plan_rules_not_listed": 4,
    }
    assert plan_lines(with_plan) == [
        "b: change",
        "  + rewrite 'X' -> 'ex'",
        "  ~ ipa 'Y': 'i' -> 'j'",
        "  - rewrite 'Z' ('zed')",
        "  metadata changed",
        "c: change",
        "  rules reordered",
        "  ... and 4 more rule changes",
    ]
    without = {"dictionaries": {"created": ["n"], "changed": ["m"], "unchanged": ["u"]}}
    assert plan_lines(without) == ["n: create", "m: change"]


def test_the_client_imports_nothing_of_django() -> None:
    """Issue 16: the client speaks only the REST API."""
    code = "import sys, lexicon_cli; print(sorted(m for m in sys.modules if 'django' in m))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=CLIENT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_scan_fails_ci_on_a_new_uncovered_brand_name(
    local_run: LocalRun,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Issue 26: words the demo dictionary covers pass; a new brand name without a rule exits 1."""
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("Thanks for choosing QubePay. Pay by ACH transfer or with SLNG.\n")
    args = ("scan", "--dictionary", "support-pronunciations", "--fail-on", "uncovered")

    covered = lexicon(local_run, *args, str(prompt))

    assert covered.returncode == 0, covered.stdout + covered.stderr
    rule = "support-pronunciations: QubePay -> cube pay"  # from its brand layer
    assert f"QubePay  ×1  [case_mix, unknown, rare]  {rule}" in covered.stdout
    prompt.write_text("Thanks for choosing QubePay, now with Zorvex rewards.\n")

    uncovered = lexicon(local_run, *args, str(prompt))

    assert uncovered.returncode == 1, uncovered.stdout + uncovered.stderr
    assert "Zorvex  ×1  [unknown, rare]  no rule" in uncovered.stdout
    assert uncovered.stdout.endswith("1 word(s) at risk without a rule: Zorvex\n")
    report_only = lexicon(local_run, "scan", str(prompt))
    assert report_only.returncode == 0


def test_scan_of_another_organizations_dictionary_exits_1(
    local_run: LocalRun,  # noqa: F811
    tmp_path: Path,
) -> None:
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("QubePay\n")
    result = lexicon(local_run, "scan", "--dictionary", "not-ours", str(prompt))
    assert result.returncode == 1
    assert "404 pronunciation_not_found: Pronunciation dictionary not found: not-ours" in (
        result.stderr
    )
