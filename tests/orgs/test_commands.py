"""Issue 12: every command that acts for an organization takes it one way, ``--org SLUG``."""

import io

import pytest
from django.core.management import CommandError, call_command

from orgs.models import Organization

URLS = ["--base-url", "https://slng.invalid", "--ws-url", "wss://slng.invalid"]
# Each command that acts for an organization, with the rest of what it needs to get that far.
COMMANDS = [
    ("create_api_key", ["--label", "ci"]),
    ("configure_org", ["--review-required", "on"]),
    ("create_sync_target", ["production", *URLS]),
    ("sync_dictionaries", ["--dry-run"]),
    ("export_dictionaries", []),
    ("import_dictionaries", ["missing.csv"]),
]


@pytest.mark.parametrize(("command", "rest"), COMMANDS)
def test_every_org_command_takes_org_and_names_an_unknown_slug(
    command: str, rest: list[str], db: None
) -> None:
    """Issue 12: one spelling (--org SLUG) and one error for an unknown organization."""
    with pytest.raises(CommandError, match="no organization with slug 'nope'"):
        call_command(command, "--org", "nope", *rest, stderr=io.StringIO())


@pytest.mark.parametrize(
    ("command", "rest"), [c for c in COMMANDS if c[0] in ("create_api_key", "sync_dictionaries")]
)
def test_org_is_required_and_given_once(command: str, rest: list[str], db: None) -> None:
    """Issue 12: no organization, or two (the deprecated positional and --org), is refused."""
    with pytest.raises(CommandError, match="give the organization with --org SLUG"):
        call_command(command, *rest)
    with pytest.raises(CommandError, match="give the organization once"):
        call_command(command, "acme", "--org", "acme", *rest)


def test_create_api_key_with_org_issues_a_key(organization: Organization) -> None:
    """Issue 12: --org works; the old positional slug still works and says it is deprecated."""
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_key", "--org", "acme", "--label", "ci", stdout=out, stderr=err)
    assert out.getvalue().startswith("lex_")
    assert "deprecated" not in err.getvalue()

    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_key", "acme", "--label", "old", stdout=out, stderr=err)
    assert out.getvalue().startswith("lex_")
    assert "deprecated: use --org SLUG" in err.getvalue()
    assert organization.api_keys.count() == 2
