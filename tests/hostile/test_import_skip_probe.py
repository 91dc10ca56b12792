"""Probes of the import skip (issue 28): a CSV dictionary whose records hash to the digest
remembered at its current revision is skipped unparsed. Each test compares an organization
that skips with one whose digests are forgotten before each import, as
``tests/pronunciations/test_import_digest.py`` does: the skip must change nothing an import
reports or stores."""

import itertools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from orgs.models import Organization
from orgs.services import organization_create
from pronunciations import selectors
from pronunciations.checks import current_checks
from pronunciations.content import current_wire
from pronunciations.models import Dictionary
from pronunciations.services import dictionary_update
from pronunciations.transfer import ImportRejected, import_file

NUMBERS = itertools.count()
HEADER = "dictionary,mode,match,replace,position\n"
Progress = Callable[[str, int, int], None]


def _import(
    organization: Organization, data: str, progress: Progress | None = None, **options: Any
) -> Any:
    """The import's report as the API gives it (or the refusal)."""
    try:
        report = import_file(
            organization=organization,
            data=data.encode(),
            file_format="csv",
            mode=options.pop("mode", "replace"),
            create_missing=True,
            progress=progress,
            **options,
        )
    except ImportRejected as exc:
        return ("rejected", exc.extra)
    return report.to_wire()


def _state(organization: Organization) -> dict[str, Any]:
    return {
        d.name: (current_wire(d), d.metadata, current_checks(d), d.revision)
        for d in Dictionary.objects.filter(organization=organization, deleted_at__isnull=True)
    }


def _forget(organization: Organization) -> None:
    Dictionary.objects.filter(organization=organization).update(import_digest="")


