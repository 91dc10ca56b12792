"""``manage.py create_org SLUG [--name NAME]``: create an organization and print its public id."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from orgs.services import OrganizationExists, organization_create


class Command(BaseCommand):
    help = "Create an organization. Prints its public id (org_…) on standard output."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("slug", help="short unique identifier, e.g. acme")
        parser.add_argument("--name", default="", help="display name (defaults to the slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organization = organization_create(slug=options["slug"], name=options["name"])
        except (OrganizationExists, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"Created organization {organization.slug!r} ({organization.name}).")
        self.stdout.write(organization.public_id)
