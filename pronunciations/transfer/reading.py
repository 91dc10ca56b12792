"""A whole import file to rows (bounded, any format), and `import_file`: parse, then import."""

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import PurePath
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError

from orgs.actors import UNKNOWN, Actor
from orgs.models import Organization
from pronunciations.models import Mode
from pronunciations.transfer import uploads
from pronunciations.transfer.formats import FORMATS
from pronunciations.transfer.importing import (
    ImportMode,
    ImportRejected,
    ImportReport,
    Progress,
    dictionary_import,
)
from pronunciations.transfer.layout import RowStream, row_stream
from pronunciations.transfer.parsing import Parsed, has_metadata, table_rows
from pronunciations.transfer.pls import PlsError, PlsImport, PlsRule, pls_load
from pronunciations.transfer.rows import LexemeError, RowError, SourceRow
from pronunciations.transfer.runs import RecordRun
from pronunciations.transfer.uploads import Source
from pronunciations.validation import (
    MAX_RULES_PER_MODE,
    ParameterError,
    validate_name_parameter,
)

OnConflict = Literal["first", "refuse"]


def detect_format(requested: str | None, filename: str) -> str:
    """The explicit format, else the file's extension; ValidationError when neither is known."""
    file_format = (requested or PurePath(filename).suffix.removeprefix(".")).lower()
    if file_format not in FORMATS:
        raise ParameterError({"format": [f"format must be one of {', '.join(FORMATS)}"]})
    return file_format


def import_mode(value: str | None) -> ImportMode:
    if value in (None, "", "merge"):
        return "merge"
    if value == "replace":
        return "replace"
    raise ParameterError({"mode": ["mode must be replace or merge"]})


def on_conflict(value: str | None) -> OnConflict:
    """PLS only: what graphemes that match alike but say different things do. ``first``
    (default): the first in the file is kept and the others reported; ``refuse``: each is an
    error and nothing is imported."""
    if value in (None, "", "first"):
        return "first"
    if value == "refuse":
        return "refuse"
    raise ParameterError({"on_conflict": ["on_conflict must be first or refuse"]})


def check_dictionary(file_format: str, dictionary: object) -> str | None:
    """The ``dictionary`` parameter: required (and a valid name) for PLS, ignored otherwise."""
    if file_format != "pls":
        return None
    if not dictionary:
        raise ParameterError({"dictionary": ["a PLS file holds one dictionary: name it"]})
    return validate_name_parameter(dictionary, name="dictionary")


@dataclass(frozen=True)
class ImportOptions:
    """An import's parameters, each checked: what an import runs with, in the request or as a
    job (which keeps them as ``options()`` and reads them back with ``from_job``)."""

    organization: Organization
    file_format: str
    mode: ImportMode = "merge"
    dry_run: bool = False
    create_missing: bool = False
    dictionary: str | None = None
    conflicts: OnConflict = "first"
    author: Actor = UNKNOWN
    comment: str = ""  # kept with each revision the import makes

    def options(self) -> dict[str, Any]:
        """The parameters a job keeps (its organization, format and author are its own fields;
        ``author_ref`` is who may not review the revisions it writes)."""
        return {
            "mode": self.mode,
            "dry_run": self.dry_run,
            "create_missing": self.create_missing,
            "dictionary": check_dictionary(self.file_format, self.dictionary),
            "conflicts": self.conflicts,
            "author_ref": self.author.ref,
            "comment": self.comment,
        }

    @classmethod
    def from_job(
        cls, organization: Organization, file_format: str, author: str, kept: dict[str, Any]
    ) -> "ImportOptions":
        """The parameters a job kept (``options``), read back."""
        return cls(
            organization,
            file_format,
            mode=import_mode(kept.get("mode")),
            dry_run=bool(kept.get("dry_run")),
            create_missing=bool(kept.get("create_missing")),
            dictionary=kept.get("dictionary"),
            conflicts=on_conflict(kept.get("conflicts")),
            author=Actor(author, str(kept.get("author_ref", ""))),
            comment=str(kept.get("comment") or ""),
        )

    def run(self, data: Source, progress: Progress | None = None) -> ImportReport:
        """``import_file`` of ``data`` with these parameters."""
        arguments = {field.name: getattr(self, field.name) for field in fields(self)}
        return import_file(data=data, progress=progress, **arguments)


@dataclass
class _Read:
    """A file opened as a stream of rows (PLS: read into rows, and where each came from)."""

    rows: list[SourceRow]
    errors: list[RowError]
    has_metadata: bool
    stream: RowStream | None = None  # the tabular formats' rows, read afresh on each call
    total: int = 0  # the rows the file has (an upper bound), for progress
    warnings: tuple[str, ...] = ()
    more_warnings: int = 0
    lexicon: PlsImport | None = None
    places: dict[int, PlsRule] = field(default_factory=dict)  # row number -> its rule


