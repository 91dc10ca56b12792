"""The wire form of a dictionary's modes and its content hash.

``content_hash`` is ``"sha256:" + hex(sha256(canonical))`` where ``canonical`` is the UTF-8 JSON
of the wire-form ``modes`` object only (not the name, not metadata), with keys sorted, no
whitespace (separators ``,`` and ``:``), non-ASCII characters kept as-is (``ensure_ascii=False``),
rules in their stored order, and the ``ipa`` mode present only when it has rules.
"""

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from pronunciations.models import Mode, Rule
from pronunciations.validation import VALUE_FIELD, Modes, RuleSpec


def modes_to_wire(modes: Modes) -> dict[str, Any]:
    """Render validated modes as SLNG's ``modes`` object."""
    wire: dict[str, Any] = {}
    for mode in (Mode.REWRITE, Mode.IPA):
        if mode in modes and (mode is Mode.REWRITE or modes[mode]):
            field = VALUE_FIELD[mode]
            wire[mode.value] = {
                "rules": [{"match": rule.match, field: rule.value} for rule in modes[mode]]
            }
    return wire


def wire_in_order(wire: dict[str, Any]) -> dict[str, Any]:
    """Stored wire modes with the API's key order (``rewrite`` first, ``match`` first).

    PostgreSQL's jsonb gives keys back shortest first (``ipa`` before ``rewrite``); JSON objects
    are unordered, but responses keep one stable, readable order.
    """
    ordered: dict[str, Any] = {}
    for mode in (Mode.REWRITE, Mode.IPA):
        if mode.value in wire:
            field = VALUE_FIELD[mode]
            rules = wire[mode.value]["rules"]
            ordered[mode.value] = {"rules": [{"match": r["match"], field: r[field]} for r in rules]}
    return ordered


def modes_from_rules(rules: Iterable[Rule]) -> Modes:
    """Rebuild modes from stored rule rows (already ordered by mode and position)."""
    modes: dict[Mode, list[RuleSpec]] = {Mode.REWRITE: []}
    for rule in rules:
        modes.setdefault(Mode(rule.mode), []).append(RuleSpec(match=rule.match, value=rule.value))
    return {mode: tuple(specs) for mode, specs in modes.items() if specs or mode is Mode.REWRITE}


def content_hash(modes: Modes) -> str:
    canonical = json.dumps(
        modes_to_wire(modes), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
