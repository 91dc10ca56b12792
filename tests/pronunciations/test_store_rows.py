"""Issue 28: an import's revision and rule rows are sent in the background, on its own
connection and in its own transaction, and are finished before that connection's next
statement: what the next statement reads includes them, and their error is raised there, as
Django's."""

import csv
import io
import json
from collections.abc import Callable

import pytest
from django.db import IntegrityError, connection, transaction

from orgs.models import Organization
from pronunciations.content import content_hash, current_modes
from pronunciations.models import Dictionary, Mode, Revision, Rule
from pronunciations.store_rows import (
    _snapshot_json,
    in_background,
    rows_in_background,
    send_in_background,
)
from pronunciations.transfer import import_file
from pronunciations.validation import RuleSpec, match_key
from tests.factories import make_dictionary

pytestmark = pytest.mark.django_db


def _rules(*matches: str) -> dict[Mode, tuple[RuleSpec, ...]]:
    return {Mode.REWRITE: tuple(RuleSpec(match, "said") for match in matches)}


def test_the_next_statement_reads_the_rows_sent_in_the_background(
    organization: Organization,
) -> None:
    dictionary = make_dictionary(organization, rules=0)
    matches = [f"word{i}" for i in range(3000)]

    with transaction.atomic(), rows_in_background():
        assert in_background()
        send_in_background([], [(dictionary.pk, _rules(*matches))])
        assert Rule.objects.filter(dictionary=dictionary).count() == 3000

    assert not in_background()


def _send_twice(dictionary: Dictionary, then: Callable[[], object]) -> None:
    """Send one key twice in the background (refused by its unique constraint), then ``then``."""
    with transaction.atomic(), rows_in_background():
        send_in_background([], [(dictionary.pk, _rules("same", "SAME"))])
        then()


def test_their_error_is_raised_by_the_next_statement(organization: Organization) -> None:
    dictionary = make_dictionary(organization, rules=0)

    with pytest.raises(IntegrityError):
        _send_twice(dictionary, Dictionary.objects.count)

    assert not Rule.objects.filter(dictionary=dictionary).exists()


def test_their_error_is_raised_at_the_end_of_the_block(organization: Organization) -> None:
    dictionary = make_dictionary(organization, rules=0)

    with pytest.raises(IntegrityError):
        _send_twice(dictionary, lambda: None)

    assert not Rule.objects.filter(dictionary=dictionary).exists()


def test_an_error_of_the_caller_waits_for_the_rows_and_is_the_one_raised(
    organization: Organization,
) -> None:
    dictionary = make_dictionary(organization, rules=0)

    with pytest.raises(ZeroDivisionError):
        _send_twice(dictionary, lambda: 1 / 0)

    assert not Rule.objects.filter(dictionary=dictionary).exists()


def _import_rows(organization: Organization, rows: list[list[str]]) -> None:
    """Import rows of dictionary, mode, match, replace, metadata (the background path)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["dictionary", "mode", "match", "replace", "metadata.owner"])
    writer.writerows(rows)
    import_file(
        organization=organization,
        data=buffer.getvalue().encode(),
        file_format="csv",
        mode="replace",
        create_missing=True,
    )


@pytest.mark.parametrize(
    "match",
    ['say "hi"', 'a, "b"', "back\\slash", "naïve café", '"', "x\u00a0y"],
)
def test_rule_texts_are_written_as_they_are(organization: Organization, match: str) -> None:
    """The rule rows' CSV is written whole and falls back to the csv module when a text holds
    a quote: every text comes back as it went in."""
    _import_rows(organization, [["plain", "rewrite", "word", "spoken", "x"]])
    _import_rows(organization, [["tricky", "rewrite", match, f'{match} "said"', "x"]])

    stored = Rule.objects.get(dictionary__name="tricky")
    assert (stored.match, stored.value, stored.key) == (match, f'{match} "said"', match_key(match))
    plain = Rule.objects.get(dictionary__name="plain")
    assert (plain.match, plain.value, plain.disabled) == ("word", "spoken", False)


def test_a_revision_snapshot_holds_the_modes_and_the_metadata(organization: Organization) -> None:
    """The snapshot is written around the modes' JSON the import hashed: the value stored is
    the one every other write stores."""
    _import_rows(
        organization,
        [["brands", "rewrite", "SLNG", "slang", 'quote "me"'], ["brands", "rewrite", "é", "e", ""]],
    )

    dictionary = Dictionary.objects.get(name="brands")
    revision = Revision.objects.get(dictionary=dictionary, number=dictionary.revision)
    rules = [{"match": "SLNG", "replace": "slang"}, {"match": "é", "replace": "e"}]
    assert revision.snapshot == {
        "modes": {"rewrite": {"rules": rules}},
        "metadata": {"owner": 'quote "me"'},
    }
    assert (
        revision.content_hash == dictionary.content_hash == content_hash(current_modes(dictionary))
    )


@pytest.mark.parametrize(
    ("snapshot", "modes"),
    [
        ({"modes": {"rewrite": {"rules": []}}, "metadata": {"a": 1}}, '{"rewrite":{"rules":[]}}'),
        ({"modes": {"rewrite": {"rules": []}}}, '{"rewrite":{"rules":[]}}'),
        ({"modes": {}, "metadata": {}, "checks": [{"text": "t"}]}, None),
    ],
)
def test_a_snapshot_written_around_its_modes_json_is_the_same_json(
    snapshot: dict[str, object], modes: str | None
) -> None:
    assert json.loads(_snapshot_json(snapshot, modes)) == snapshot


def test_snapshots_are_compressed_with_lz4_where_the_server_has_it() -> None:
    """Migration 0010: a snapshot holds all its dictionary's rules; pglz compressed them at a
    tenth of an import's time."""
    if connection.vendor != "postgresql":
        pytest.skip("compression is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        if not cursor.fetchone()[0]:
            pytest.skip("this PostgreSQL was built without LZ4")
        cursor.execute(
            "SELECT attcompression FROM pg_attribute WHERE attname = 'snapshot' "
            "AND attrelid = 'pronunciations_revision'::regclass"
        )
        assert cursor.fetchone()[0] == "l"
