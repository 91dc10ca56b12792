"""``manage.py demo_setup``: an idempotent demo organization and key for the local run."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from orgs.models import Organization
from orgs.services import api_key_create, organization_create


class Command(BaseCommand):
    help = (
        "Create the demo organization and an API key for it, once. The key is kept in "
        "var/demo-key (local runs only) and printed on standard output."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--slug", default="demo")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_setup is for local runs only (DEBUG is off)")
        key_file = Path(settings.BASE_DIR) / "var" / "demo-key"
        organization = Organization.objects.filter(slug=options["slug"]).first()
        if organization is None:
            organization = organization_create(slug=options["slug"], name="Demo organization")
        if not key_file.exists() or not organization.api_keys.filter(revoked_at=None).exists():
            issued = api_key_create(organization=organization, label="demo-key")
            key_file.parent.mkdir(exist_ok=True)
            key_file.write_text(issued.plaintext + "\n")
            key_file.chmod(0o600)
        self.stderr.write(f"Demo organization {organization.slug!r} is ready.")
        self.stdout.write(key_file.read_text().strip())
