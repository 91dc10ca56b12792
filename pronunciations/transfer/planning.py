"""One dictionary of an import file: its rows, its next content, validated, and its plan entry.

A ``Group`` holds the rows of one dictionary only while it is planned: ``plan_group`` decides
from the file's hash of its rows whether it is unchanged (and then builds nothing more), else
builds its next modes and checks and validates them through ``pronunciations.validation``, the
one home of those rules, mapping each problem back to its row and column.
"""

import operator
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.exceptions import ValidationError

from orgs.actors import Actor
from orgs.models import Organization
from pronunciations import checks, validation
from pronunciations.content import canonical_hash, canonical_wire, modes_to_wire, wire_hash
from pronunciations.models import Action, Dictionary, Mode, Source
from pronunciations.store import Write, is_unchanged
from pronunciations.transfer.planrows import CHECK_COLUMNS, duplicate_rows, row_of, shadowed_errors
from pronunciations.transfer.report import PlanEntry, check_plan, rule_plan
from pronunciations.transfer.rows import (
    CHECK_MODE,
    METADATA_PREFIX,
    RowError,
    SourceRow,
)
from pronunciations.transfer.runs import RecordRun
from pronunciations.validation import VALUE_FIELD, Check, DictionaryInput, match_key

ImportMode = Literal["replace", "merge"]
_POSITION = operator.attrgetter("position")


@dataclass
class Group:
    """The rows of one dictionary in the file, keyed by its normalized name."""

    key: str
    name: str
    rows: list[SourceRow] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)  # metadata that differs between rows
    # The one run of the file's records it came from, whole (transfer.runs), for its digest.
    run: RecordRun | None = None
    skipped_at: int = 0  # unchanged by its digest: the row its records start at, none parsed
    digest: str = ""  # that digest, confirmed under lock before the import goes on

    @property
    def first_row(self) -> int:
        return self.rows[0].number if self.rows else self.skipped_at

    def add(self, row: SourceRow) -> None:
        self.rows.append(row)
        if not row.metadata:  # most rows: the metadata is on a dictionary's first row
            return
        for key, value in row.metadata.items():
            if key in self.metadata and self.metadata[key] != value:
                message = f"metadata {key!r} differs from an earlier row of {self.name}"
                self.errors.append(RowError(row.number, METADATA_PREFIX + key, message))
            self.metadata[key] = value


@dataclass(frozen=True)
class Options:
    mode: ImportMode
    create_missing: bool
    has_metadata: bool
    has_checks: bool  # the file has check rows: they set the checks (else each keeps its own)
    comment: str = ""  # kept with each revision the import makes


@dataclass
class Planned:
    group: Group
    existing: Dictionary | None
    clean: DictionaryInput | None
    sources: dict[str, list[int]]  # mode -> row number of each rule (0: a rule kept from before)
    metadata: dict[str, Any]
    unchanged: bool = False
    before: dict[str, Any] = field(default_factory=dict)  # the stored wire modes
    checks: tuple[Check, ...] | None = None  # the next checks (None: the file has none, kept)
    check_rows: list[int] = field(default_factory=list)  # the row of each check (0: kept)
    wire: dict[str, Any] | None = None  # the next wire modes, once validated (``clean``'s)


def _file_rules(group: Group) -> dict[str, list[SourceRow]]:
    """Rule rows per mode, ordered by ``position`` where given, else by file order."""
    by_mode: dict[str, list[SourceRow]] = {}
    for row in group.rows:
        if row.mode:
            by_mode.setdefault(row.mode, []).append(row)
    for rules in by_mode.values():
        if all(rule.position is not None for rule in rules):
            rules.sort(key=_POSITION)  # the same order, without a key tuple a row
        else:
            rules.sort(key=lambda r: (r.position is None, r.position or 0))
    return by_mode


def _next_metadata(
    group: Group, existing: Dictionary | None, mode: ImportMode, has_metadata: bool
) -> dict[str, Any]:
    metadata = dict(existing.metadata) if existing and (mode == "merge" or not has_metadata) else {}
    if mode == "merge" or has_metadata:
        metadata.update(group.metadata)
    return metadata


def _file_hash(group: Group) -> str:
    """The hash of the file's own rules for the dictionary, computed once from its rows.

    Equal to the stored hash, the file holds exactly the stored rules in their order (with no
    duplicate), so in either mode the import would change no rule.
    """
    by_mode = _file_rules(group)
    wire: dict[str, Any] = {}
    for mode in (Mode.REWRITE, Mode.IPA):
        field_name, rows = VALUE_FIELD[mode], by_mode.get(mode.value, [])
        if rows or mode is Mode.REWRITE:
            wire[mode.value] = {"rules": [_rule(r, field_name) for r in rows]}
    return wire_hash(wire)


def _next_modes(
    group: Group, current: dict[str, Any], mode: ImportMode, *, distinct: bool
) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """The dictionary's new wire modes, and which row each rule came from (0: kept).
    ``distinct``: no two rows of a mode share a match (``duplicate_rows`` found none)."""
    file_rules = _file_rules(group)
    modes: dict[str, Any] = {}
    sources: dict[str, list[int]] = {}
    for mode_name in Mode.values:
        field_name = VALUE_FIELD[Mode(mode_name)]
        kept = current.get(mode_name, {}).get("rules", []) if mode == "merge" else []
        file_rows = file_rules.get(mode_name, [])
        if distinct and not kept:  # nothing to merge into: the file's rules, in their order
            if file_rows or mode_name == Mode.REWRITE:
                modes[mode_name] = {
                    "rules": [
                        _rule(row, field_name)
                        if row.disabled
                        else {"match": row.match, field_name: row.value}  # _rule, inline
                        for row in file_rows
                    ]
                }
                sources[mode_name] = [row.number for row in file_rows]
            continue
        rules = [dict(rule) for rule in kept]
        rows = [0] * len(rules)
        index = {match_key(rule["match"]): i for i, rule in enumerate(rules)}
        for row in file_rows:
            key = match_key(row.match)  # "" for a blank match, which replaces no rule
            at = index.get(key) if key else None
            if at is None:
                index[key] = len(rules)
                rules.append(_rule(row, field_name))
                rows.append(row.number)
            else:
                rules[at], rows[at] = _rule(row, field_name), row.number
        if rules or mode_name == Mode.REWRITE:
            modes[mode_name], sources[mode_name] = {"rules": rules}, rows
    return modes, sources


