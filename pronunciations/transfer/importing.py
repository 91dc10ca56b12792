"""Bulk import: rows of the tabular layout become dictionaries, all or nothing.

``dictionary_import`` validates every row with the same validation as every other write before
its first write, then writes in one transaction with bulk statements: one revision (source
``import``) and one ``dictionary_changed`` per changed dictionary, not one per row.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from orgs.actors import UNKNOWN, Actor
from orgs.models import Organization
from pronunciations import checks, selectors, validation
from pronunciations.content import current_wires, modes_to_wire, wire_hash
from pronunciations.errors import DictionaryConflict
from pronunciations.models import Action, Dictionary, Mode, Source
from pronunciations.store import Write, is_unchanged, store
from pronunciations.transfer.planrows import (
    CHECK_COLUMNS,
    duplicate_rows,
    row_of,
    shadowed_errors,
)
from pronunciations.transfer.report import (
    ImportRejected,
    ImportReport,
    PlanEntry,
    Warnings,
    check_plan,
    plan_key,
    report_limit,
    rule_plan,
)
from pronunciations.transfer.rows import (
    CHECK_MODE,
    METADATA_PREFIX,
    RowError,
    SourceRow,
)
from pronunciations.validation import VALUE_FIELD, Check, DictionaryInput, match_key

__all__ = ["ImportRejected", "ImportReport", "Warnings", "dictionary_import", "report_limit"]

ImportMode = Literal["replace", "merge"]
Progress = Callable[[str, int, int], None]


# -- planning -----------------------------------------------------------------------------


@dataclass
class _Group:
    """The rows of one dictionary in the file."""

    name: str
    rows: list[SourceRow] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Planned:
    group: _Group
    existing: Dictionary | None
    clean: DictionaryInput | None
    sources: dict[str, list[int]]  # mode -> row number of each rule (0: a rule kept from before)
    metadata: dict[str, Any]
    unchanged: bool = False
    before: dict[str, Any] = field(default_factory=dict)  # the stored wire modes
    checks: tuple[Check, ...] | None = None  # the next checks (None: the file has none, kept)
    check_rows: list[int] = field(default_factory=list)  # the row of each check (0: kept)


def _group(rows: list[SourceRow], errors: list[RowError]) -> dict[str, _Group]:
    """Rows by dictionary, keyed by normalized name; each row's name is validated first, so an
    invalid name never reaches a query and never joins a valid one (``\u212a`` lowers to k)."""
    groups: dict[str, _Group] = {}
    for row in rows:
        if problems := validation.name_errors(row.dictionary):
            errors += [RowError(row.number, "dictionary", problem) for problem in problems]
            continue
        key = validation.normalize_name(row.dictionary)
        group = groups.setdefault(key, _Group(row.dictionary))
        group.rows.append(row)
        for key, value in row.metadata.items():
            if key in group.metadata and group.metadata[key] != value:
                message = f"metadata {key!r} differs from an earlier row of {group.name}"
                errors.append(RowError(row.number, METADATA_PREFIX + key, message))
            group.metadata[key] = value
    return groups


def _file_rules(group: _Group) -> dict[str, list[SourceRow]]:
    """Rule rows per mode, ordered by ``position`` where given, else by file order."""
    by_mode: dict[str, list[SourceRow]] = {}
    for row in group.rows:
        if row.mode:
            by_mode.setdefault(row.mode, []).append(row)
    for rules in by_mode.values():
        rules.sort(key=lambda r: (r.position is None, r.position or 0))
    return by_mode


def _next_metadata(
    group: _Group, existing: Dictionary | None, mode: ImportMode, has_metadata: bool
) -> dict[str, Any]:
    metadata = dict(existing.metadata) if existing and (mode == "merge" or not has_metadata) else {}
    if mode == "merge" or has_metadata:
        metadata.update(group.metadata)
    return metadata


def _file_hash(group: _Group) -> str:
    """The hash of the file's own rules for the dictionary, computed once from its rows.

    Equal to the stored hash, the file holds exactly the stored rules in their order (with no
    duplicate), so in either mode the import would change no rule.
    """
    by_mode = _file_rules(group)
    wire: dict[str, Any] = {}
    for mode in (Mode.REWRITE, Mode.IPA):
        field_name, rows = VALUE_FIELD[mode], by_mode.get(mode.value, [])
        if rows or mode is Mode.REWRITE:
            wire[mode.value] = {"rules": [{"match": r.match, field_name: r.value} for r in rows]}
    return wire_hash(wire)


def _next_modes(
    group: _Group, current: dict[str, Any], mode: ImportMode
) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """The dictionary's new wire modes, and which row each rule came from (0: kept)."""
    file_rules = _file_rules(group)
    modes: dict[str, Any] = {}
    sources: dict[str, list[int]] = {}
    for mode_name in Mode.values:
        field_name = VALUE_FIELD[Mode(mode_name)]
        kept = current.get(mode_name, {}).get("rules", []) if mode == "merge" else []
        rules = [dict(rule) for rule in kept]
        rows = [0] * len(rules)
        index = {match_key(rule["match"]): i for i, rule in enumerate(rules)}
        for row in file_rules.get(mode_name, []):
            at = index.get(match_key(row.match)) if row.match.strip() else None
            if at is None:
                index[match_key(row.match)] = len(rules)
                rules.append({"match": row.match, field_name: row.value})
                rows.append(row.number)
            else:
                rules[at], rows[at] = {"match": row.match, field_name: row.value}, row.number
        if rules or mode_name == Mode.REWRITE:
            modes[mode_name], sources[mode_name] = {"rules": rules}, rows
    return modes, sources


