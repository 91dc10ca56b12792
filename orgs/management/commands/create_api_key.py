"""``manage.py create_api_key SLUG --label LABEL``: issue a key, printing only the key on stdout."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from orgs.models import Organization
from orgs.services import api_key_create


class Command(BaseCommand):
    help = (
        "Issue an API key for an organization. Standard output carries only the key, so "
        "KEY=$(manage.py create_api_key acme --label ci) captures it; notes go to standard error."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("slug", help="the organization's slug")
        parser.add_argument(
            "--label", required=True, help="a name for the key, e.g. production-key"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["slug"]).first()
        if organization is None:
            raise CommandError(f"no organization with slug {options['slug']!r}")
        try:
            issued = api_key_create(organization=organization, label=options["label"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(
            f"Issued key {issued.api_key.label!r} (lex_{issued.api_key.prefix}…) for "
            f"{organization.slug}. It is shown only now: store it safely."
        )
        self.stdout.write(issued.plaintext)