def _pls_rows(source: Source, dictionary: str | None, conflicts: OnConflict) -> _Read:
    dictionary = check_dictionary("pls", dictionary)
    assert dictionary is not None  # noqa: S101 - check_dictionary refuses None for PLS
    try:
        lexicon = pls_load(
            uploads.as_file(source).read(),
            max_bytes=settings.LEXICON_MAX_UPLOAD_BYTES,
            max_warnings=settings.LEXICON_MAX_REPORT_ITEMS,
            report_conflicts=conflicts == "first",
        )
    except PlsError as exc:
        raise ValidationError({"file": [str(exc)]}) from exc
    if sum(len(rules) for rules in lexicon.rules.values()) > settings.LEXICON_MAX_IMPORT_ROWS:
        raise uploads.too_many_rows(uploads.Limits.current())
    metadata = {"language": lexicon.language} if lexicon.language else {}
    read = _Read([SourceRow(1, dictionary, "", "", "", None, dict(metadata))], [], bool(metadata))
    read.warnings, read.more_warnings, read.lexicon = (
        lexicon.warnings,
        lexicon.more_warnings,
        lexicon,
    )
    for mode in Mode:
        for rule in lexicon.rules.get(mode.value, ()):
            number = len(read.rows) + 1
            read.rows.append(SourceRow(number, dictionary, mode, rule.match, rule.value, None, {}))
            read.places[number] = rule
    if conflicts == "refuse":
        read.errors += [_lexeme_error(c.lost, "grapheme", c.message()) for c in lexicon.conflicts]
    return read


def _lexeme_error(rule: PlsRule, element: str, message: str) -> LexemeError:
    line = rule.where.line if element == "grapheme" else rule.value_line
    return LexemeError(line, element, message, lexeme=rule.where.lexeme, grapheme=rule.match)


_ELEMENTS = {"match": "grapheme", "replace": "alias", "ipa": "phoneme"}


def _over_limit(read: _Read) -> list[RowError]:
    """A mode past SLNG's rules a mode, from the file alone: named, counted, and located at the
    first lexeme past the limit (the dictionary cannot hold the file, whatever it holds now)."""
    errors: list[RowError] = []
    lexicon = read.lexicon
    assert lexicon is not None  # noqa: S101 - only PLS reads are checked
    for mode, element in (("rewrite", "alias"), ("ipa", "phoneme")):
        rules = lexicon.rules.get(mode, ())
        if len(rules) > MAX_RULES_PER_MODE:
            source = "an alias" if mode == "rewrite" else "an IPA phoneme"
            message = (
                f"the {mode} mode would have {len(rules)} rules (one per grapheme with "
                f"{source}); SLNG allows at most {MAX_RULES_PER_MODE} rules a mode, and this is "
                "the first past the limit"
            )
            errors.append(_lexeme_error(rules[MAX_RULES_PER_MODE], element, message))
    return errors


def _located(error: RowError, read: _Read) -> RowError:
    """An import error of a PLS row, located in the file instead of by row and column."""
    if isinstance(error, LexemeError) or read.lexicon is None:  # located already, or not PLS
        return error
    rule = read.places.get(error.row)
    if rule is not None:
        return _lexeme_error(rule, _ELEMENTS.get(error.column, "grapheme"), error.message)
    element = "dictionary" if error.column == "dictionary" else "lexicon"  # name, language, count
    return LexemeError(read.lexicon.line, element, error.message)


def _rejected(report: ImportReport, read: _Read) -> ImportRejected:
    """A refused PLS import: its errors located in the file, its warnings kept."""
    report.errors = sorted((_located(e, read) for e in report.errors), key=lambda e: e.row)
    report.warnings.extend(read.warnings, more=read.more_warnings)
    return ImportRejected(report)


def read_rows(
    source: Source,
    file_format: str,
    *,
    dictionary: str | None = None,
    conflicts: OnConflict = "first",
) -> _Read:
    """Open a file, bounded by pronunciations.uploads, as a stream of its rows and row errors
    (read as the import consumes it), whether it has metadata columns, and (PLS, read at once)
    the warnings and where each row came from. Raises UploadTooLarge (413) or ValidationError."""
    inspection = uploads.inspect(source, file_format)
    if file_format == "pls":
        read = _pls_rows(source, dictionary, conflicts)
        read.total = len(read.rows)
        return read
    headers, records, escaped = uploads.read_table(source, file_format)
    opened = [records]

    def stream() -> Iterator[Parsed | RecordRun]:
        # The table already open is read first; every later call reads the file again.
        table = opened.pop() if opened else uploads.read_table(source, file_format)[1]
        return table_rows(headers, table, file_format=file_format, escaped=escaped)

    return _Read([], [], has_metadata(headers), stream, inspection.rows or 0)


def _counted(progress: Progress, total: int) -> Progress:
    """Progress in rows, of the file's total as far as it is known."""
    return lambda phase, done, _: progress(phase, done, max(total, done))


def import_file(
    *,
    organization: Organization,
    data: Source,
    file_format: str,
    mode: ImportMode,
    dry_run: bool = False,
    create_missing: bool = False,
    dictionary: str | None = None,
    conflicts: OnConflict = "first",
    author: Actor = UNKNOWN,
    comment: str = "",
    progress: Progress | None = None,
) -> ImportReport:
    """Parse and import a file (bytes or a binary file); raises ValidationError, UploadTooLarge
    (413) or ImportRejected (a PLS file's errors located by lexeme, grapheme and line)."""
    read = read_rows(data, file_format, dictionary=dictionary, conflicts=conflicts)
    if read.lexicon is not None and (over := _over_limit(read)):
        raise _rejected(ImportReport(dry_run=dry_run, mode=mode, errors=over), read)
    try:
        report = dictionary_import(
            organization=organization,
            rows=read.stream or row_stream(read.rows, read.errors),
            mode=mode,
            dry_run=dry_run,
            create_missing=create_missing,
            has_metadata=read.has_metadata,
            author=author,
            comment=comment,
            progress=_counted(progress, read.total) if progress else None,
        )
    except ImportRejected as exc:
        if read.lexicon is None:
            raise
        raise _rejected(exc.report, read) from None
    report.warnings.extend(read.warnings, more=read.more_warnings)
    return report
