"""The import_dictionaries and export_dictionaries commands."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from orgs.models import Organization
from pronunciations.models import Dictionary
from tests.factories import make_dictionary

pytestmark = pytest.mark.django_db


def test_export_then_import_round_trips_through_files(
    organization: Organization, other_organization: Organization, tmp_path: Path
) -> None:
    make_dictionary(organization, "brand", metadata={"language": "en-US"})
    make_dictionary(organization, "support", rules=3)
    exported = tmp_path / "all.csv"
    err = io.StringIO()

    call_command("export_dictionaries", "--org", "acme", "--output", str(exported), stderr=err)
    out = io.StringIO()
    call_command(
        "import_dictionaries",
        str(exported),
        "--org",
        "globex",
        "--mode",
        "replace",
        "--create-missing",
        stdout=out,
        stderr=err,
    )

    assert "100% export 2/2" in err.getvalue()
    assert "100% import 5/5" in err.getvalue()  # rows
    assert out.getvalue().strip() == (
        "dictionaries were: 2 created, 0 changed, 0 unchanged; rules: 5 added, 0 changed, 0 removed"
    )
    ours = {d.name: d.content_hash for d in Dictionary.objects.filter(organization=organization)}
    theirs = {
        d.name: d.content_hash for d in Dictionary.objects.filter(organization=other_organization)
    }
    assert ours == theirs


def test_import_errors_are_listed_by_row_and_nothing_is_written(
    organization: Organization, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("dictionary,mode,match,replace\nd,rewrite,,x\nd,shout,a,b\n")
    err = io.StringIO()

    with pytest.raises(CommandError, match="Import refused: 2 error"):
        call_command(
            "import_dictionaries", str(bad), "--org", "acme", "--create-missing", stderr=err
        )

    assert "row 2, match: must not be empty or whitespace only" in err.getvalue()
    assert "row 3, mode: mode must be rewrite, ipa or check, got 'shout'" in err.getvalue()
    assert not Dictionary.objects.exists()


def test_dry_run_says_what_would_happen(organization: Organization, tmp_path: Path) -> None:
    source = tmp_path / "d.json"
    source.write_text('[{"dictionary": "d", "mode": "rewrite", "match": "a", "replace": "b"}]')
    out = io.StringIO()

    call_command(
        "import_dictionaries",
        str(source),
        "--org",
        "acme",
        "--create-missing",
        "--dry-run",
        stdout=out,
        stderr=io.StringIO(),
    )

    assert out.getvalue().startswith("dictionaries would be: 1 created")
    assert not Dictionary.objects.exists()


def test_commands_refuse_unknown_orgs_and_files(tmp_path: Path, db: None) -> None:
    with pytest.raises(CommandError, match="no organization"):
        call_command("export_dictionaries", "--org", "nope")
    Organization.objects.create(slug="acme", name="Acme")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_dictionaries", str(tmp_path / "missing.csv"), "--org", "acme")
