"""An import's report: what it found and did, and the rule-level plan of each dictionary.

The plan (one entry per dictionary of the file, ordered by name) says what the import does or
did to it: ``create``, ``change`` or ``unchanged``, with the rules added, changed and removed
(added and changed in file order, removed in stored order), ``metadata_changed``, and
``reordered`` when the kept rules changed order; when the file has checks, also the checks
``added``, ``changed`` and ``removed`` (by text). Rule and check entries are bounded in total by
LEXICON_MAX_REPORT_ITEMS; past it, entries keep their action, their lists are cut and the
report says how many entries ``plan_rules_not_listed``.
"""

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from pronunciations.checks import check_to_wire, checks_to_wire
from pronunciations.errors import PronunciationError
from pronunciations.models import Mode
from pronunciations.transfer.rows import RowError
from pronunciations.validation import VALUE_FIELD, Check, match_key, normalize_name


@dataclass
class PlanEntry:
    dictionary: str
    action: str  # create | change | unchanged
    added: list[dict[str, str]] = field(default_factory=list)
    changed: list[dict[str, str]] = field(default_factory=list)
    removed: list[dict[str, str]] = field(default_factory=list)
    metadata_changed: bool = False
    reordered: bool = False
    not_listed: int = 0  # rule and check entries cut from the lists by the report's bound
    has_checks: bool = False  # the file has checks: the entry lists their changes
    checks_added: list[dict[str, Any]] = field(default_factory=list)
    checks_changed: list[dict[str, Any]] = field(default_factory=list)
    checks_removed: list[dict[str, Any]] = field(default_factory=list)

    def cut(self, room: int) -> int:
        """Keep at most ``room`` rule and check entries (rules added first, then changed, then
        removed, then checks likewise); the number kept."""
        kept = 0
        for key in ("added", "changed", "removed", *_CHECK_LISTS):
            items: list[dict[str, Any]] = getattr(self, key)
            keep = items[: max(room - kept, 0)]
            setattr(self, key, keep)
            kept += len(keep)
            self.not_listed += len(items) - len(keep)
        return kept

    def listed(self) -> int:
        """How many rule and check entries it lists."""
        return sum(
            len(getattr(self, key)) for key in ("added", "changed", "removed", *_CHECK_LISTS)
        )

    def to_wire(self) -> dict[str, Any]:
        lists = {"added": self.added, "changed": self.changed, "removed": self.removed}
        wire: dict[str, Any] = {
            "dictionary": self.dictionary,
            "action": self.action,
            "rules": lists,
            "metadata_changed": self.metadata_changed,
        }
        if self.reordered:
            wire["reordered"] = True
        if self.has_checks:
            wire["checks"] = {key[len("checks_") :]: getattr(self, key) for key in _CHECK_LISTS}
        return wire


_CHECK_LISTS = ("checks_added", "checks_changed", "checks_removed")


def plan_key(name: str) -> tuple[str, str]:
    """The plan's order: by name, as names compare."""
    return normalize_name(name), name


def _keyed(wire: dict[str, Any], mode: Mode) -> dict[str, tuple[int, dict[str, str]]]:
    rules = wire.get(mode.value, {}).get("rules", [])
    return {match_key(rule["match"]): (i, rule) for i, rule in enumerate(rules)}


def rule_plan(
    entry: PlanEntry, before: dict[str, Any], after: dict[str, Any], rows: dict[str, list[int]]
) -> None:
    """Fill the entry's rule lists from wire modes before and after; ``rows`` gives each new
    rule's row in the file (for file order)."""
    if not before:  # a new dictionary: every rule is added, none compared
        _all_added(entry, after, rows)
        return
    added: list[tuple[int, dict[str, str]]] = []
    changed: list[tuple[int, dict[str, str]]] = []
    for mode in (Mode.REWRITE, Mode.IPA):
        value, old, new = VALUE_FIELD[mode], _keyed(before, mode), _keyed(after, mode)
        numbers = rows.get(mode.value, [])
        for key, (i, rule) in new.items():
            row = numbers[i] if i < len(numbers) else 0
            if key not in old:
                added.append(
                    (row, {"mode": mode.value, "match": rule["match"], "value": rule[value]})
                )
            elif (rule["match"], rule[value]) != (old[key][1]["match"], old[key][1][value]):
                change = {"mode": mode.value, "match": rule["match"]}
                changed.append((row, change | {"from": old[key][1][value], "to": rule[value]}))
        entry.removed += [
            {"mode": mode.value, "match": rule["match"], "value": rule[value]}
            for key, (_, rule) in old.items()
            if key not in new
        ]
        kept = [key for key in new if key in old]
        entry.reordered |= kept != [key for key in old if key in new]
    entry.added = [item for _, item in sorted(added, key=lambda pair: pair[0])]
    entry.changed = [item for _, item in sorted(changed, key=lambda pair: pair[0])]


