"""Issue 28: an import's revision and rule rows are sent in the background, on its own
connection and in its own transaction, and are finished before that connection's next
statement: what the next statement reads includes them, and their error is raised there, as
Django's."""

from collections.abc import Callable

import pytest
from django.db import IntegrityError, transaction

from orgs.models import Organization
from pronunciations.models import Dictionary, Mode, Rule
from pronunciations.store_rows import in_background, rows_in_background, send_in_background
from pronunciations.validation import RuleSpec
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