def _replaces(organization: Organization, name: str) -> list[str]:
    dictionary = Dictionary.objects.get(organization=organization, name=name)
    return [rule["replace"] for rule in current_wire(dictionary)["rewrite"]["rules"]]


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["replace", "merge"])
def test_progress_counts_the_same_rows_with_blank_lines_in_a_run(mode: str) -> None:
    """Blank lines inside a dictionary's run: a job's progress counts the same rows read
    whether the run is skipped or parsed (every record of the run, blank lines too; the skip
    once counted them and parsing did not)."""
    data = HEADER + "a,rewrite,x,y,\n\n,,,,\na,rewrite,z,w,\n"
    done: dict[str, list[tuple[str, int, int]]] = {}
    for side in ("fast", "slow"):
        organization = organization_create(slug=f"progress-{side}-{next(NUMBERS)}")
        _import(organization, data, mode=mode)
        if side == "slow":
            _forget(organization)
        seen: list[tuple[str, int, int]] = []
        _import(organization, data, lambda *step, seen=seen: seen.append(step), mode=mode)
        done[side] = [step for step in seen if step[0] == "import"]

    assert done["fast"] == done["slow"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("writer", ["import", "update"])
@pytest.mark.parametrize("mode", ["replace", "merge"])
def test_a_write_committed_meanwhile_is_not_left_half_applied(
    monkeypatch: pytest.MonkeyPatch, mode: str, writer: str
) -> None:
    """The digests are read once, unlocked, at the file's first run. Another import changing
    ``a`` and ``b`` (or an API update of ``a`` alone) commits right after that read: a skipped
    ``a`` must not keep the other writer's content while this import, committing last, calls
    it unchanged. The skipped dictionaries are confirmed at their digest's revision under
    lock before the import goes on, and when one was written meanwhile the import reads every
    row again: both end as this file says, as without the skip."""
    ours = HEADER + "a,rewrite,x,ours,\nb,rewrite,x,ours,\n"
    read = selectors.import_digests
    outcomes: dict[str, Any] = {}
    for side in ("fast", "slow"):
        organization = organization_create(slug=f"race-{side}-{next(NUMBERS)}")
        _import(organization, ours, mode=mode)
        dictionary_update(  # b written since: its digest no longer holds, a's still does
            organization=organization,
            name="b",
            modes={"rewrite": {"rules": [{"match": "x", "replace": "edited"}]}},
        )
        if side == "slow":
            _forget(organization)
        fired: list[bool] = []

        def meanwhile(fired: list[bool] = fired, **kwargs: Any) -> dict[str, tuple[str, str]]:
            known = read(**kwargs)
            if not fired:  # the other import runs and commits now, on its own connection
                fired.append(True)
                other = threading.Thread(target=_other, args=(kwargs["organization"], writer))
                other.start()
                other.join()
            return known

        monkeypatch.setattr(selectors, "import_digests", meanwhile)
        report = _import(organization, ours, mode=mode)
        monkeypatch.setattr(selectors, "import_digests", read)
        outcomes[side] = (
            [(e["dictionary"], e["action"]) for e in report["plan"]],
            _replaces(organization, "a"),
            _replaces(organization, "b"),
        )

    assert outcomes["slow"][1:] == (["ours"], ["ours"])
    assert outcomes["fast"][1:] == outcomes["slow"][1:]
    assert outcomes["fast"] == outcomes["slow"]


def _other(organization: Organization, writer: str) -> None:
    """Another writer, on its own connection: an import of ``a`` and ``b``, or an API update
    of ``a``."""
    try:
        if writer == "import":
            _import(organization, HEADER + "a,rewrite,x,theirs,\nb,rewrite,x,theirs,\n")
        else:
            dictionary_update(
                organization=organization,
                name="a",
                modes={"rewrite": {"rules": [{"match": "x", "replace": "theirs"}]}},
            )
    finally:
        connection.close()


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["replace", "merge"])
def test_a_cell_the_parser_now_refuses_is_not_accepted_by_the_skip(
    mode: str, settings: Any
) -> None:
    """Parsing depends on LEXICON_MAX_JSON_DEPTH (a metadata cell nested deeper is an error,
    ``rows.metadata_value``): once it is lowered, the same file is refused without the skip,
    and with it too (every LEXICON_MAX_* setting is part of a digest)."""
    data = (
        "dictionary,mode,match,replace,position,metadata.tags\n"
        'a,rewrite,x,y,,"[[[[[[""deep""]]]]]]"\n'
    )
    outcomes: dict[str, Any] = {}
    for side in ("fast", "slow"):
        organization = organization_create(slug=f"depth-{side}-{next(NUMBERS)}")
        settings.LEXICON_MAX_JSON_DEPTH = 32
        assert _import(organization, data, mode=mode)["plan"][0]["action"] == "create"
        if side == "slow":
            _forget(organization)
        settings.LEXICON_MAX_JSON_DEPTH = 2
        outcome = _import(organization, data, mode=mode)
        outcomes[side] = outcome[0] if isinstance(outcome, tuple) else "accepted"

    assert outcomes["slow"] == "rejected"
    assert outcomes["fast"] == outcomes["slow"]


@pytest.mark.django_db
def test_a_merge_validation_now_failing_is_not_accepted_by_the_skip(settings: Any) -> None:
    """A merge that leaves a dictionary as it is still validates its merged content (its file
    rows are not all it holds), against LEXICON_MAX_METADATA_BYTES among others: lowered since
    the digest was taken, the same merge is refused, with the skip as without it."""
    data = (
        "dictionary,mode,match,replace,position,metadata.note\n" + f"a,rewrite,x,y,,{'n' * 300}\n"
    )
    outcomes: dict[str, Any] = {}
    for side in ("fast", "slow"):
        organization = organization_create(slug=f"bytes-{side}-{next(NUMBERS)}")
        settings.LEXICON_MAX_METADATA_BYTES = 16 * 1024
        _import(organization, HEADER + "a,rewrite,kept,rule,\n")
        assert _import(organization, data, mode="merge")["plan"][0]["action"] == "change"
        if side == "slow":
            _forget(organization)
        settings.LEXICON_MAX_METADATA_BYTES = 100
        outcome = _import(organization, data, mode="merge")
        outcomes[side] = outcome[0] if isinstance(outcome, tuple) else "accepted"

    assert outcomes["slow"] == "rejected"
    assert outcomes["fast"] == outcomes["slow"]
