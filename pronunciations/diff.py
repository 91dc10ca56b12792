"""Structured differences between two revision snapshots (rules keyed by their match)."""

from collections.abc import Mapping
from typing import Any

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


def snapshot_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """What changed from ``old`` to ``new``: rules added, removed, changed; metadata keys."""
    modes = {}
    for mode in Mode:
        diff = _mode_diff(_rules(old, mode), _rules(new, mode), mode)
        diff.pop("field")
        modes[mode.value] = diff
    return {
        "modes": modes,
        "metadata": _metadata_diff(old.get("metadata", {}), new.get("metadata", {})),
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
    return lines


def diff_counts(diff: Mapping[str, Any]) -> dict[str, int]:
    """How many rules a diff adds, changes and removes (both modes), and metadata keys touched."""
    kinds = ("added", "changed", "removed")
    counts = {kind: sum(len(changes[kind]) for changes in diff["modes"].values()) for kind in kinds}
    counts["metadata"] = sum(len(diff["metadata"][kind]) for kind in kinds)
    return counts


def diff_summary(diff: Mapping[str, Any]) -> str:
    """A diff in a few words: "2 rules added, 1 changed; metadata changed"."""
    counts = diff_counts(diff)
    rules = [f"{counts[kind]} {kind}" for kind in ("added", "changed", "removed") if counts[kind]]
    parts = []
    if rules:
        first_count, first_kind = rules[0].split(" ")
        noun = "rule" if first_count == "1" else "rules"
        parts.append(", ".join([f"{first_count} {noun} {first_kind}", *rules[1:]]))
    if any(changes["reordered"] for changes in diff["modes"].values()):
        parts.append("rules reordered")
    if counts["metadata"]:
        parts.append("metadata changed")
    return "; ".join(parts) or "no change to rules or metadata"
