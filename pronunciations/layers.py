"""Layers: the dictionaries a dictionary includes, and the flattened dictionary a target gets.

A dictionary's includes and its "layer only" mark are content: its revision's snapshot holds
them (``"includes"``, ``"layer_only"``; absent when empty), so they are versioned and reviewed
like rules, and ``Include`` rows answer "who includes this layer". ``flatten`` is pure: given
the dictionary's content and a way to read each layer's (``Resolve``), it stacks them. The
dictionary's own rules win over its layers', a later include's over an earlier one's; an
include limited to a language is left out unless the flattened dictionary's
``metadata.language`` is that tag or a narrower one; disabled rules are left out. Each rule
keeps where it came from and what it shadows, so the admin, the API, "Where is this word?" and
the review can say which layer answers.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F

from orgs.actors import Actor
from orgs.scoping import restrict
from pronunciations.content import modes_from_wire, modes_to_wire
from pronunciations.models import Dictionary, Include, Mode, Revision
from pronunciations.validation import (
    MAX_LAYER_DEPTH,
    MAX_RULES_PER_MODE,
    IncludeSpec,
    Modes,
    RuleSpec,
    match_key,
)

# Reads keyed by dictionaries their callers already scoped (an organization's own layers).
LAYERS = Actor.system("layers")


@dataclass(frozen=True)
class Layered:
    """A dictionary's layers, as content: its includes in order, and whether it is a layer only."""

    includes: tuple[IncludeSpec, ...] = ()
    layer_only: bool = False


def from_snapshot(snapshot: dict[str, Any]) -> Layered:
    raw = snapshot.get("includes") or []
    includes = tuple(IncludeSpec(i["name"], i.get("language") or "") for i in raw)
    return Layered(includes, bool(snapshot.get("layer_only")))


def to_snapshot(snapshot: dict[str, Any], layered: Layered) -> dict[str, Any]:
    """Record ``layered`` in a revision's snapshot (nothing when it has no layers)."""
    if layered.includes:
        snapshot["includes"] = [include.to_wire() for include in layered.includes]
    if layered.layer_only:
        snapshot["layer_only"] = True
    return snapshot


def current_layered_of(dictionaries: Iterable[Dictionary]) -> dict[int, Layered]:
    """Each saved dictionary's current layers (its current snapshot's), by primary key."""
    saved = [d for d in dictionaries if d.pk is not None]
    if not saved:  # new dictionaries only (an import's): nothing to read
        return {}
    rows = (
        restrict(Revision, LAYERS)
        .filter(dictionary__in=saved, number=F("dictionary__revision"))
        .values_list("dictionary_id", "snapshot__includes", "snapshot__layer_only")
    )
    return {
        pk: from_snapshot({"includes": includes, "layer_only": layer_only})
        for pk, includes, layer_only in rows
    }


def includes_by_name(organization_id: int) -> dict[str, tuple[IncludeSpec, ...]]:
    """Every live dictionary of the organization (by normalized name) with its includes."""
    live = restrict(Dictionary, LAYERS).filter(
        organization_id=organization_id, deleted_at__isnull=True
    )
    found: dict[str, list[IncludeSpec]] = {
        name: [] for name in live.values_list("normalized_name", flat=True)
    }
    rows = (
        restrict(Include, LAYERS).filter(dictionary__in=live).order_by("dictionary_id", "position")
    )
    for name, layer, language in rows.values_list(
        "dictionary__normalized_name", "layer_name", "language"
    ):
        found[name].append(IncludeSpec(layer, language))
    return {name: tuple(includes) for name, includes in found.items()}


