"""The checks editor of the dictionary change page: test sentences with what the model must
receive, and what the page's rules (saved or not) make of them, live.

A panel of pronunciations' own extension (``ChecksExtension``, beside the preview). Its rows are
inputs of the change form (``check-text``, ``check-expect``, ``check-note``, in order), saved
with the rules in one revision; ``check-present`` says the editor was on the page, so a form
posted without it keeps the dictionary's checks. Results come from the preview endpoint, which
runs them with the engine (``pronunciations.checks.run``): the page computes nothing itself.
Validation is ``validation.clean_checks``; this module words what it found for a linguist.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict

from orgs import permissions
from orgs.models import Role
from pronunciations import check_explain, checks, preview, validation
from pronunciations.admin.extensions import BESIDE_PREVIEW, DictionaryAdminExtension, Panel
from pronunciations.models import Dictionary
from pronunciations.validation import CHECK_TEXT_MAX_LENGTH, MAX_CHECKS, Modes

PRESENT = "check-present"
FIELDS = ("text", "expect", "note")
_PATH = re.compile(r"checks\[(\d+)\]\.(text|expect|note)")
_DUPLICATE = re.compile(r"duplicates checks\[(\d+)\]\.text")
_PART = {"text": "sentence", "expect": "expected text", "note": "note"}


@dataclass
class CheckRow:
    """A check as the page holds it, with its result and its problems in words."""

    text: str
    expect: str
    note: str = ""
    got: str | None = None
    passed: bool | None = None
    problems: list[str] = field(default_factory=list)


def posted_rows(data: Mapping[str, Any]) -> list[dict[str, str]] | None:
    """The checks the form posted, in order, blank rows left out; None when the checks editor
    was not on the page (the dictionary's checks are then kept)."""
    if not isinstance(data, MultiValueDict) or PRESENT not in data:
        return None
    columns = [data.getlist(f"check-{name}") for name in FIELDS]
    rows = []
    for text, expect, note in zip(*columns, strict=False):
        if text.strip() or expect.strip() or note.strip():
            rows.append({"text": text, "expect": expect, "note": note})
    return rows


def to_checks(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Rows as the checks a service takes (a note only when there is one)."""
    return [{k: v for k, v in row.items() if k != "note" or v} for row in rows]


def _worded(path: str, message: str) -> str:
    found = _PATH.fullmatch(path)
    if found is None:
        return f"The checks {message}."
    number, part = int(found[1]) + 1, found[2]
    duplicate = _DUPLICATE.fullmatch(message)
    if duplicate:
        first = int(duplicate[1]) + 1
        return f"Check {number} has the same sentence as check {first}: keep one of them."
    return f"The {_PART[part]} of check {number} {message}."


def problems_of(raw: object) -> tuple[dict[int, list[str]], list[str]]:
    """What validation says about posted checks: problems per row (by index) and of the
    checks as a whole, in words."""
    errors: validation.FieldErrors = {}
    validation.clean_checks(raw, errors)
    rows: dict[int, list[str]] = {}
    general: list[str] = []
    for path, messages in errors.items():
        found = _PATH.fullmatch(path)
        for message in messages:
            if found is None:
                general.append(_worded(path, message))
            else:
                rows.setdefault(int(found[1]), []).append(_worded(path, message))
    return rows, general


def _runnable(text: object) -> bool:
    """A sentence the engine can be given: text, not blank, within the checks' bound."""
    return isinstance(text, str) and bool(text.strip()) and len(text) <= CHECK_TEXT_MAX_LENGTH


def live_results(modes: Modes, raw: object) -> dict[str, Any]:
    """Each posted check's result against the page's rules (``got``, ``passed``; None for a row
    whose sentence cannot be run), its problems, and problems of the checks as a whole.

    What the preview endpoint answers for the checks editor; the engine runs them
    (``checks.run``), at most MAX_CHECKS of at most the checks' length each.
    """
    rows, general = problems_of(raw)
    items = raw if isinstance(raw, list) and len(raw) <= MAX_CHECKS else []
    runnable = {
        i: validation.Check(item["text"], str(item.get("expect") or ""))
        for i, item in enumerate(items)
        if isinstance(item, Mapping) and _runnable(item.get("text"))
    }
    results = dict(zip(runnable, checks.run(modes, list(runnable.values())), strict=True))
    answer = [
        {
            "got": results[i]["got"] if i in results else None,
            "passed": results[i]["passed"] if i in results else None,
            "problems": rows.get(i, []),
            "explain": _explained(modes, runnable[i]) if _failed(results.get(i)) else None,
        }
        for i in range(len(items))
    ]
    return {"results": answer, "general": general}


def _failed(result: dict[str, Any] | None) -> bool:
    return result is not None and not result["passed"]


def _explained(modes: Modes, check: validation.Check) -> dict[str, Any]:
    """A failing check's expected and got compared by word, and the rules fired there."""
    return check_explain.explain(check.expect, preview.rewrite(modes, check.text)).to_wire()


def _rows(request: HttpRequest, dictionary: Dictionary) -> tuple[list[CheckRow], list[str]]:
    """The page's checks: as posted (a save the form refused), else the current ones with the
    results their revision recorded."""
    posted = posted_rows(request.POST) if request.method == "POST" else None
    if posted is not None:
        problems, general = problems_of(posted)
        return [
            CheckRow(row["text"], row["expect"], row["note"], problems=problems.get(i, []))
            for i, row in enumerate(posted)
        ], general
    return [
        CheckRow(check.text, check.expect, check.note, result.get("got"), result.get("passed"))
        for check, result in checks.current_checks_with_results(dictionary)
    ], []


def checks_panel(request: HttpRequest, dictionary: Dictionary) -> dict[str, Any]:
    rows, general = _rows(request, dictionary)
    return {
        "check_rows": rows,
        "check_general": general,
        "checks_editable": permissions.allowed(request, dictionary.organization_id, Role.EDITOR),
        "check_present": PRESENT,
        "max_checks": MAX_CHECKS,
        "passed": sum(1 for row in rows if row.passed),
    }


class ChecksExtension(DictionaryAdminExtension):
    """pronunciations' own panel on its change page: the checks editor, beside the preview."""

    panels = (
        Panel("admin/pronunciations/dictionary/checks_panel.html", checks_panel, BESIDE_PREVIEW),
    )
    media = forms.Media(css={"all": ["pronunciations/checks.css"]}, js=["pronunciations/checks.js"])
