"""The change page's rules editor: rows per mode and their problems in plain words.

The page posts each mode's rules as two lists in page order (``rewrite_match`` and
``rewrite_value``, ``ipa_match`` and ``ipa_value``), so a rule's position is where the linguist
dragged it, never a typed number. The rules are checked by pronunciations.validation and lint;
pronunciations.admin.wording words what they found for the row it concerns.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict

from pronunciations import validation
from pronunciations.admin import wording
from pronunciations.admin.wording import PageRules, RowProblem
from pronunciations.content import content_hash
from pronunciations.lint import lint_modes
from pronunciations.models import Mode
from pronunciations.validation import VALUE_FIELD, Modes

MODES = (Mode.REWRITE.value, Mode.IPA.value)  # the editor's tabs, rewrite first


def post_fields(mode: str) -> tuple[str, str]:
    """The POST names of a mode's matches and values."""
    return f"{mode}_match", f"{mode}_value"


@dataclass
class Row:
    match: str
    value: str
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def match_problems(self) -> list[RowProblem]:
        return [p for p in self.problems if p.field == "match"]

    @property
    def value_problems(self) -> list[RowProblem]:
        return [p for p in self.problems if p.field == "value"]

    @property
    def level(self) -> str:
        levels = {p.level for p in self.problems}
        return "error" if "error" in levels else "warning" if levels else ""


@dataclass(frozen=True)
class Checked:
    """What checking a page's rules found: the modes when valid, every row's problems (errors,
    or lint warnings when valid) and the problems of the rules as a whole."""

    modes: Modes | None
    rows: list[RowProblem]
    general: list[str]


def to_wire(rules: PageRules) -> dict[str, Any]:
    wire: dict[str, Any] = {}
    for mode in MODES:
        if rules.get(mode) or mode == Mode.REWRITE:
            value_field = VALUE_FIELD[Mode(mode)]
            wire[mode] = {"rules": [{"match": m, value_field: v} for m, v in rules.get(mode, ())]}
    return wire


def from_wire(wire: object) -> PageRules:
    """The (match, value) pairs of wire modes as sent by the page, tolerating any shape (what is
    not a string counts as empty: validation says what is wrong with it)."""
    rules: dict[str, list[tuple[str, str]]] = {}
    for mode in MODES:
        raw = wire.get(mode) if isinstance(wire, Mapping) else None
        items = raw.get("rules") if isinstance(raw, Mapping) else None
        value_field = VALUE_FIELD[Mode(mode)]
        rules[mode] = [
            (_text(item.get("match")), _text(item.get(value_field)))
            for item in (items if isinstance(items, list) else [])
            if isinstance(item, Mapping)
        ]
    return rules


def _posted(data: Mapping[str, Any], key: str) -> list[str]:
    """Every value posted under ``key`` (a form's data is a QueryDict; a plain dict of lists
    is taken too)."""
    if isinstance(data, MultiValueDict):
        return [str(value) for value in data.getlist(key)]
    values = data.get(key, [])
    return [str(value) for value in (values if isinstance(values, list) else [values])]


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def check(rules: PageRules, *, lint: bool = True, organization_id: int | None = None) -> Checked:
    """Validate the page's rules; lint them when they are valid (with the organization's pk,
    also on its targets: see ``lint_modes``)."""
    try:
        modes = validation.validate_modes(to_wire(rules))
    except ValidationError as exc:
        rows, general = wording.validation_problems(exc, rules)
        return Checked(None, rows, general)
    warnings = lint_modes(modes, content_hash(modes), organization_id) if lint else []
    return Checked(modes, wording.lint_problems(warnings, rules), [])


def finished_rules(rules: PageRules, checked: Checked) -> tuple[Modes | None, int]:
    """The page's rules without the rows that have an error (a row still being typed), checked
    again, and how many rows were left out: the preview runs on those while the page is fixed.
    None when the rules as a whole have a problem (too many rules), which no row explains."""
    broken = {(p.mode, p.index) for p in checked.rows if p.level == "error"}
    if checked.general or not broken:
        return None, 0
    kept = {
        mode: [rule for index, rule in enumerate(rows) if (mode, index) not in broken]
        for mode, rows in rules.items()
    }
    return check(kept, lint=False).modes, len(broken)


class RulesEditor:
    """The rules on the change page, per mode in page order, each row with its problems."""

    def __init__(self, rules: PageRules) -> None:
        self.rows = {mode: [Row(m, v) for m, v in rules.get(mode, ())] for mode in MODES}
        self.general: list[str] = []
        self.valid = True

    @classmethod
    def from_post(cls, data: Mapping[str, Any]) -> "RulesEditor":
        """The posted rows; a row with neither match nor value is an unused blank row."""
        rules: dict[str, list[tuple[str, str]]] = {}
        for mode in MODES:
            match_field, value_field = post_fields(mode)
            matches, values = _posted(data, match_field), _posted(data, value_field)
            pairs = zip(matches, values + [""] * (len(matches) - len(values)), strict=False)
            rules[mode] = [(m, v) for m, v in pairs if m.strip() or v.strip()]
        return cls(rules)

    def page_rules(self) -> PageRules:
        return {mode: [(row.match, row.value) for row in rows] for mode, rows in self.rows.items()}

    def wire(self) -> dict[str, Any]:
        return to_wire(self.page_rules())

    def check(self, *, lint: bool = True, organization_id: int | None = None) -> bool:
        """Put every problem on its row; True when the rules may be saved."""
        checked = check(self.page_rules(), lint=lint, organization_id=organization_id)
        for problem in checked.rows:
            rows = self.rows[problem.mode]
            if problem.index < len(rows):
                rows[problem.index].problems.append(problem)
        self.general, self.valid = checked.general, checked.modes is not None
        return self.valid

    def count(self, level: str) -> int:
        return sum(row.level == level for rows in self.rows.values() for row in rows)