def includers_of(organization_id: int, name: str) -> list[Dictionary]:
    """The live dictionaries that include the layer ``name`` (directly or through another
    layer), by name: one query, and one more when there are any."""
    rows = (
        restrict(Include, LAYERS)
        .filter(dictionary__organization_id=organization_id, dictionary__deleted_at__isnull=True)
        .values_list("dictionary__normalized_name", "layer_name", "language")
    )
    graph: dict[str, list[IncludeSpec]] = {}
    for includer, layer, language in rows:
        graph.setdefault(includer, []).append(IncludeSpec(layer, language))
    wanted, found = {name.lower()}, set[str]()
    while True:
        more = {
            n for n, includes in graph.items() if any(i.name.lower() in wanted for i in includes)
        } - found
        if not more:
            break
        found |= more
        wanted |= more
    if not found:
        return []
    live = restrict(Dictionary, LAYERS).filter(
        organization_id=organization_id, deleted_at__isnull=True
    )
    return list(live.filter(normalized_name__in=found).order_by("normalized_name"))


def write_rows(pairs: list[tuple[Dictionary, Layered]]) -> None:
    """Replace the Include rows of these dictionaries by their layers' (inside the write)."""
    if not pairs:
        return
    restrict(Include, LAYERS).filter(dictionary__in=[d for d, _ in pairs]).delete()
    Include.objects.bulk_create(
        Include(dictionary=d, position=i, layer_name=inc.name.lower(), language=inc.language)
        for d, layered in pairs
        for i, inc in enumerate(layered.includes)
    )


# -- flattening -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Content:
    """One dictionary's content at one revision, as flattening reads it."""

    name: str
    revision: int | None
    modes: Modes
    layered: Layered = Layered()
    language: str = ""  # its metadata.language (only the flattened dictionary's counts)


def content_of(name: str, revision: int | None, snapshot: dict[str, Any]) -> Content:
    metadata = snapshot.get("metadata") or {}
    language = metadata.get("language") if isinstance(metadata, dict) else ""
    return Content(
        name,
        revision,
        modes_from_wire(snapshot.get("modes") or {}),
        from_snapshot(snapshot),
        language if isinstance(language, str) else "",
    )


Resolve = Callable[[str], Content | None]  # a layer's content by normalized name, or None


@dataclass(frozen=True)
class Shadow:
    """A rule a higher layer's rule hides: where it is, and what it says."""

    layer: str
    revision: int | None
    value: str


@dataclass(frozen=True)
class FlatRule:
    """A rule of the flattened dictionary: the rule, the layer it comes from (the dictionary's
    own name for its own rules) and every rule it shadows, lowest first."""

    mode: Mode
    rule: RuleSpec
    layer: str
    revision: int | None
    shadows: tuple[Shadow, ...] = ()


