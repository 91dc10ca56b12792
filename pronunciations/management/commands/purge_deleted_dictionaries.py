"""``manage.py purge_deleted_dictionaries``: remove deleted dictionaries past their retention."""

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from orgs.actors import Actor
from orgs.scoping import restrict
from pronunciations.models import Dictionary
from pronunciations.services import deleted_dictionaries_purge

# A command reads as whoever has the server's shell: every organization (its options narrow).
COMMAND = Actor.for_command("purge_deleted_dictionaries")


class Command(BaseCommand):
    help = (
        "Permanently remove dictionaries deleted more than --days days ago (default "
        "LEXICON_DELETED_RETENTION_DAYS), with their rules and history. Run it daily."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="retention in days")
        parser.add_argument("--dry-run", action="store_true", help="count, remove nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        days = settings.LEXICON_DELETED_RETENTION_DAYS if days is None else days
        cutoff = timezone.now() - timedelta(days=days)
        if options["dry_run"]:
            count = restrict(Dictionary, COMMAND).filter(deleted_at__lt=cutoff).count()
            self.stdout.write(
                f"{count} deleted dictionaries would be purged (older than {days} days)"
            )
            return
        count = deleted_dictionaries_purge(older_than=cutoff)
        self.stdout.write(f"purged {count} deleted dictionaries (older than {days} days)")
