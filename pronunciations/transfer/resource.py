"""django-import-export's resource and formats for the tabular layout; rows go through the
import service.

The admin's import/export and anything else built on django-import-export use this resource:
columns and formats come from here, and every import goes through ``dictionary_import``, so
the same validation, atomicity and one-revision-per-dictionary rules apply.
"""

from typing import Any

from django.db.models import QuerySet
from import_export import resources
from import_export.formats.base_formats import CSV, JSON, XLSX
from import_export.results import Error, Result, RowResult
from tablib import Dataset

from orgs.actors import UNKNOWN, Actor
from orgs.models import Organization
from pronunciations import selectors
from pronunciations.checks import current_checks
from pronunciations.content import current_wire
from pronunciations.models import Dictionary
from pronunciations.transfer import rows, uploads
from pronunciations.transfer.exporting import columns_for
from pronunciations.transfer.importing import ImportMode, ImportRejected, dictionary_import
from pronunciations.transfer.parsing import has_metadata, table_rows


class _Column:
    """What the import page lists as an expected column."""

    def __init__(self, name: str) -> None:
        self.column_name = name


class DictionaryRulesResource(resources.Resource):
    """One row per rule of the given organization's dictionaries."""

    def __init__(
        self,
        *,
        organization: Organization,
        mode: ImportMode = "merge",
        author: Actor = UNKNOWN,
        create_missing: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.organization, self.mode, self.author = organization, mode, author
        self.create_missing = create_missing

    @classmethod
    def get_display_name(cls) -> str:
        return "Dictionary rules (one row per rule)"

    def get_user_visible_fields(self) -> list[Any]:
        return [_Column(name) for name in (*rows.BASE_COLUMNS, rows.NOTE_COLUMN)]

    def export(self, queryset: QuerySet[Dictionary] | None = None, **kwargs: Any) -> Dataset:
        """A dataset of the dictionaries (all of the organization's by default), cells escaped."""
        if queryset is None:
            queryset = selectors.dictionaries_for_export(organization=self.organization)
        columns = columns_for(queryset)
        dataset = Dataset(headers=columns)
        for dictionary in queryset:
            modes, checks = current_wire(dictionary), current_checks(dictionary)
            for row in rows.dictionary_rows(
                dictionary.name, modes, dictionary.metadata, columns, checks
            ):
                dataset.append([rows.escape_cell(cell) for cell in row])
        return dataset

    def import_data(self, dataset: Dataset, dry_run: bool = False, **kwargs: Any) -> Result:
        """Import all rows at once through dictionary_import, reporting errors per row."""
        headers = list(dataset.headers or [])
        file_format = getattr(dataset, "lexicon_format", "csv")
        escaped = getattr(dataset, "lexicon_escaped", True)
        result = Result()
        result.diff_headers = headers
        try:
            report = dictionary_import(
                organization=self.organization,
                rows=lambda: table_rows(headers, dataset, file_format=file_format, escaped=escaped),
                mode=self.mode,
                dry_run=dry_run,
                create_missing=self.create_missing,
                author=self.author,
                has_metadata=has_metadata(headers),
            )
        except ImportRejected as exc:
            result.lexicon_report = exc.report.to_wire()
            for error in exc.report.errors:
                row_result = RowResult()
                message = f"row {error.row}, {error.column}: {error.message}"
                row_result.errors.append(Error(message, number=error.row))
                result.append_row_result(row_result)
            return result
        # The admin's dry run shows the report's rule-level plan, per dictionary.
        result.lexicon_report = report.to_wire()
        result.diff_headers = ["dictionary", "result"]
        outcomes = [
            *((name, RowResult.IMPORT_TYPE_NEW, "created") for name in report.created),
            *((name, RowResult.IMPORT_TYPE_UPDATE, "changed") for name in report.changed),
            *((name, RowResult.IMPORT_TYPE_SKIP, "unchanged") for name in report.unchanged),
        ]
        for name, import_type, label in outcomes:
            row_result = RowResult()
            row_result.import_type, row_result.diff = import_type, [name, label]
            result.append_row_result(row_result)
        result.totals.update(
            new=len(report.created), update=len(report.changed), skip=len(report.unchanged)
        )
        return result


class _BoundedFormat:
    """django-import-export format whose datasets come from the bounded readers (bytes in)."""

    file_format = ""

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream: bytes | str) -> Dataset:
        data = in_stream.encode("utf-8") if isinstance(in_stream, str) else in_stream
        headers, records, escaped = uploads.read_table(data, self.file_format)
        dataset = Dataset(headers=headers)
        width = len(headers)
        blank: list[object] = [""] * width if self.file_format == "csv" else [None] * width
        for record in records:
            dataset.append((list(record) + blank)[:width])
        # How DictionaryRulesResource parses these rows (JSON has types and no formula escape).
        dataset.lexicon_format = self.file_format
        dataset.lexicon_escaped = escaped
        return dataset


class BoundedCSV(_BoundedFormat, CSV):
    file_format = "csv"


class BoundedXLSX(_BoundedFormat, XLSX):
    file_format = "xlsx"


class BoundedJSON(_BoundedFormat, JSON):
    file_format = "json"