def _next_checks(
    group: _Group, current: tuple[Check, ...], mode: ImportMode
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


def _check_errors(plan: _Planned, first_row: int) -> list[RowError]:
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


@dataclass
class _Options:
    mode: ImportMode
    create_missing: bool
    has_metadata: bool
    has_checks: bool  # the file has check rows: they set the checks (else each keeps its own)


def _existing(
    organization: Organization, groups: dict[str, _Group], lock: bool, with_checks: bool
) -> dict[str, Dictionary]:
    queryset = selectors.dictionary_live(organization=organization).filter(
        normalized_name__in=list(groups)
    )
    if with_checks:
        queryset = selectors.with_current_checks(queryset)
    if lock:  # no one may change these between this read and the write
        queryset = queryset.select_for_update()
    return {d.normalized_name: d for d in queryset}


def _plan(
    organization: Organization,
    groups: dict[str, _Group],
    options: _Options,
    report: ImportReport,
    progress: Progress | None,
) -> list[_Planned]:
    """Each dictionary's next content, validated, or None where the file leaves it unchanged
    (decided by hash, without reading its rules)."""
    existing = _existing(organization, groups, not report.dry_run, options.has_checks)
    planned: list[_Planned] = []
    for key, group in groups.items():
        found = existing.get(key)
        if found is None and not options.create_missing:
            message = f"no dictionary named {group.name!r} (set create_missing to create it)"
            report.errors.append(RowError(group.rows[0].number, "dictionary", message))
            continue
        metadata = _next_metadata(group, found, options.mode, options.has_metadata)
        plan = _Planned(group, found, None, {}, metadata)
        if options.has_checks:
            current = checks.current_checks(found) if found else ()
            plan.checks, plan.check_rows = _next_checks(group, current, options.mode)
        plan.unchanged = found is not None and is_unchanged(
            found, _file_hash(group), metadata, plan.checks
        )
        planned.append(plan)
    slow = [p.existing for p in planned if p.existing is not None and not p.unchanged]
    wires = current_wires(slow)
    for done, plan in enumerate(planned, start=1):
        if not plan.unchanged:
            plan.before = wires.get(plan.existing.pk, {}) if plan.existing else {}
            _validate(plan, options.mode, report)
        if progress is not None:
            progress("validate", done, len(planned))
    return [plan for plan in planned if plan.unchanged or plan.clean is not None]


def _validate(plan: _Planned, mode: ImportMode, report: ImportReport) -> None:
    group, first_row = plan.group, plan.group.rows[0].number
    report.errors += duplicate_rows(group.rows)
    modes, plan.sources = _next_modes(group, plan.before, mode)
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
            report.errors += [RowError(row, column, message) for message in messages]
    if problems:
        report.errors += problems
        plan.clean = None


# -- the plan and the write -----------------------------------------------------------------


def _classify(
    organization: Organization, planned: list[_Planned], report: ImportReport, author: Actor
) -> list[Write]:
    """Add each dictionary's plan to the report (in plan order, so the bound on listed rules
    applies as the report shows them; names in file order); return the writes."""
    entries: dict[int, PlanEntry] = {}
    writes: dict[int, Write] = {}
    order = sorted(range(len(planned)), key=lambda i: plan_key(_name(planned[i])))
    for i in order:
        entries[i], write = _entry(organization, planned[i], author)
        report.add(entries[i])
        if write is not None:
            writes[i] = write
    for i in range(len(planned)):
        report.name(entries[i])
    return [writes[i] for i in sorted(writes)]


def _name(plan: _Planned) -> str:
    return plan.existing.name if plan.existing else plan.group.name


def _entry(
    organization: Organization, plan: _Planned, author: Actor
) -> tuple[PlanEntry, Write | None]:
    """One dictionary's plan entry, and its write unless it is unchanged."""
    clean, found = plan.clean, plan.existing
    if plan.unchanged or clean is None:
        return PlanEntry(_name(plan), "unchanged"), None
    after = modes_to_wire(clean.modes)
    new_hash = wire_hash(after)
    if found is not None and is_unchanged(found, new_hash, clean.metadata, plan.checks):
        return PlanEntry(found.name, "unchanged"), None
    entry = PlanEntry(clean.name, "create" if found is None else "change")
    entry.metadata_changed = found is not None and clean.metadata != found.metadata
    rule_plan(entry, plan.before, after, plan.sources)
    if plan.checks is not None:
        check_plan(entry, checks.current_checks(found) if found else (), plan.checks)
    target = found or Dictionary(organization=organization, name=clean.name)
    action = Action.CREATE if found is None else Action.UPDATE
    write = Write(target, clean, action, Source.IMPORT, author, hash=new_hash, checks=plan.checks)
    return entry, write


def dictionary_import(
    *,
    organization: Organization,
    rows: list[SourceRow],
    parse_errors: list[RowError],
    mode: ImportMode = "merge",
    dry_run: bool = False,
    create_missing: bool = False,
    has_metadata: bool = False,
    author: Actor = UNKNOWN,
    progress: Progress | None = None,
) -> ImportReport:
    """Import parsed rows into the organization, all or nothing; raises ImportRejected.

    A dry run returns the same report and writes nothing. ``has_metadata`` says the file had
    metadata columns: in ``replace`` mode they replace the metadata, without them it is kept.
    Checks likewise: a file with check rows sets the checks of the dictionaries it names
    (``replace``: exactly its own, ``merge``: added or updated by text); without any, each
    keeps its checks.
    """
    has_checks = any(row.mode == CHECK_MODE for row in rows)
    report = ImportReport(
        dry_run=dry_run, mode=mode, errors=list(parse_errors), has_checks=has_checks
    )
    with transaction.atomic():
        groups = _group(rows, report.errors)
        options = _Options(mode, create_missing, has_metadata, has_checks)
        planned = _plan(organization, groups, options, report, progress)
        if report.errors:
            report.errors.sort(key=lambda e: (e.row, e.column))
            raise ImportRejected(report)
        writes = _classify(organization, planned, report, author)
        if dry_run:
            return report
        try:
            store(writes)
        except IntegrityError as exc:  # a dictionary of the same name was created meanwhile
            raise DictionaryConflict(", ".join(report.created) or "(import)") from exc
        if progress is not None:
            progress("write", len(writes), len(writes))
    return report
