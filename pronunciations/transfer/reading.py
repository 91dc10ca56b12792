"""A whole import file to rows (bounded, any format), and `import_file`: parse, then import."""

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError

from orgs.models import Organization
from pronunciations.models import Mode
from pronunciations.transfer import uploads
from pronunciations.transfer.formats import FORMATS
from pronunciations.transfer.importing import ImportMode, ImportReport, Progress, dictionary_import
from pronunciations.transfer.pls import PlsError, pls_load
from pronunciations.transfer.rows import RowError, SourceRow, parse_rows
from pronunciations.transfer.uploads import Source
from pronunciations.validation import VALUE_FIELD, ParameterError, validate_name_parameter


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


def check_dictionary(file_format: str, dictionary: object) -> str | None:
    """The ``dictionary`` parameter: required (and a valid name) for PLS, ignored otherwise."""
    if file_format != "pls":
        return None
    if not dictionary:
        raise ParameterError({"dictionary": ["a PLS file holds one dictionary: name it"]})
    return validate_name_parameter(dictionary, name="dictionary")


def _pls_rows(
    source: Source, dictionary: str | None
) -> tuple[list[SourceRow], tuple[str, ...], int, bool]:
    dictionary = check_dictionary("pls", dictionary)
    assert dictionary is not None  # noqa: S101 - check_dictionary refuses None for PLS
    try:
        lexicon = pls_load(
            uploads.as_file(source).read(),
            max_bytes=settings.LEXICON_MAX_UPLOAD_BYTES,
            max_warnings=settings.LEXICON_MAX_REPORT_ITEMS,
        )
    except PlsError as exc:
        raise ValidationError({"file": [str(exc)]}) from exc
    rules = sum(len(mode["rules"]) for mode in lexicon.modes.values())
    if rules > settings.LEXICON_MAX_IMPORT_ROWS:
        raise uploads.too_many_rows(uploads.Limits.current())
    metadata = {"language": lexicon.language} if lexicon.language else {}
    rows = [SourceRow(1, dictionary, "", "", "", None, dict(metadata))]
    for mode in Mode:
        for rule in lexicon.modes.get(mode.value, {}).get("rules", []):
            number = len(rows)
            rows.append(
                SourceRow(
                    number, dictionary, mode, rule["match"], rule[VALUE_FIELD[mode]], None, {}
                )
            )
    return rows, lexicon.warnings, lexicon.more_warnings, bool(metadata)


def read_rows(
    source: Source,
    file_format: str,
    *,
    dictionary: str | None = None,
    progress: Progress | None = None,
) -> tuple[list[SourceRow], list[RowError], bool, tuple[str, ...], int]:
    """Parse a file, bounded by pronunciations.uploads: its rows, row errors, whether it has
    metadata columns, and the PLS warnings (the first ones, and how many more there were).
    Raises UploadTooLarge (413) or ValidationError."""
    inspection = uploads.inspect(source, file_format)
    if file_format == "pls":
        rows, warnings, more, has_metadata = _pls_rows(source, dictionary)
        return rows, [], has_metadata, warnings, more
    total = inspection.rows or 0
    headers, records, escaped = uploads.read_table(
        source,
        file_format,
        progress=(lambda done: progress("read", done, max(total, done))) if progress else None,
    )
    rows, errors = parse_rows(
        headers,
        records,
        escaped=escaped,
        first_row=2 if file_format != "json" else 1,
        typed=file_format == "json",
    )
    has_metadata = any(str(h).startswith("metadata.") for h in headers)
    return rows, errors, has_metadata, (), 0


def import_file(
    *,
    organization: Organization,
    data: Source,
    file_format: str,
    mode: ImportMode,
    dry_run: bool = False,
    create_missing: bool = False,
    dictionary: str | None = None,
    author: str = "",
    progress: Progress | None = None,
) -> ImportReport:
    """Parse and import a file (bytes or a binary file); raises ValidationError, UploadTooLarge
    (413) or ImportRejected."""
    rows, errors, has_metadata, warnings, more = read_rows(
        data, file_format, dictionary=dictionary, progress=progress
    )
    report = dictionary_import(
        organization=organization,
        rows=rows,
        parse_errors=errors,
        mode=mode,
        dry_run=dry_run,
        create_missing=create_missing,
        has_metadata=has_metadata,
        author=author,
        progress=progress,
    )
    report.warnings.extend(warnings, more=more)
    return report
