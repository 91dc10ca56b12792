"""How a plan reads: each dictionary's rules and checks to add, change and remove, the checks its
new content fails, and the counts."""

from __future__ import annotations

from typing import Any

Report = dict[str, Any]


def _rule(rule: dict[str, Any]) -> str:
    return f"{rule.get('mode')} {rule.get('match')!r}"


def _entry_lines(entry: dict[str, Any]) -> list[str]:
    rules = entry.get("rules") or {}
    lines = [f"{entry.get('dictionary')}: {entry.get('action')}"]
    lines += [f"  + {_rule(r)} -> {r.get('value')!r}" for r in rules.get("added", [])]
    lines += [
        f"  ~ {_rule(r)}: {r.get('from')!r} -> {r.get('to')!r}" for r in rules.get("changed", [])
    ]
    lines += [f"  - {_rule(r)} ({r.get('value')!r})" for r in rules.get("removed", [])]
    if entry.get("reordered"):
        lines.append("  rules reordered")
    if entry.get("metadata_changed"):
        lines.append("  metadata changed")
    checks = entry.get("checks") or {}
    added = checks.get("added", [])
    lines += [f"  + check {c.get('text')!r} -> {c.get('expect')!r}" for c in added]
    lines += [
        f"  ~ check {c.get('text')!r}: {c['from'].get('expect')!r} -> {c['to'].get('expect')!r}"
        for c in checks.get("changed", [])
    ]
    lines += [f"  - check {c.get('text')!r}" for c in checks.get("removed", [])]
    lines += [
        f"  ! check {c.get('text')!r} fails: expected {c.get('expect')!r}, got {c.get('got')!r}"
        for c in entry.get("checks_failed") or []
    ]
    return lines


def plan_lines(report: Report) -> list[str]:
    """A readable plan of an import report: rule by rule when the server sends ``plan``, else
    the dictionaries by action and the rule counts."""
    lines: list[str] = []
    plan = report.get("plan")
    if isinstance(plan, list):
        for entry in plan:
            if entry.get("action") != "unchanged":
                lines += _entry_lines(entry)
        if report.get("plan_rules_not_listed"):
            lines.append(f"  ... and {report['plan_rules_not_listed']} more rule changes")
    else:
        groups = report.get("dictionaries") or {}
        for action in ("created", "changed"):
            lines += [
                f"{name}: {action[:-1] if action == 'created' else 'change'}"
                for name in groups.get(action, [])
            ]
    return lines


def summary(report: Report) -> str:
    groups, rules = report.get("dictionaries") or {}, report.get("rules") or {}
    created, changed = len(groups.get("created", [])), len(groups.get("changed", []))
    if not created and not changed:
        unchanged = len(groups.get("unchanged", []))
        noun = "dictionary" if unchanged == 1 else "dictionaries"
        return f"No changes: {unchanged} {noun} up to date."
    text = (
        f"{created} to create, {changed} to change, {len(groups.get('unchanged', []))} unchanged; "
        f"rules: {rules.get('added', 0)} to add, {rules.get('changed', 0)} to change, "
        f"{rules.get('removed', 0)} to remove"
    )
    if checks := report.get("checks"):
        text += (
            f"; checks: {checks.get('added', 0)} to add, {checks.get('changed', 0)} to change, "
            f"{checks.get('removed', 0)} to remove"
        )
    return text + "."


def applied(text: str) -> str:
    """A summary in the past tense: what the import did."""
    for future, past in (
        (" to create", " created"),
        (" to change", " changed"),
        (" to add", " added"),
        (" to remove", " removed"),
    ):
        text = text.replace(future, past)
    return text


def report_lines(path: str, report: Report, *, done: bool) -> list[str]:
    """One file's plan (or, ``done``, what it did), its summary and its warnings."""
    text = summary(report)
    lines = [f"{path}:", *(f"  {line}" for line in plan_lines(report))]
    lines.append(f"  {applied(text) if done else text}")
    lines += [f"  warning: {warning}" for warning in report.get("warnings") or []]
    return lines


def failing_checks(report: Report) -> list[str]:
    """The dictionaries of a report whose new content fails a check."""
    return [e["dictionary"] for e in report.get("plan") or [] if e.get("checks_failed")]