def _all_added(entry: PlanEntry, after: dict[str, Any], rows: dict[str, list[int]]) -> None:
    """rule_plan of a new dictionary: each rule added, in file order."""
    added: list[tuple[int, dict[str, str]]] = []
    for mode in (Mode.REWRITE, Mode.IPA):
        value, name, numbers = VALUE_FIELD[mode], mode.value, rows.get(mode.value, [])
        rules = after.get(name, {}).get("rules", [])
        added += [
            (
                numbers[i] if i < len(numbers) else 0,
                {"mode": name, "match": r["match"], "value": r[value]},
            )
            for i, r in enumerate(rules)
        ]
    added.sort(key=lambda pair: pair[0])
    entry.added = [item for _, item in added]


def check_plan(entry: PlanEntry, before: Sequence[Check], after: Sequence[Check]) -> None:
    """Fill the entry's check lists: checks added and removed, and changed (same text, another
    expect or note), in the order of the checks after (removed: before)."""
    old, new = {c.text: c for c in before}, {c.text: c for c in after}
    entry.checks_added = checks_to_wire(c for text, c in new.items() if text not in old)
    entry.checks_removed = checks_to_wire(c for text, c in old.items() if text not in new)
    entry.checks_changed = [
        {"text": text, "from": check_to_wire(old[text]), "to": check_to_wire(check)}
        for text, check in new.items()
        if text in old and old[text] != check
    ]


def report_limit() -> int:
    """How many errors or warnings a report lists (LEXICON_MAX_REPORT_ITEMS); others are counted."""
    return int(settings.LEXICON_MAX_REPORT_ITEMS)


class Warnings:
    """A report's warnings: the first LEXICON_MAX_REPORT_ITEMS kept, the rest only counted.

    A PLS file with millions of unknown elements gives one line per element; listing them all
    made a 62 MB answer.
    """

    def __init__(self) -> None:
        self.items: list[str] = []
        self.more = 0

    def append(self, warning: str) -> None:
        self.extend([warning])

    def extend(self, warnings: Iterable[str], *, more: int = 0) -> None:
        limit = report_limit()
        for warning in warnings:
            if len(self.items) < limit:
                self.items.append(warning)
            else:
                self.more += 1
        self.more += more

    def __len__(self) -> int:
        return len(self.items) + self.more

    def to_wire(self) -> list[str]:
        if not self.more:
            return list(self.items)
        return [*self.items, f"... and {self.more} more warnings, not listed"]


