"""Issue 28: a dictionary whose CSV records hash to the digest remembered at its current revision
is skipped without parsing a record; anything else that could change the outcome (a write
since, another mode, other columns, check rows elsewhere in the file) imports as before."""

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgs.models import Organization
from orgs.services import organization_create
from pronunciations.content import current_wire
from pronunciations.models import Dictionary
from pronunciations.services import dictionary_update
from pronunciations.transfer import ImportRejected, import_file
from pronunciations.transfer.runs import RecordRun
from tests.factories import make_dictionary

pytestmark = pytest.mark.django_db

HEADER = "dictionary,mode,match,replace,position\n"


def _rows(name: str, rules: int, spoken: str = "spoken") -> str:
    return "".join(f"{name},rewrite,word{r},{spoken} {r},{r}\n" for r in range(rules))


def _import(organization: Organization, data: str, **options: Any) -> Any:
    return import_file(
        organization=organization,
        data=data.encode(),
        file_format="csv",
        mode=options.pop("mode", "replace"),
        create_missing=options.pop("create_missing", True),
        **options,
    )


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The dictionary cell of each run of records the import parses."""
    runs: list[str] = []
    parse = RecordRun.parse

    def counted(run: RecordRun) -> Iterator[Any]:
        runs.append(run.cell)
        return parse(run)

    monkeypatch.setattr(RecordRun, "parse", counted)
    return runs


def test_the_same_file_again_is_skipped_unparsed(
    organization: Organization, parsed: list[str]
) -> None:
    data = HEADER + _rows("a", 5) + _rows("b", 5) + _rows("c", 5)
    _import(organization, data)
    assert parsed == ["a", "b", "c"]
    stored = Dictionary.objects.filter(organization=organization)
    assert all(d.import_digest and d.import_revision == d.revision == 1 for d in stored)
    parsed.clear()

    report = _import(organization, data)

    assert parsed == []
    assert report.unchanged == ["a", "b", "c"]
    assert [(entry.dictionary, entry.action) for entry in report.plan] == [
        (name, "unchanged") for name in "abc"
    ]


def test_a_dictionary_written_since_is_imported_again(
    organization: Organization, parsed: list[str]
) -> None:
    data = HEADER + _rows("a", 3) + _rows("b", 3)
    _import(organization, data)
    dictionary_update(
        organization=organization,
        name="b",
        modes={"rewrite": {"rules": [{"match": "word0", "replace": "edited"}]}},
        partial=True,
    )
    parsed.clear()

    report = _import(organization, data)

    assert parsed == ["b"]
    assert report.unchanged == ["a"]
    assert report.changed == ["b"]
    b = Dictionary.objects.get(organization=organization, name="b")
    assert [r["replace"] for r in current_wire(b)["rewrite"]["rules"]] == [
        "spoken 0",
        "spoken 1",
        "spoken 2",
    ]
    assert b.import_revision == b.revision == 3


def test_another_mode_or_other_columns_are_read_again_then_remembered(
    organization: Organization, parsed: list[str]
) -> None:
    data = HEADER + _rows("a", 3)
    _import(organization, data)
    parsed.clear()

    assert _import(organization, data, mode="merge").unchanged == ["a"]
    assert parsed == ["a"]  # merged, not replaced: its own digest
    assert _import(organization, data, mode="merge").unchanged == ["a"]
    assert parsed == ["a"]
    with_metadata = "dictionary,mode,match,replace,position,metadata.language\n"
    with_metadata += (
        "a,rewrite,word0,spoken 0,0,en\n" + _rows("a", 3)[len("a,rewrite,word0,spoken 0,0\n") :]
    )
    assert _import(organization, with_metadata).changed == ["a"]
    assert parsed == ["a", "a"]


def test_a_dry_run_skips_but_remembers_nothing(
    organization: Organization, parsed: list[str]
) -> None:
    data = HEADER + _rows("a", 3)
    _import(organization, data)
    remembered = Dictionary.objects.get(organization=organization).import_digest
    parsed.clear()

    assert _import(organization, data, dry_run=True).unchanged == ["a"]
    assert _import(organization, data, mode="merge", dry_run=True).unchanged == ["a"]

    assert parsed == ["a"]
    assert Dictionary.objects.get(organization=organization).import_digest == remembered


def test_a_refused_import_remembers_nothing(organization: Organization) -> None:
    make_dictionary(organization, "a", rules=2)
    data = HEADER + _rows("a", 3) + "b,rewrite,,empty match,\n"

    with pytest.raises(ImportRejected):
        _import(organization, data)

    a = Dictionary.objects.get(organization=organization, name="a")
    assert (a.import_digest, a.import_revision) == ("", 0)


def test_check_rows_anywhere_in_the_file_decide_for_every_dictionary(
    organization: Organization, parsed: list[str]
) -> None:
    """Without check rows each dictionary keeps its checks; with them (replace) it has exactly
    its own: the same records for ``a`` import differently, so they are not skipped."""
    data = HEADER + _rows("a", 3)
    _import(organization, data)
    dictionary_update(
        organization=organization,
        name="a",
        checks=[{"text": "word0", "expect": "spoken 0"}],
        partial=True,
    )
    _import(organization, data)  # keeps the check: remembered at the new revision
    parsed.clear()

    report = _import(organization, data + "b,rewrite,w,v,\nb,check,w,v,\n")

    assert "a" in parsed  # the late check row: read again, knowing the file has checks
    assert report.changed == ["a"]
    assert report.checks_removed == 1


def test_a_dictionary_that_comes_back_later_is_never_skipped_in_part(
    organization: Organization, parsed: list[str]
) -> None:
    data = HEADER + _rows("a", 2) + _rows("b", 2) + "a,rewrite,late,later,\n"
    _import(organization, data)
    parsed.clear()

    report = _import(organization, data)

    assert report.unchanged == ["a", "b"]
    assert parsed.count("b") == 1  # where each dictionary ends, read once; b itself skipped
    assert len(Dictionary.objects.get(organization=organization, name="a").rules.all()) == 3


NUMBERS = itertools.count()
FILES = [
    HEADER + _rows("a", 3) + _rows("b", 2),
    HEADER + _rows("a", 3, "said") + _rows("c", 1),
    HEADER + _rows("b", 2) + "b,check,word0,spoken 0,\n",
    HEADER + _rows("a", 1) + "\n" + _rows("b", 2),
]
STEPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("import"), st.integers(0, len(FILES) - 1), st.sampled_from(["replace", "merge"])
        ),
        st.tuples(st.just("edit"), st.sampled_from("abc"), st.sampled_from(["x", "y"])),
    ),
    min_size=1,
    max_size=6,
)


def _state(organization: Organization) -> dict[str, Any]:
    return {
        d.name: (current_wire(d), d.metadata, d.revision)
        for d in Dictionary.objects.filter(organization=organization, deleted_at__isnull=True)
    }


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
def test_skipping_never_changes_what_an_import_does(steps: list[tuple[str, Any, str]]) -> None:
    """The same steps in two organizations, one of which forgets every digest before each
    import: each import reports the same and leaves the same dictionaries."""
    fast, slow = (organization_create(slug=f"{side}-{next(NUMBERS)}") for side in "fs")
    for step in steps:
        outcomes = []
        for organization in (fast, slow):
            if step[0] == "edit":
                _edit(organization, step[1], step[2])
                continue
            if organization is slow:
                Dictionary.objects.filter(organization=slow).update(import_digest="")
            report = _import(organization, FILES[step[1]], mode=step[2])
            outcomes.append((report.created, report.changed, report.unchanged))
        if outcomes:
            assert outcomes[0] == outcomes[1]
        assert _state(fast) == _state(slow)


def _edit(organization: Organization, name: str, spoken: str) -> None:
    if not Dictionary.objects.filter(organization=organization, name=name).exists():
        return
    rules = [{"match": "word0", "replace": spoken}]
    dictionary_update(
        organization=organization, name=name, modes={"rewrite": {"rules": rules}}, partial=True
    )
