"""Issue 28: the import streams the file a batch of dictionaries at a time, in one transaction.

Memory follows the batch, not the file; a bad row anywhere leaves nothing stored and every bad
row is named (up to the report's cap); a dictionary that comes back later in the file, or a check
row after dictionaries without any, is still imported as a whole; an unchanged re-import and the
announcement of an import's changes cost a few queries, however many dictionaries it has.
"""

import functools
import gc
import tempfile
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings

from orgs.models import Organization
from pronunciations.models import Dictionary, Revision, Rule
from pronunciations.transfer import ImportRejected, import_file
from pronunciations.transfer.limits import Source
from tests.factories import make_dictionary

pytestmark = pytest.mark.django_db

HEADER = "dictionary,mode,match,replace,position\n"


def _file(dictionaries: int, rules: int, prefix: str = "d") -> str:
    return HEADER + "".join(
        f"{prefix}{d},rewrite,word{d}x{r},spoken {r},{r}\n"
        for d in range(dictionaries)
        for r in range(rules)
    )


def _import(organization: Organization, data: str | Source, **options: Any) -> Any:
    return import_file(
        organization=organization,
        data=data.encode() if isinstance(data, str) else data,
        file_format="csv",
        mode=options.pop("mode", "replace"),
        create_missing=options.pop("create_missing", True),
        **options,
    )


def _peak(run: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@override_settings(LEXICON_IMPORT_BATCH_ROWS=400, LEXICON_MAX_REPORT_ITEMS=50)
def test_memory_does_not_grow_with_the_file(organization: Organization) -> None:
    """Four times the rows in four times the dictionaries: the peak of Python allocations stays
    near one batch's (holding every row would need about four times as much)."""
    peaks = []
    for count, slug in ((10, "small"), (40, "large")):
        target = Organization.objects.create(slug=slug, name=slug)
        with tempfile.TemporaryFile() as file:
            file.write(_file(count, 200).encode())
            peaks.append(_peak(functools.partial(_import, target, file)))
        assert Rule.objects.filter(dictionary__organization=target).count() == count * 200
    small, large = peaks
    assert large < small * 1.5, (small, large)


@override_settings(LEXICON_IMPORT_BATCH_ROWS=50)
def test_a_bad_row_late_in_the_file_leaves_nothing_stored(organization: Organization) -> None:
    data = _file(10, 30) + "d3,rewrite,,late and empty,\n"

    with pytest.raises(ImportRejected) as raised:
        _import(organization, data)

    report = raised.value.report.to_wire()
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(302, "match")]
    assert report["dictionaries"] == {"created": [], "changed": [], "unchanged": []}
    assert not Dictionary.objects.filter(organization=organization).exists()
    assert not Revision.objects.exists()


@override_settings(LEXICON_IMPORT_BATCH_ROWS=20, LEXICON_MAX_REPORT_ITEMS=5)
def test_every_bad_row_is_counted_and_the_first_are_named(organization: Organization) -> None:
    bad = [5, 40, 77, 120, 121, 150, 200, 260, 299, 300, 301, 302, 350]
    lines = _file(10, 35).splitlines(keepends=True)
    for row in bad:  # row numbers count the header as row 1
        lines[row - 1] = lines[row - 1].replace(",rewrite,", ",spelling,")

    with pytest.raises(ImportRejected) as raised:
        _import(organization, "".join(lines))

    report = raised.value.report.to_wire()
    assert [e["row"] for e in report["errors"]] == bad[:5]
    assert report["errors_not_listed"] == len(bad) - 5
    assert str(raised.value).startswith(f"Import refused: {len(bad)} error(s)")
    assert not Dictionary.objects.filter(organization=organization).exists()


@override_settings(LEXICON_IMPORT_BATCH_ROWS=10)
def test_a_dictionary_that_comes_back_later_is_imported_whole(organization: Organization) -> None:
    data = _file(1, 30, "a") + _file(2, 30, "b")[len(HEADER) :] + "a0,rewrite,late,later,\n"

    report = _import(organization, data)

    assert report.created == ["a0", "b0", "b1"]
    a = Dictionary.objects.get(organization=organization, name="a0")
    assert Rule.objects.filter(dictionary=a).count() == 31
    assert list(Revision.objects.filter(dictionary=a).values_list("number", flat=True)) == [1]


@override_settings(LEXICON_IMPORT_BATCH_ROWS=10)
def test_a_check_row_after_dictionaries_without_checks_applies_to_them_too(
    organization: Organization,
) -> None:
    """A file with checks sets the checks of every dictionary it names (replace: exactly its
    own), even those written before its first check row was read."""
    make_dictionary(organization, "a0", checks=[{"text": "word", "expect": "word"}])
    data = _file(1, 30, "a") + "b0,rewrite,w,v,\nb0,check,w,v,\n"

    report = _import(organization, data)

    assert report.has_checks
    assert report.changed == ["a0"]
    assert report.created == ["b0"]
    assert report.checks_removed == 1
    assert report.checks_added == 1
    a = Dictionary.objects.get(organization=organization, name="a0")
    assert "checks" not in Revision.objects.get(dictionary=a, number=a.revision).snapshot


@override_settings(LEXICON_IMPORT_BATCH_ROWS=10_000)
def test_an_unchanged_reimport_reads_no_rules_and_writes_nothing(
    organization: Organization, django_assert_max_num_queries: Any
) -> None:
    data = _file(40, 20)
    _import(organization, data)

    with django_assert_max_num_queries(4):  # savepoint, the dictionaries, savepoint release
        report = _import(organization, data)

    assert len(report.unchanged) == 40
    assert not report.changed
    assert not report.created
    assert Revision.objects.count() == 40


@override_settings(LEXICON_IMPORT_BATCH_ROWS=10)
def test_one_lookup_of_the_organization_s_targets_per_import(
    organization: Organization,
    django_capture_on_commit_callbacks: Any,
    django_assert_max_num_queries: Any,
) -> None:
    """Issue 28: sync and webhooks are told of all of an import's changes at once (one signal
    each, whatever its batches), not per dictionary."""
    make_dictionary(organization, "d0", rules=1)
    with django_capture_on_commit_callbacks() as callbacks:
        _import(organization, _file(30, 2))

    assert len(callbacks) == 2  # dictionaries_changed, and the revisions' events
    with django_assert_max_num_queries(2):  # the enabled targets, the webhook endpoints
        for callback in callbacks:
            callback()
