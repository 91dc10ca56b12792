"""``manage.py repair_review [--dry-run]``: repair review data that breaks today's review rule."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from pronunciations import review_health


class Command(BaseCommand):
    help = (
        "Find what `manage.py check --database default` reports about review (a stale approval "
        "that production serves, a proposal that is not its dictionary's newest revision, "
        "proposals waiting with review off) and repair it: stale approvals and proposals are "
        "superseded, waiting proposals are decided as turning review off does. --dry-run only "
        "lists them."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        findings = review_health.find()
        for line in review_health.describe(findings):
            self.stdout.write(line)
        if not findings:
            self.stderr.write("Review data is consistent: nothing to repair.")
        elif options["dry_run"]:
            self.stderr.write("Dry run: nothing changed.")
        else:
            review_health.repair(findings, by="manage.py repair_review")
            self.stderr.write("Repaired.")
