"""``manage.py configure_org --org SLUG [--review-required on|off]``: an organization's settings."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from orgs.commands import add_org_argument, organization_from_options
from orgs.services import organization_configure

_SWITCH = {"on": True, "off": False}


class Command(BaseCommand):
    help = (
        "Change an organization's settings; prints them (after the change, if any) on standard "
        "output. --review-required on makes every new revision wait for a reviewer's approval."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_org_argument(parser, deprecated_positional=True)
        parser.add_argument(
            "--review-required",
            choices=sorted(_SWITCH),
            help="on: new revisions start proposed until a reviewer approves; off: auto-approved",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = organization_from_options(self, options)
        switch = options["review_required"]
        if switch is not None:
            organization = organization_configure(
                organization=organization,
                review_required=_SWITCH[switch],
                by="manage.py configure_org",
            )
            self.stderr.write(f"Review for {organization.slug} is now {switch}.")
        state = "on" if organization.review_required else "off"
        self.stdout.write(f"review_required: {state}")
