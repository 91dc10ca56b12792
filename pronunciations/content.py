"""A dictionary's content as one value: the wire form of its modes, rules <-> modes, its hash.

The source of truth for reading current content is the current revision's snapshot (every write
records one, in ``pronunciations.store``): ``current_wire`` reads it, ``modes_from_wire`` turns
it into validated-shape modes for the engine, lint and preview. Rule rows exist for the
database's constraints and for queries across dictionaries; nothing rebuilds content from them.

``content_hash`` is ``"sha256:" + hex(sha256(canonical))`` where ``canonical`` is the UTF-8 JSON
of the wire-form ``modes`` object only (not the name, not metadata), with keys sorted, no
whitespace (separators ``,`` and ``:``), non-ASCII characters kept as-is (``ensure_ascii=False``),
rules in their stored order, and the ``ipa`` mode present only when it has rules.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db.models import F

from orgs.actors import Actor
from orgs.scoping import restrict
from pronunciations.models import Dictionary, Mode, Revision, Rule
from pronunciations.validation import VALUE_FIELD, Modes, RuleSpec, match_key

# Lexicon reading on its own account (orgs.scoping: every organization).
CURRENT = Actor.system("current revision")


def modes_to_wire(modes: Modes) -> dict[str, Any]:
    """Render validated modes as SLNG's ``modes`` object."""
    wire: dict[str, Any] = {}
    for mode in (Mode.REWRITE, Mode.IPA):
        if mode in modes and (mode is Mode.REWRITE or modes[mode]):
            field = VALUE_FIELD[mode]
            wire[mode.value] = {"rules": [rule_to_wire(rule, field) for rule in modes[mode]]}
    return wire


def rule_to_wire(rule: RuleSpec, field: str) -> dict[str, Any]:
    """One rule on the wire; ``"disabled": true`` only when it is switched off, so the content
    (and hash) of a dictionary without disabled rules is SLNG's exactly."""
    if rule.disabled:
        return {"match": rule.match, field: rule.value, "disabled": True}
    return {"match": rule.match, field: rule.value}


def without_disabled(wire: dict[str, Any]) -> dict[str, Any]:
    """Wire modes as SLNG's clients see them: disabled rules left out."""
    return {
        mode: {"rules": [rule for rule in body["rules"] if not rule.get("disabled")]}
        for mode, body in wire.items()
    }


def with_disabled_kept(current: dict[str, Any], modes: object) -> object:
    """``modes`` (a body's) with the current disabled rules it does not name added last."""
    if not isinstance(modes, Mapping):
        return modes
    merged = dict(modes)
    for mode, body in current.items():
        kept = [rule for rule in body["rules"] if rule.get("disabled")]
        given = merged.get(mode, {"rules": []} if mode != Mode.REWRITE else None)
        if not kept or not isinstance(given, Mapping) or not isinstance(given.get("rules"), list):
            continue
        named = {
            match_key(rule["match"])
            for rule in given["rules"]
            if isinstance(rule, Mapping) and isinstance(rule.get("match"), str)
        }
        extra = [rule for rule in kept if match_key(rule["match"]) not in named]
        if extra:
            merged[mode] = {**given, "rules": [*given["rules"], *extra]}
    return merged


def enabled(modes: Modes) -> Modes:
    """Modes with their disabled rules left out: what is pushed and previewed."""
    return {
        mode: tuple(rule for rule in rules if not rule.disabled) for mode, rules in modes.items()
    }


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
            ordered[mode.value] = {
                "rules": [
                    {
                        "match": r["match"],
                        field: r[field],
                        **({"disabled": True} if r.get("disabled") else {}),
                    }
                    for r in rules
                ]
            }
    return ordered


def modes_from_rules(rules: Iterable[Rule]) -> Modes:
    """Rebuild modes from stored rule rows (already ordered by mode and position)."""
    modes: dict[Mode, list[RuleSpec]] = {Mode.REWRITE: []}
    for rule in rules:
        spec = RuleSpec(match=rule.match, value=rule.value, disabled=rule.disabled)
        modes.setdefault(Mode(rule.mode), []).append(spec)
    return {mode: tuple(specs) for mode, specs in modes.items() if specs or mode is Mode.REWRITE}


def modes_from_wire(wire: dict[str, Any]) -> Modes:
    """Wire modes (a snapshot's, or an API body already validated) as modes of RuleSpecs."""
    modes: dict[Mode, tuple[RuleSpec, ...]] = {}
    for mode in (Mode.REWRITE, Mode.IPA):
        field = VALUE_FIELD[mode]
        rules = wire.get(mode.value, {}).get("rules", [])
        specs = tuple(
            RuleSpec(rule["match"], rule[field], bool(rule.get("disabled"))) for rule in rules
        )
        if specs or mode is Mode.REWRITE:
            modes[mode] = specs
    return modes


def current_wire(dictionary: Dictionary) -> dict[str, Any]:
    """The dictionary's current wire modes: its current revision's snapshot, in the API's order.

    Uses ``current_modes`` when a selector annotated it, else reads the one snapshot.
    """
    wire = getattr(dictionary, "current_modes", None)
    if wire is None:
        wire = (
            restrict(Revision, CURRENT)
            .filter(dictionary=dictionary, number=dictionary.revision)
            .values_list("snapshot__modes", flat=True)
            .first()
        )
    return wire_in_order(wire or {"rewrite": {"rules": []}})


def current_wires(dictionaries: list[Dictionary]) -> dict[int, dict[str, Any]]:
    """Many dictionaries' current wire modes in one query, by primary key."""
    rows = (
        restrict(Revision, CURRENT)
        .filter(dictionary__in=dictionaries, number=F("dictionary__revision"))
        .values_list("dictionary_id", "snapshot__modes")
    )
    return {pk: wire_in_order(wire) for pk, wire in rows}


def current_modes(dictionary: Dictionary) -> Modes:
    """The dictionary's current content as modes (see ``current_wire``)."""
    return modes_from_wire(current_wire(dictionary))


def rule_index(rules: Sequence[RuleSpec], match: str) -> int | None:
    """Where the rule with ``match``'s comparison key (``validation.match_key``, as duplicates
    are found) is in a mode's rules, or None."""
    key = match_key(match)
    return next((i for i, rule in enumerate(rules) if match_key(rule.match) == key), None)


def content_hash(modes: Modes) -> str:
    return wire_hash(modes_to_wire(modes))


def wire_hash(wire: dict[str, Any]) -> str:
    """The content hash of wire modes (see the module's docstring)."""
    return canonical_hash(canonical_wire(wire))


def canonical_wire(wire: dict[str, Any]) -> str:
    """The canonical JSON of wire modes that their hash is taken of (the module's docstring)."""
    return json.dumps(wire, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_hash(canonical: str) -> str:
    """The content hash of a ``canonical_wire``."""
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
