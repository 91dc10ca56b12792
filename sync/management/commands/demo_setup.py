"""``manage.py demo_setup [--org SLUG]``: the local demo organization, its key, logins, sample
dictionaries (a ``brand`` layer included by two agents in two languages) and targets
(``emulator``; ``staging`` and ``production`` for channels)."""

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
from orgs.scoping import restrict
from orgs.services import api_key_create, organization_create
from pronunciations.models import Dictionary
from pronunciations.services import dictionary_create
from sync.models import Channel, SyncTarget, VerifyRoute
from sync.services import target_create, target_update

# A command reads as whoever has the server's shell: every organization (its options narrow).
COMMAND = Actor.for_command("demo_setup")

DEMO_SLNG_KEY = "sk_local_demo_emulator"
# Two more SLNG organizations of the emulator, for the demo's staging and production targets.
DEMO_CHANNEL_KEYS = {
    "sk_local_demo_staging": "org_local_staging",
    "sk_local_demo_production": "org_local_production",
}
# The demo's channel targets: staging serves every revision; production only approved ones, once
# staging verified them. Each is (name, SLNG key, channel, the target it waits for).
DEMO_CHANNEL_TARGETS = (
    ("staging", "sk_local_demo_staging", Channel.LATEST, None),
    ("production", "sk_local_demo_production", Channel.APPROVED, "staging"),
)
DEMO_MODEL = "slng/deepgram/aura:2-en"  # the default model of pipecat-slng and SLNG's examples
DEMO_USER, DEMO_PASSWORD = "demo", "demo-lexicon"
# A second login, to approve the demo user's changes (nobody approves their own).
DEMO_REVIEWER = "reviewer"
# The brand names, kept once: a layer only (never pushed alone), included by both agents.
BRAND = {
    "rewrite": {
        "rules": [
            {"match": "SLNG", "replace": "slang"},
            {"match": "QubePay", "replace": "cube pay"},
        ]
    },
    "ipa": {"rules": [{"match": "SLNG", "ipa": "slɪŋ"}]},
}
# Two agents in two languages, each with its own words on top of the brand layer.
AGENTS = (
    (
        "support-pronunciations",
        {"language": "en-US", "use_case": "support"},
        [
            {"match": "ACH transfer", "replace": "ay see aitch transfer"},
            {"match": "ACH", "replace": "ay see aitch"},
        ],
    ),
    (
        "billing-de",
        {"language": "de-DE", "use_case": "billing"},
        [{"match": "SEPA", "replace": "Sepa"}, {"match": "IBAN", "replace": "I-Bahn"}],
    ),
)


class Command(BaseCommand):
    help = (
        "Local runs only: create, once, the demo organization with an API key (kept in "
        "var/demo-key and printed), an admin and a reviewer login, a sample dictionary, the "
        "emulator's keys file and sync targets pointing at the emulator: emulator, and staging "
        "and production for the channels (production serves approved revisions after staging)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_org_argument(parser, default="demo")
        parser.add_argument("--emulator-url", default="http://127.0.0.1:8765")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_setup is for local runs only (DEBUG is off)")
        var = Path(settings.LEXICON_VAR_DIR or Path(settings.BASE_DIR) / "var")
        var.mkdir(parents=True, exist_ok=True)
        organization = restrict(Organization, COMMAND).filter(slug=options["org"]).first()
        if organization is None:
            organization = organization_create(slug=options["org"], name="Demo organization")
        key_file = var / "demo-key"
        if not key_file.exists() or not organization.api_keys.filter(revoked_at=None).exists():
            issued = api_key_create(organization=organization, label="demo-key")
            key_file.write_text(issued.plaintext + "\n")
            key_file.chmod(0o600)
        self._emulator_keys(var / "emulator-keys.json")
        self._demo_user(organization, DEMO_USER, Role.ADMIN)
        self._demo_user(organization, DEMO_REVIEWER, Role.REVIEWER)
        self._target_and_sample(organization, options["emulator_url"])
        self.stderr.write(f"Demo organization {organization.slug!r} is ready.")
        self.stdout.write(key_file.read_text().strip())

    def _demo_user(self, organization: Organization, username: str, role: str) -> None:
        """A staff login for the admin with ``role`` in the demo organization only (not a
        superuser), password DEMO_PASSWORD."""
        user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        restrict(Membership, COMMAND).get_or_create(
            user=user, organization=organization, defaults={"role": role}
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
        urls = {"base_url": base_url, "ws_url": base_url.replace("http", "ws", 1)}
        self._target(organization, "emulator", DEMO_SLNG_KEY, urls, interval_seconds=60)
        for name, key, channel, after in DEMO_CHANNEL_TARGETS:
            waits_for = (
                restrict(SyncTarget, COMMAND).get(organization=organization, name=after)
                if after
                else None
            )
            self._target(
                organization, name, key, urls, prune=True, channel=channel, after=waits_for
            )
        if not restrict(Dictionary, COMMAND).filter(organization=organization).exists():
            self._samples(organization)

    def _samples(self, organization: Organization) -> None:
        """The ``brand`` layer and the two agents' dictionaries that include it."""
        author = Actor("demo-key", "command:demo_setup")
        dictionary_create(
            organization=organization,
            name="brand",
            modes=BRAND,
            metadata={"use_case": "brand names"},
            created_by=author,
            layer_only=True,
        )
        for name, metadata, rules in AGENTS:
            dictionary_create(
                organization=organization,
                name=name,
                modes={"rewrite": {"rules": rules}},
                metadata=metadata,
                created_by=author,
                includes=[{"name": "brand"}],
            )

    def _target(
        self, organization: Organization, name: str, key: str, urls: dict[str, str], **extra: Any
    ) -> None:
        """The demo target ``name`` on the emulator at ``urls``, made once (with ``extra``).

        Verification goes through the unified bridge, the route SLNG's client libraries use (a
        target made by an older demo_setup is moved to it too). Another emulator URL gets the
        demo key entered again with it, never carried over.
        """
        target = restrict(SyncTarget, COMMAND).filter(organization=organization, name=name).first()
        fields: dict[str, Any] = {"model": DEMO_MODEL, "verify_route": VerifyRoute.BRIDGE, **urls}
        if target is None:
            target_create(organization=organization, name=name, api_key=key, **fields, **extra)
            return
        stored = (target.base_url, target.ws_url, target.model, target.verify_route)
        moved = stored != (urls["base_url"], urls["ws_url"], DEMO_MODEL, VerifyRoute.BRIDGE)
        target_update(target=target, api_key=key if moved else "", **fields)
