"""``manage.py import_dictionaries FILE --org SLUG``: import CSV, XLSX, JSON or PLS."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from orgs.actors import Actor
from orgs.commands import add_org_argument, organization_from_options
from orgs.models import Organization
from pronunciations.errors import PronunciationError
from pronunciations.management.progress import ProgressBar
from pronunciations.transfer import reading
from pronunciations.transfer.importing import ImportRejected, ImportReport


class Command(BaseCommand):
    help = (
        "Import dictionaries from a file into an organization, all or nothing. Prints the "
        "report; with errors, prints each with its row and column, writes nothing, exits 1."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        add_org_argument(parser)
        parser.add_argument(
            "--format",
            choices=["csv", "xlsx", "json", "pls"],
            default=None,
            help="default: from the file's extension",
        )
        parser.add_argument("--mode", choices=["merge", "replace"], default="merge")
        parser.add_argument("--create-missing", action="store_true")
        parser.add_argument("--dictionary", help="PLS only: the dictionary to import into")
        parser.add_argument(
            "--on-conflict",
            choices=["first", "refuse"],
            default="first",
            help="PLS only: case variants that say different things: keep the first in the "
            "file (default) or refuse the file",
        )
        parser.add_argument("--dry-run", action="store_true", help="report only, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = organization_from_options(self, options)
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        bar = ProgressBar(lambda text: self.stderr.write(text, ending=""))
        try:
            with path.open("rb") as file:  # read in a stream, bounded like any upload
                report = self._import(organization, file, path, options, bar)
        except ImportRejected as exc:
            bar.done()
            for error in exc.report.errors:
                self.stderr.write(f"{error.where()}: {error.message}")
            raise CommandError(exc.message) from exc
        except (ValidationError, PronunciationError) as exc:
            bar.done()
            raise CommandError(str(exc)) from exc
        bar.done()
        self._print(report.to_wire())

    def _import(
        self,
        organization: Organization,
        file: BinaryIO,
        path: Path,
        options: dict[str, Any],
        bar: ProgressBar,
    ) -> ImportReport:
        return reading.import_file(
            organization=organization,
            data=file,
            file_format=reading.detect_format(options["format"], path.name),
            mode=options["mode"],
            dry_run=options["dry_run"],
            create_missing=options["create_missing"],
            dictionary=options["dictionary"],
            conflicts=options["on_conflict"],
            author=Actor.for_command("import_dictionaries"),
            progress=bar,
        )

    def _print(self, report: dict[str, Any]) -> None:
        kinds = report["dictionaries"]
        verb = "would be" if report["dry_run"] else "were"
        self.stdout.write(
            f"dictionaries {verb}: {len(kinds['created'])} created, {len(kinds['changed'])} "
            f"changed, {len(kinds['unchanged'])} unchanged; rules: {report['rules']['added']} "
            f"added, {report['rules']['changed']} changed, {report['rules']['removed']} removed"
        )
        for warning in report["warnings"]:
            self.stderr.write(f"warning: {warning}")
