"""Structured differences between two revision snapshots (rules keyed by their match, checks by
their text)."""

from collections.abc import Mapping
from typing import Any

from pronunciations.checks import checks_from_wire, checks_to_wire
from pronunciations.models import Mode
from pronunciations.validation import VALUE_FIELD, match_key


def _rules(snapshot: Mapping[str, Any], mode: Mode) -> list[dict[str, str]]:
    return list(snapshot.get("modes", {}).get(mode.value, {}).get("rules", []))


def _mode_diff(old: list[dict[str, str]], new: list[dict[str, str]], mode: Mode) -> dict[str, Any]:
    field = VALUE_FIELD[mode]
    before = {match_key(rule["match"]): rule for rule in old}
    after = {match_key(rule["match"]): rule for rule in new}
    common_before = [key for key in before if key in after]
    common_after = [key for key in after if key in before]
    return {
        "added": [rule for key, rule in after.items() if key not in before],
        "removed": [rule for key, rule in before.items() if key not in after],
        "changed": [
            {"match": after[key]["match"], "from": before[key], "to": after[key]}
            for key in common_after
            if before[key] != after[key]
        ],
        "reordered": common_before != common_after,
        "field": field,
    }


def _metadata_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "added": {key: value for key, value in new.items() if key not in old},
        "removed": {key: value for key, value in old.items() if key not in new},
        "changed": {
            key: {"from": old[key], "to": new[key]}
            for key in new
            if key in old and old[key] != new[key]
        },
    }


def _checks_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Checks added, removed and changed (same text, another expect or note), keyed by their
    exact text (as validation compares them)."""
    before = {c["text"]: c for c in checks_to_wire(checks_from_wire(old.get("checks")))}
    after = {c["text"]: c for c in checks_to_wire(checks_from_wire(new.get("checks")))}
    common_before = [text for text in before if text in after]
    common_after = [text for text in after if text in before]
    return {
        "added": [check for text, check in after.items() if text not in before],
        "removed": [check for text, check in before.items() if text not in after],
        "changed": [
            {"text": text, "from": before[text], "to": after[text]}
            for text in common_after
            if before[text] != after[text]
        ],
        "reordered": common_before != common_after,
    }


def snapshot_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """What changed from ``old`` to ``new``: rules added, removed, changed; metadata keys;
    checks added, removed, changed."""
    modes = {}
    for mode in Mode:
        diff = _mode_diff(_rules(old, mode), _rules(new, mode), mode)
        diff.pop("field")
        modes[mode.value] = diff
    return {
        "modes": modes,
        "metadata": _metadata_diff(old.get("metadata", {}), new.get("metadata", {})),
        "checks": _checks_diff(old, new),
    }


def _rule_text(mode: str, rule: Mapping[str, str]) -> str:
    return f"{mode}: {rule['match']} → {rule.get('replace', rule.get('ipa', ''))}"


def diff_lines(diff: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A diff as readable lines ``(kind, text)``, kind being added, removed or changed."""
    lines: list[tuple[str, str]] = []
    for mode, changes in diff["modes"].items():
        lines += [("added", "+ " + _rule_text(mode, rule)) for rule in changes["added"]]
        lines += [("removed", "− " + _rule_text(mode, rule)) for rule in changes["removed"]]
        lines += [
            (
                "changed",
                f"~ {_rule_text(mode, change['from'])} ⇒ "
                f"{change['to'].get('replace', change['to'].get('ipa', ''))}",
            )
            for change in changes["changed"]
        ]
        if changes["reordered"]:
            lines.append(("changed", f"~ {mode}: rules reordered"))
    metadata = diff["metadata"]
    lines += [("added", f"+ metadata {key} = {value}") for key, value in metadata["added"].items()]
    lines += [("removed", f"− metadata {key}") for key in metadata["removed"]]
    lines += [
        ("changed", f"~ metadata {key}: {change['from']} → {change['to']}")
        for key, change in metadata["changed"].items()
    ]
    return lines + _check_lines(diff.get("checks"))


def _expected(check: Mapping[str, str]) -> str:
    return check["expect"] + (f" ({check['note']})" if check.get("note") else "")


def _check_lines(checks: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    if not checks:
        return []
    lines = [("added", f"+ check: {c['text']} ⇒ {_expected(c)}") for c in checks["added"]]
    lines += [("removed", f"− check: {c['text']} ⇒ {_expected(c)}") for c in checks["removed"]]
    lines += [
        ("changed", f"~ check: {c['text']} ⇒ {_expected(c['from'])} → {_expected(c['to'])}")
        for c in checks["changed"]
    ]
    if checks["reordered"]:
        lines.append(("changed", "~ checks reordered"))
    return lines
