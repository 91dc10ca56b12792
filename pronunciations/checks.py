"""Test sentences ("checks"): what SLNG must send to the model for a text, run with our engine.

A dictionary's checks live in its current revision's ``snapshot["checks"]`` (absent when it has
none), so they are versioned with its rules; each revision also records their results against
its own content (``Revision.check_results``, ``checks_failed``). ``got`` is exactly the text the
engine makes of ``text`` (``pronunciations.preview``: the same rewrite as preview, Listen and the
emulator's TTS), and a check passes when ``got`` equals ``expect``, character for character.
Validation lives in ``pronunciations.validation`` (``validate_checks``).
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import F

from orgs.actors import Actor
from orgs.scoping import restrict
from pronunciations import preview
from pronunciations.models import Dictionary, Revision
from pronunciations.validation import Check, Modes

# Lexicon reading on its own account (orgs.scoping: every organization).
CURRENT = Actor.system("current revision")

Wire = list[dict[str, Any]]


def check_to_wire(check: Check) -> dict[str, str]:
    """A check as the API and the snapshot hold it: ``note`` only when there is one."""
    wire = {"text": check.text, "expect": check.expect}
    if check.note:
        wire["note"] = check.note
    return wire


def checks_to_wire(checks: Iterable[Check]) -> Wire:
    return [check_to_wire(check) for check in checks]


def checks_from_wire(wire: Iterable[dict[str, Any]] | None) -> tuple[Check, ...]:
    """Stored checks (a snapshot's, already validated) as Checks."""
    return tuple(Check(c["text"], c["expect"], c.get("note") or "") for c in wire or ())


def results_in_order(results: Iterable[dict[str, Any]] | None) -> Wire:
    """Stored results with the API's key order (PostgreSQL's jsonb gives keys back shortest
    first)."""
    return [
        {"text": r["text"], "expect": r["expect"], "got": r["got"], "passed": r["passed"]}
        for r in results or ()
    ]


def run(modes: Modes, checks: Sequence[Check], *, content_key: str | None = None) -> Wire:
    """Each check's result against ``modes``: ``{"text", "expect", "got", "passed"}``."""
    if not checks:
        return []
    matcher = preview.matcher(modes, content_key)
    results = []
    for check in checks:
        got = matcher.rewrite(check.text).text
        results.append(
            {"text": check.text, "expect": check.expect, "got": got, "passed": got == check.expect}
        )
    return results


def summary(results: Sequence[dict[str, Any]]) -> dict[str, int]:
    """How many checks passed and failed."""
    failed = sum(1 for result in results if not result["passed"])
    return {"passed": len(results) - failed, "failed": failed}


def current_checks(dictionary: Dictionary) -> tuple[Check, ...]:
    """The dictionary's current checks: its current revision's (``current_checks`` when a
    selector annotated it, else one query)."""
    if hasattr(dictionary, "current_checks"):
        return checks_from_wire(dictionary.current_checks)
    wire = (
        restrict(Revision, CURRENT)
        .filter(dictionary=dictionary, number=dictionary.revision)
        .values_list("snapshot__checks", flat=True)
        .first()
    )
    return checks_from_wire(wire)


def current_checks_of(dictionaries: Sequence[Dictionary]) -> dict[int, tuple[Check, ...]]:
    """Many dictionaries' current checks in one query, by primary key (none: absent)."""
    rows = (
        restrict(Revision, CURRENT)
        .filter(
            dictionary__in=dictionaries,
            number=F("dictionary__revision"),
            snapshot__has_key="checks",
        )
        .values_list("dictionary_id", "snapshot__checks")
    )
    return {pk: checks_from_wire(wire) for pk, wire in rows}


def current_results(dictionary: Dictionary) -> Wire:
    """The results of the dictionary's checks, as its current revision recorded them."""
    results = (
        restrict(Revision, CURRENT)
        .filter(dictionary=dictionary, number=dictionary.revision)
        .values_list("check_results", flat=True)
        .first()
    )
    return results_in_order(results)


def current_checks_with_results(dictionary: Dictionary) -> list[tuple[Check, dict[str, Any]]]:
    """The dictionary's current checks, each with the result its revision recorded ({} when
    none was), in one query."""
    row = (
        restrict(Revision, CURRENT)
        .filter(dictionary=dictionary, number=dictionary.revision)
        .values_list("snapshot__checks", "check_results")
        .first()
    )
    wire, results = row or (None, None)
    found = checks_from_wire(wire)
    recorded = (results_in_order(results) + [{}] * len(found))[: len(found)]
    return list(zip(found, recorded, strict=True))
