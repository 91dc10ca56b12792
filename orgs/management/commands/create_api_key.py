"""``manage.py create_api_key --org SLUG --label LABEL [--role ROLE]``: issue a key, print only
the key."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from orgs.commands import add_org_argument, organization_from_options
from orgs.models import Role
from orgs.services import api_key_create


class Command(BaseCommand):
    help = (
        "Issue an API key for an organization. Standard output carries only the key, so "
        "KEY=$(manage.py create_api_key --org acme --label ci) captures it; notes go to "
        "standard error."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_org_argument(parser, deprecated_positional=True)
        parser.add_argument(
            "--label", required=True, help="a name for the key, e.g. production-key"
        )
        parser.add_argument(
            "--role",
            default=Role.EDITOR,
            choices=list(reversed(Role.values)),
            help="viewer reads; editor (the default) also writes; reviewer and admin also "
            "approve or reject others' changes",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = organization_from_options(self, options)
        try:
            issued = api_key_create(
                organization=organization, label=options["label"], role=options["role"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(
            f"Issued {issued.api_key.role} key {issued.api_key.label!r} "
            f"(lex_{issued.api_key.prefix}…) for "
            f"{organization.slug}. It is shown only now: store it safely."
        )
        self.stdout.write(issued.plaintext)
