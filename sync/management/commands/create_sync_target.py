"""``manage.py create_sync_target --org SLUG NAME --base-url URL --ws-url URL [--channel C]
[--after TARGET] [--verify-route R] [--concurrency N] …``."""

import os
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import TextChoices

from orgs.actors import Actor
from orgs.commands import add_org_argument, organization_from_options
from orgs.scoping import restrict
from sync.models import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, Channel, SyncTarget, VerifyRoute
from sync.services import target_create

# A command reads as whoever has the server's shell: every organization (its options narrow).
COMMAND = Actor.for_command("create_sync_target")


def _choice(parser: ArgumentParser, flag: str, default: TextChoices, text: str) -> None:
    """An option taking one value of ``default``'s choices."""
    values = [choice.value for choice in type(default)]
    parser.add_argument(flag, choices=values, default=default.value, help=text)


class Command(BaseCommand):
    help = (
        "Create a sync target. The SLNG API key is read from the SLNG_API_KEY environment "
        "variable or, if unset, from standard input; never from the command line."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_org_argument(parser, deprecated_positional=True)
        parser.add_argument("name", help="e.g. production or staging")
        parser.add_argument("--base-url", required=True, help="e.g. https://api.slng.ai")
        parser.add_argument("--ws-url", required=True, help="e.g. wss://api.slng.ai")
        parser.add_argument("--model", default="deepgram/aura:2", help="TTS model for verification")
        parser.add_argument("--voice", default="", help="voice for verification sessions")
        _choice(
            parser,
            "--verify-route",
            VerifyRoute.BRIDGE,
            "TTS route verification uses: bridge (default, as SLNG's client libraries) or native",
        )
        parser.add_argument(
            "--verify-http", action="store_true", help="also verify through HTTP TTS"
        )
        parser.add_argument(
            "--prune", action="store_true", help="delete upstream what is deleted here"
        )
        parser.add_argument("--interval", type=int, default=300, help="seconds between syncs")
        parser.add_argument(
            "--concurrency",
            type=int,
            default=DEFAULT_CONCURRENCY,
            help=f"dictionaries a run pushes and verifies at once, 1 to {MAX_CONCURRENCY} "
            f"(default {DEFAULT_CONCURRENCY})",
        )
        _choice(
            parser,
            "--channel",
            Channel.LATEST,
            "latest (default): every revision, e.g. staging; approved: only the latest approved "
            "revision, e.g. production",
        )
        parser.add_argument(
            "--after",
            metavar="TARGET",
            help="serve a revision only once it is verified on this target of the organization "
            "(e.g. staging)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = organization_from_options(self, options)
        after = None
        if options["after"]:
            after = (
                restrict(SyncTarget, COMMAND)
                .filter(organization=organization, name=options["after"])
                .first()
            )
            if after is None:
                raise CommandError(f"{organization.slug} has no target named {options['after']!r}")
        api_key = os.environ.get("SLNG_API_KEY") or self._read_stdin()
        try:
            target = target_create(
                organization=organization,
                name=options["name"],
                base_url=options["base_url"],
                ws_url=options["ws_url"],
                api_key=api_key,
                model=options["model"],
                voice=options["voice"],
                verify_route=options["verify_route"],
                verify_http=options["verify_http"],
                prune=options["prune"],
                interval_seconds=options["interval"],
                concurrency=options["concurrency"],
                channel=options["channel"],
                after=after,
            )
        except ValidationError as exc:
            problems = "; ".join(f"{f}: {' '.join(m)}" for f, m in exc.message_dict.items())
            raise CommandError(f"cannot create the target: {problems}") from exc
        follows = f" after {after.name}" if after else ""
        self.stderr.write(
            f"Created target {target} on {target.channel}{follows}, syncing every "
            f"{target.interval_seconds}s, {target.concurrency} dictionaries at once."
        )
        self.stdout.write(target.public_id)

    def _read_stdin(self) -> str:
        if sys.stdin.isatty():
            self.stderr.write(
                "SLNG API key (input hidden is not supported; paste and press Enter):"
            )
        return sys.stdin.readline().strip()