def _rule(row: SourceRow, field_name: str) -> dict[str, Any]:
    rule: dict[str, Any] = {"match": row.match, field_name: row.value}
    if row.disabled:
        rule["disabled"] = True
    return rule


def _next_checks(
    group: Group, current: tuple[Check, ...], mode: ImportMode
) -> tuple[tuple[Check, ...], list[int]]:
    """The dictionary's next checks (not yet validated) and the row of each (0: kept): the
    file's in ``replace`` mode; in ``merge`` mode the current ones, each replaced by the file's
    check of the same text, then the file's new ones."""
    kept = list(current) if mode == "merge" else []
    rows = [0] * len(kept)
    index = {check.text: i for i, check in enumerate(kept)}
    for row in _file_rules(group).get(CHECK_MODE, []):
        check = Check(row.match, row.value, row.note)
        at = index.setdefault(row.match, len(kept))
        if at == len(kept):
            kept.append(check)
            rows.append(row.number)
        else:
            kept[at], rows[at] = check, row.number
    return tuple(kept), rows


def _check_errors(plan: Planned, first_row: int) -> list[RowError]:
    """The next checks validated; each problem on the row (and column) it came from."""
    try:
        validation.validate_checks(checks.checks_to_wire(plan.checks or ()))
    except ValidationError as exc:
        errors = []
        for path, messages in exc.message_dict.items():
            where, _, key = path.partition(".")
            index = int(where[7:-1]) if where.startswith("checks[") else -1
            row = plan.check_rows[index] if 0 <= index < len(plan.check_rows) else 0
            column = CHECK_COLUMNS.get(key, "mode")
            errors += [RowError(row or first_row, column, message) for message in messages]
        return errors
    return []


def plan_group(
    group: Group, found: Dictionary | None, options: Options, current: tuple[Check, ...]
) -> Planned:
    """The group's plan before validation: its metadata, checks, and whether it is unchanged
    (by hash of its rows, so an unchanged dictionary's rules are never built)."""
    metadata = _next_metadata(group, found, options.mode, options.has_metadata)
    plan = Planned(group, found, None, {}, metadata)
    if options.has_checks:
        plan.checks, plan.check_rows = _next_checks(group, current, options.mode)
    plan.unchanged = found is not None and is_unchanged(
        found, _file_hash(group), metadata, plan.checks
    )
    return plan


def validate(plan: Planned, mode: ImportMode) -> list[RowError]:
    """Build the plan's next content and validate it (``plan.clean``); the errors, by row."""
    group, first_row = plan.group, plan.group.rows[0].number
    errors = duplicate_rows(group.rows)
    modes, plan.sources = _next_modes(group, plan.before, mode, distinct=not errors)
    name = plan.existing.name if plan.existing else group.name
    problems = _check_errors(plan, first_row)
    problems += shadowed_errors(group.rows, plan.sources, plan.check_rows)
    try:
        plan.clean = validation.validate_dictionary(
            {"name": name, "modes": modes, "metadata": plan.metadata}
        )
    except ValidationError as exc:
        for path, messages in exc.message_dict.items():
            row, column = row_of(path, plan.sources, first_row)
            if column == "mode":  # "must have at most 256 rules": say which mode
                messages = [f"the {path.split('.')[1]} mode {message}" for message in messages]
            errors += [RowError(row, column, message) for message in messages]
    if problems:
        errors += problems
        plan.clean = None
    if plan.clean is not None:  # the same wire modes the clean content renders as
        plan.wire = modes
    return errors


def plan_name(plan: Planned) -> str:
    return plan.existing.name if plan.existing else plan.group.name


def entry_of(
    organization: Organization, plan: Planned, author: Actor, comment: str = ""
) -> tuple[PlanEntry, Write | None]:
    """One dictionary's plan entry, and its write unless it is unchanged. The entry lists the
    checks that would fail against the planned content (``checks_failed``)."""
    clean, found = plan.clean, plan.existing
    if plan.unchanged or clean is None:
        return PlanEntry(plan_name(plan), "unchanged"), None
    after = plan.wire if plan.wire is not None else modes_to_wire(clean.modes)
    canonical = canonical_wire(after)
    new_hash = canonical_hash(canonical)
    if found is not None and is_unchanged(found, new_hash, clean.metadata, plan.checks):
        return PlanEntry(found.name, "unchanged"), None
    entry = PlanEntry(clean.name, "create" if found is None else "change")
    entry.metadata_changed = found is not None and clean.metadata != found.metadata
    rule_plan(entry, plan.before, after, plan.sources)
    before = checks.current_checks(found) if found else ()
    if plan.checks is not None:
        check_plan(entry, before, plan.checks)
    results = checks.run(clean.modes, before if plan.checks is None else plan.checks)
    entry.checks_failed = [r for r in results if not r["passed"]]
    target = found or Dictionary(organization=organization, name=clean.name)
    action = Action.CREATE if found is None else Action.UPDATE
    write = Write(
        target, clean, action, Source.IMPORT, author, comment, hash=new_hash, checks=plan.checks
    )
    write.wire, write.wire_json = after, canonical
    return entry, write