@dataclass
class ImportReport:
    dry_run: bool
    mode: str
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rules_added: int = 0
    rules_changed: int = 0
    rules_removed: int = 0
    has_checks: bool = False  # the file has check rows: the report counts and lists checks
    checks_added: int = 0
    checks_changed: int = 0
    checks_removed: int = 0
    errors: list[RowError] = field(default_factory=list)
    errors_more: int = 0  # errors past the first LEXICON_MAX_REPORT_ITEMS, counted, not kept
    warnings: Warnings = field(default_factory=Warnings)
    plan: list[PlanEntry] = field(default_factory=list)
    plan_listed: int = 0  # rule entries listed in the plan so far
    _listing: list[PlanEntry] = field(default_factory=list, repr=False)  # listing some, by name

    def add(self, entry: PlanEntry) -> None:
        """Record one dictionary's plan and its rule counts, in any order. Only the first
        LEXICON_MAX_REPORT_ITEMS rule and check entries in plan order (``plan_key``) stay
        listed: lists are cut as entries come, so a large import never holds more than that."""
        self.rules_added += len(entry.added)
        self.rules_changed += len(entry.changed)
        self.rules_removed += len(entry.removed)
        entry.has_checks = self.has_checks
        self.checks_added += len(entry.checks_added)
        self.checks_changed += len(entry.checks_changed)
        self.checks_removed += len(entry.checks_removed)
        self.plan.append(entry)
        if listed := entry.listed():
            bisect.insort(self._listing, entry, key=lambda e: plan_key(e.dictionary))
            self.plan_listed += listed
        limit = report_limit()
        while self.plan_listed > limit:  # cut the entries last in plan order
            last = self._listing[-1]
            listed = last.listed()
            kept = last.cut(max(listed - (self.plan_listed - limit), 0))
            self.plan_listed -= listed - kept
            if not kept:
                self._listing.pop()

    def name(self, entry: PlanEntry) -> None:
        """List the dictionary under created, changed or unchanged (call in file order)."""
        names = {"create": self.created, "change": self.changed, "unchanged": self.unchanged}
        names[entry.action].append(entry.dictionary)

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.errors_more

    def trim_errors(self, *, final: bool = False) -> None:
        """Keep the first LEXICON_MAX_REPORT_ITEMS errors by row and column, counting the rest:
        done once twice as many are held (and, ``final``, sorted at the end), so a file of a
        million bad rows is reported in bounded memory."""
        limit = report_limit()
        if final or len(self.errors) > 2 * limit:
            self.errors.sort(key=lambda error: (error.row, error.column))
            self.errors_more += max(len(self.errors) - limit, 0)
            del self.errors[limit:]

    def rejected(self) -> "ImportReport":
        """The report of a refused import: its errors and warnings, no plan (nothing done)."""
        self.trim_errors(final=True)
        report = ImportReport(dry_run=self.dry_run, mode=self.mode, has_checks=self.has_checks)
        report.errors, report.errors_more, report.warnings = (
            self.errors,
            self.errors_more,
            self.warnings,
        )
        return report

    def plan_to_wire(self) -> dict[str, Any]:
        entries = sorted(self.plan, key=lambda e: plan_key(e.dictionary))
        wire: dict[str, Any] = {"plan": [entry.to_wire() for entry in entries]}
        if more := sum(entry.not_listed for entry in self.plan):
            wire["plan_rules_not_listed"] = more
        return wire

    def to_wire(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "mode": self.mode,
            "dictionaries": {
                "created": self.created,
                "changed": self.changed,
                "unchanged": self.unchanged,
            },
            "rules": {
                "added": self.rules_added,
                "changed": self.rules_changed,
                "removed": self.rules_removed,
            },
            **self._checks(),
            "errors": [error.to_wire() for error in self.errors[: report_limit()]],
            **self._not_listed(),
            "warnings": self.warnings.to_wire(),
            **self.plan_to_wire(),
        }

    def _checks(self) -> dict[str, dict[str, int]]:
        if not self.has_checks:
            return {}
        counts = [self.checks_added, self.checks_changed, self.checks_removed]
        return {"checks": dict(zip(("added", "changed", "removed"), counts, strict=True))}

    def _not_listed(self) -> dict[str, int]:
        more = self.error_count - report_limit()
        return {"errors_not_listed": more} if more > 0 else {}


class ImportRejected(PronunciationError):
    """The file has errors; nothing was written. ``report`` lists every one with its row (or,
    in a PLS file, its lexeme and line)."""

    def __init__(self, report: ImportReport) -> None:
        fields: dict[str, list[str]] = {}
        for error in report.errors[: report_limit()]:
            fields.setdefault(error.field, []).append(error.message)
        count = report.error_count
        super().__init__(
            f"Import refused: {count} error(s); nothing was written.", field_errors=fields
        )
        self.report = report
        self.extra = {"report": report.to_wire()}
