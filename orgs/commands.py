"""The organization of a management command: one option, ``--org SLUG``, and one clear error.

Every command that acts for an organization takes ``--org SLUG``. The commands that used to
take the slug as their first positional argument (create_api_key, create_sync_target,
sync_dictionaries) still accept it, as a deprecated alias that says so on standard error.
"""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from orgs.actors import Actor
from orgs.models import Organization
from orgs.scoping import restrict

_DEPRECATED = "deprecated_org"


def add_org_argument(
    parser: ArgumentParser, *, deprecated_positional: bool = False, default: str | None = None
) -> None:
    """``--org SLUG`` (required unless it has a default or the deprecated positional form)."""
    required = default is None and not deprecated_positional
    parser.add_argument(
        "--org", metavar="SLUG", default=default, required=required, help="the organization's slug"
    )
    if deprecated_positional:
        parser.add_argument(
            _DEPRECATED, nargs="?", metavar="ORG", help="deprecated: the slug; use --org SLUG"
        )


def org_slug(command: BaseCommand, options: dict[str, Any]) -> str:
    """The slug the command was given, from ``--org`` or the deprecated positional form."""
    slug, old = options.get("org"), options.get(_DEPRECATED)
    if slug and old:
        raise CommandError("give the organization once, with --org SLUG")
    if old:
        command.stderr.write("Giving the organization first is deprecated: use --org SLUG.")
    if not (slug or old):
        raise CommandError("give the organization with --org SLUG")
    return str(slug or old)


def organization_from_options(command: BaseCommand, options: dict[str, Any]) -> Organization:
    """The organization named by the command's options, or a CommandError that says so."""
    slug = org_slug(command, options)
    actor = Actor.for_command(command.__module__.rpartition(".")[2])
    organization = restrict(Organization, actor).filter(slug=slug).first()
    if organization is None:
        raise CommandError(f"no organization with slug {slug!r}")
    return organization
