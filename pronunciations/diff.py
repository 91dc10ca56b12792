"""Structured differences between two revision snapshots (rules keyed by their match, checks by
their text)."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pronunciations.checks import checks_from_wire, checks_to_wire
from pronunciations.models import Mode
from pronunciations.validation import match_key


def _rules(snapshot: Mapping[str, Any], mode: Mode) -> list[dict[str, str]]:
    return list(snapshot.get("modes", {}).get(mode.value, {}).get("rules", []))


def _keyed_diff(
    old: Iterable[dict[str, str]],
    new: Iterable[dict[str, str]],
    label: str,
    key: Callable[[str], str],
) -> dict[str, Any]:
    """Items added, removed and changed (same ``key(item[label])``, other content), and whether
    the kept ones changed order."""
    before = {key(item[label]): item for item in old}
    after = {key(item[label]): item for item in new}
    common_before = [k for k in before if k in after]
    common_after = [k for k in after if k in before]
    return {
        "added": [item for k, item in after.items() if k not in before],
        "removed": [item for k, item in before.items() if k not in after],
        "changed": [
            {label: after[k][label], "from": before[k], "to": after[k]}
            for k in common_after
            if before[k] != after[k]
        ],
        "reordered": common_before != common_after,
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


def _checks(snapshot: Mapping[str, Any]) -> list[dict[str, str]]:
    return checks_to_wire(checks_from_wire(snapshot.get("checks")))


def snapshot_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """What changed from ``old`` to ``new``: rules added, removed, changed; metadata keys;
    checks added, removed, changed."""
    return {
        "modes": {
            mode.value: _keyed_diff(_rules(old, mode), _rules(new, mode), "match", match_key)
            for mode in Mode
        },
        "metadata": _metadata_diff(old.get("metadata", {}), new.get("metadata", {})),
        # Checks are the same check when their text is exactly the same (as validation says).
        "checks": _keyed_diff(_checks(old), _checks(new), "text", str),
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


def diff_counts(diff: Mapping[str, Any]) -> dict[str, int]:
    """How many rules a diff adds, changes and removes (both modes), and metadata keys touched."""
    kinds = ("added", "changed", "removed")
    counts = {kind: sum(len(changes[kind]) for changes in diff["modes"].values()) for kind in kinds}
    counts["metadata"] = sum(len(diff["metadata"][kind]) for kind in kinds)
    return counts


def _counts_phrase(counts: Mapping[str, int], noun: str) -> str:
    """ "2 rules added, 1 changed": the noun after the first count only."""
    kinds = [kind for kind in ("added", "changed", "removed") if counts.get(kind)]
    phrases = [f"{counts[kind]} {kind}" for kind in kinds]
    if not phrases:
        return ""
    phrases[0] = f"{_counted(counts[kinds[0]], noun)} {kinds[0]}"
    return ", ".join(phrases)


def diff_summary(diff: Mapping[str, Any]) -> str:
    """A diff in a few words: "2 rules added, 1 changed; metadata changed; 1 check added"."""
    counts = diff_counts(diff)
    parts = [_counts_phrase(counts, "rule")]
    if any(changes["reordered"] for changes in diff["modes"].values()):
        parts.append("rules reordered")
    if counts["metadata"]:
        parts.append("metadata changed")
    checks = diff.get("checks")
    if checks:
        parts.append(
            _counts_phrase(
                {kind: len(checks[kind]) for kind in ("added", "changed", "removed")}, "check"
            )
        )
        parts.append("checks reordered" if checks["reordered"] else "")
    return "; ".join(part for part in parts if part) or "no change to rules or metadata"


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def contents_summary(snapshot: Mapping[str, Any]) -> str:
    """What a snapshot holds, in a few words: "3 rewrite rules, 1 IPA rule, 2 checks" (IPA
    rules and checks only when there are some)."""
    parts = [_counted(len(_rules(snapshot, Mode.REWRITE)), "rewrite rule")]
    ipa, checks = len(_rules(snapshot, Mode.IPA)), len(_checks(snapshot))
    parts += [_counted(ipa, "IPA rule")] if ipa else []
    parts += [_counted(checks, "check")] if checks else []
    return ", ".join(parts)