@dataclass
class Flat:
    """A flattened dictionary: its rules with their origin, the layers read (lowest first, the
    dictionary itself last), the layers named but not found, and the modes over SLNG's limit."""

    name: str
    rules: list[FlatRule] = field(default_factory=list)
    layers: list[tuple[str, int | None]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def modes(self) -> Modes:
        modes: dict[Mode, tuple[RuleSpec, ...]] = {Mode.REWRITE: ()}
        for mode in (Mode.REWRITE, Mode.IPA):
            rules = tuple(r.rule for r in self.rules if r.mode is mode)
            if rules or mode is Mode.REWRITE:
                modes[mode] = rules
        return modes

    @property
    def wire(self) -> dict[str, Any]:
        return modes_to_wire(self.modes)

    @property
    def over_limit(self) -> dict[str, int]:
        """Each mode holding more rules than SLNG takes (MAX_RULES_PER_MODE), with its count."""
        counts = {mode.value: len(rules) for mode, rules in self.modes.items()}
        return {mode: n for mode, n in counts.items() if n > MAX_RULES_PER_MODE}

    @property
    def layered(self) -> bool:
        return len(self.layers) > 1 or bool(self.missing)


def language_matches(language: str, wanted: str) -> bool:
    """``language`` is the tag ``wanted`` or a narrower one (``en-GB`` for ``en``)."""
    have, want = language.lower(), wanted.lower()
    return have == want or have.startswith(want + "-")


def _stack(root: Content, resolve: Resolve, flat: Flat) -> list[Content]:
    """The contents to stack, lowest precedence first, the root last (depth-first through
    each include, each layer's own layers under it)."""
    order: list[Content] = []

    def visit(content: Content, path: tuple[str, ...]) -> None:
        for include in content.layered.includes:
            key = include.name.lower()
            if include.language and not language_matches(root.language, include.language):
                continue
            if key in path or len(path) > MAX_LAYER_DEPTH:
                continue  # refused on write; data from before cannot loop here
            layer = resolve(key)
            if layer is None:
                flat.missing.append(include.name)
                continue
            visit(layer, (*path, key))
        order.append(content)

    visit(root, (root.name.lower(),))
    return order


def flatten(root: Content, resolve: Resolve) -> Flat:
    """The flattened dictionary of ``root``: see the module's docstring. Rules are listed as
    the layers stack, the lowest layer's first and the dictionary's own last, each layer's in
    its order (SLNG applies the longest match, whatever the order)."""
    flat = Flat(root.name)
    stack = _stack(root, resolve, flat)
    winners: dict[tuple[Mode, str], tuple[int, FlatRule]] = {}
    for rank, content in enumerate(stack):
        flat.layers.append((content.name, content.revision))
        for mode, rules in content.modes.items():
            for rule in rules:
                if rule.disabled:
                    continue
                key = (mode, match_key(rule.match))
                lost = winners.get(key)
                shadows: tuple[Shadow, ...] = ()
                if lost is not None:
                    beaten = lost[1]
                    shadows = (
                        *beaten.shadows,
                        Shadow(beaten.layer, beaten.revision, beaten.rule.value),
                    )
                winners[key] = (rank, FlatRule(mode, rule, content.name, content.revision, shadows))
    ranked = sorted(winners.values(), key=lambda pair: pair[0])  # stable: each layer's order
    flat.rules = [rule for _, rule in ranked]
    return flat


def current_resolver(organization_id: int) -> Resolve:
    """Layers as they now are: each live dictionary of the organization at its current
    revision (read once each)."""
    cache: dict[str, Content | None] = {}

    def resolve(name: str) -> Content | None:
        if name not in cache:
            found = (
                restrict(Revision, LAYERS)
                .filter(
                    dictionary__organization_id=organization_id,
                    dictionary__normalized_name=name,
                    dictionary__deleted_at__isnull=True,
                    number=F("dictionary__revision"),
                )
                .values_list("dictionary__name", "number", "snapshot")
                .first()
            )
            cache[name] = None if found is None else content_of(*found)
        return cache[name]

    return resolve


def current_content(dictionary: Dictionary) -> Content:
    """The dictionary's current content, as flattening reads it (one query)."""
    snapshot = (
        restrict(Revision, LAYERS)
        .filter(dictionary=dictionary, number=dictionary.revision)
        .values_list("snapshot", flat=True)
        .first()
    )
    return content_of(dictionary.name, dictionary.revision, snapshot or {})


def current_flat(dictionary: Dictionary, root: Content | None = None) -> Flat:
    """The dictionary flattened with its layers as they now are (``root``: its current
    content, when the caller has read it)."""
    root = root or current_content(dictionary)
    return flatten(root, current_resolver(dictionary.organization_id))


def flat_to_wire(flat: Flat) -> dict[str, Any]:
    """A flattened dictionary as the API, the export and the admin show it: SLNG's ``modes``
    as pushed (before compiling for a model), every rule with its layer and what it shadows,
    the layers read, the layers named but not found, and the modes over SLNG's limit."""
    rules = []
    for found in flat.rules:
        field_name = "replace" if found.mode is Mode.REWRITE else "ipa"
        shadows = [
            {"layer": s.layer, "revision": s.revision, field_name: s.value} for s in found.shadows
        ]
        rules.append(
            {
                "mode": found.mode.value,
                "match": found.rule.match,
                field_name: found.rule.value,
                "layer": found.layer,
                "revision": found.revision,
                "shadows": shadows,
            }
        )
    return {
        "name": flat.name,
        "modes": flat.wire,
        "rules": rules,
        "layers": [{"name": name, "revision": number} for name, number in flat.layers],
        "missing": flat.missing,
        "over_limit": [
            {"mode": mode, "rules": count, "limit": MAX_RULES_PER_MODE}
            for mode, count in flat.over_limit.items()
        ],
    }
