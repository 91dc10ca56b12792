"""``manage.py demo_setup [--org SLUG]``: the local demo organization, key, dictionary, target."""

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from orgs.actors import Actor
from orgs.commands import add_org_argument
from orgs.models import Membership, Organization, Role
from orgs.services import api_key_create, organization_create
from pronunciations.models import Dictionary
from pronunciations.services import dictionary_create
from sync.models import SyncTarget, VerifyRoute
from sync.targets import target_create, target_update

DEMO_SLNG_KEY = "sk_local_demo_emulator"
# Two more SLNG organizations of the emulator, for the README's staging and production targets.
DEMO_CHANNEL_KEYS = {
    "sk_local_demo_staging": "org_local_staging",
    "sk_local_demo_production": "org_local_production",
}
DEMO_MODEL = "slng/deepgram/aura:2-en"  # the default model of pipecat-slng and SLNG's examples
DEMO_USER, DEMO_PASSWORD = "demo", "demo-lexicon"
SAMPLE = {
    "rewrite": {
        "rules": [
            {"match": "SLNG", "replace": "slang"},
            {"match": "QubePay", "replace": "cube pay"},
            {"match": "ACH transfer", "replace": "ay see aitch transfer"},
            {"match": "ACH", "replace": "ay see aitch"},
        ]
    },
    "ipa": {"rules": [{"match": "SLNG", "ipa": "slɪŋ"}]},
}


class Command(BaseCommand):
    help = (
        "Local runs only: create, once, the demo organization with an API key (kept in "
        "var/demo-key and printed), a sample dictionary, the emulator's keys file and a sync "
        "target pointing at the emulator."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_org_argument(parser, default="demo")
        parser.add_argument("--emulator-url", default="http://127.0.0.1:8765")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_setup is for local runs only (DEBUG is off)")
        var = Path(settings.BASE_DIR) / "var"
        var.mkdir(exist_ok=True)
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            organization = organization_create(slug=options["org"], name="Demo organization")
        key_file = var / "demo-key"
        if not key_file.exists() or not organization.api_keys.filter(revoked_at=None).exists():
            issued = api_key_create(organization=organization, label="demo-key")
            key_file.write_text(issued.plaintext + "\n")
            key_file.chmod(0o600)
        self._emulator_keys(var / "emulator-keys.json")
        self._demo_user(organization)
        self._target_and_sample(organization, options["emulator_url"])
        self.stderr.write(f"Demo organization {organization.slug!r} is ready.")
        self.stdout.write(key_file.read_text().strip())

    def _demo_user(self, organization: Organization) -> None:
        """A staff login for the admin, admin of the demo organization only (not a superuser)."""
        user, created = User.objects.get_or_create(username=DEMO_USER, defaults={"is_staff": True})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(
            user=user, organization=organization, defaults={"role": Role.ADMIN}
        )

    def _emulator_keys(self, path: Path) -> None:
        keys = {"keys": [{"key": DEMO_SLNG_KEY, "org_id": "org_local_demo", "label": "lexicon"}]}
        keys["keys"] += [
            {"key": key, "org_id": org_id, "label": "lexicon"}
            for key, org_id in DEMO_CHANNEL_KEYS.items()
        ]
        path.write_text(json.dumps(keys, indent=2) + "\n")
        path.chmod(0o600)

    def _target_and_sample(self, organization: Organization, emulator_url: str) -> None:
        base_url = emulator_url.rstrip("/")
        ws_url = base_url.replace("http", "ws", 1)
        target = SyncTarget.objects.filter(organization=organization, name="emulator").first()
        if target is None:
            target_create(
                organization=organization,
                name="emulator",
                base_url=base_url,
                ws_url=ws_url,
                api_key=DEMO_SLNG_KEY,
                model=DEMO_MODEL,
                verify_route=VerifyRoute.BRIDGE,
                interval_seconds=60,
            )
        else:
            # Verification goes through the unified bridge, the route SLNG's client libraries
            # use (a target made by an older demo_setup is moved to it too). Another emulator
            # URL gets the demo key entered again with it, never carried over.
            moved = (target.base_url, target.ws_url) != (base_url, ws_url)
            target_update(
                target=target,
                api_key=DEMO_SLNG_KEY if moved else "",
                base_url=base_url,
                ws_url=ws_url,
                model=DEMO_MODEL,
                verify_route=VerifyRoute.BRIDGE,
            )
        if not Dictionary.objects.filter(organization=organization).exists():
            dictionary_create(
                organization=organization,
                name="support-pronunciations",
                modes=SAMPLE,
                metadata={"language": "en-US", "use_case": "support"},
                created_by=Actor("demo-key", "command:demo_setup"),
            )
