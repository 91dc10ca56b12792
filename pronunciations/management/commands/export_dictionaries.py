"""``manage.py export_dictionaries --org SLUG --format FORMAT``: export to a file or stdout."""

import shutil
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from orgs.commands import add_org_argument, organization_from_options
from pronunciations import selectors
from pronunciations.checks import current_checks
from pronunciations.content import current_wire
from pronunciations.errors import PronunciationError
from pronunciations.management.progress import ProgressBar
from pronunciations.models import Dictionary
from pronunciations.transfer import exporting, formats
from pronunciations.transfer.exporting import columns_for
from pronunciations.transfer.pls import pls_dump


class Command(BaseCommand):
    help = (
        "Export an organization's dictionaries (all, or --names) as CSV, XLSX or JSON, one "
        "dictionary as PLS, or for another vendor (polly, polly-xsampa, azure, elevenlabs, "
        "elevenlabs-arpabet, elevenlabs-json, cartesia: one file, or a zip of several), to "
        "--output or standard output. A vendor "
        "export's report goes to standard error."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_org_argument(parser)
        parser.add_argument(
            "--format", choices=formats.export_formats(one_dictionary=True), default="csv"
        )
        parser.add_argument("--names", default="", help="comma-separated dictionary names")
        parser.add_argument("--output", type=Path, help="file to write (default: stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = organization_from_options(self, options)
        names = [name for name in options["names"].split(",") if name.strip()]
        if options["format"] == "pls" and len(names) != 1:
            raise CommandError("PLS holds one dictionary: give exactly one name in --names")
        try:
            queryset = selectors.dictionaries_for_export(organization=organization, names=names)
        except PronunciationError as exc:
            raise CommandError(exc.message) from exc
        output = options["output"].open("wb") if options["output"] else sys.stdout.buffer
        try:
            self._write(queryset, options["format"], output)
        finally:
            if options["output"]:
                output.close()

    def _write(self, queryset: Any, file_format: str, output: Any) -> None:
        if file_format in formats.VENDOR_FORMATS:
            export = exporting.vendor_export(queryset, file_format, "dictionaries")
            shutil.copyfileobj(export.body, output)
            self.stderr.write(f"{export.filename} ({export.content_type})")
            self.stderr.write(export.report.to_text(), ending="")
            return
        if file_format == "pls":
            dictionary: Dictionary = queryset.get()
            modes = current_wire(dictionary)
            left_out = len(current_checks(dictionary))
            output.write(pls_dump(modes, dictionary.metadata, checks_left_out=left_out))
            return
        bar, total = ProgressBar(lambda text: self.stderr.write(text, ending="")), queryset.count()
        columns = columns_for(queryset)
        rows = self._counted(queryset.iterator(chunk_size=200), bar, total)
        if file_format == "xlsx":
            for piece in formats.xlsx_stream(rows, columns):
                output.write(piece)
        else:
            stream = formats.csv_stream if file_format == "csv" else formats.json_stream
            for chunk in stream(rows, columns):
                output.write(chunk.encode("utf-8"))
        bar.done()

    @staticmethod
    def _counted(dictionaries: Any, bar: ProgressBar, total: int) -> Any:
        for done, dictionary in enumerate(dictionaries, start=1):
            yield dictionary
            bar("export", done, total)
