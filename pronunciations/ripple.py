"""What a layer's revision does to the dictionaries that include it: each includer's checks
(test sentences) run against its flattened content with that revision of the layer.

A layer's change is one revision of the layer, reviewed once; the review (``pronunciations.review``)
refuses to approve it while it breaks an includer's check, naming the includer and the sentence.
A dictionary's own checks run on its flattened content too (``flattened_modes``), so a
dictionary's checks say what its targets will speak.
"""

from dataclasses import dataclass
from typing import Any

from orgs.actors import Actor
from orgs.scoping import restrict
from pronunciations import checks, layers
from pronunciations.content import modes_from_wire, wire_hash
from pronunciations.diff import diff_lines, snapshot_diff
from pronunciations.models import Dictionary, Revision
from pronunciations.validation import Modes, match_key

# Reads keyed by the layer's includers, which the caller already scoped to its organization.
RIPPLE = Actor.system("layer ripple")


@dataclass(frozen=True)
class Broken:
    """One check of one includer that a layer's revision makes fail."""

    includer: str
    index: int
    result: dict[str, Any]

    def words(self) -> str:
        text, expect, got = (self.result.get(key, "") for key in ("text", "expect", "got"))
        return f"{self.includer}: {text!r} expected {expect!r}, got {got!r}"


def flattened_modes(revision: Revision) -> tuple[Modes, str]:
    """A revision's content flattened with its layers as they now are (its own modes when it
    includes none), and the key the matcher of that content is cached under."""
    snapshot = revision.snapshot
    if not snapshot.get("includes"):
        return modes_from_wire(snapshot["modes"]), revision.content_hash
    dictionary = revision.dictionary
    root = layers.content_of(dictionary.name, revision.number, snapshot)
    flat = layers.flatten(root, layers.current_resolver(dictionary.organization_id))
    return flat.modes, wire_hash(flat.wire)


def broken_checks(revision: Revision) -> list[Broken]:
    """Every check of every live dictionary including the revision's dictionary (directly or
    through another layer) that fails against its flattened content with this revision of the
    layer (the other layers as they now are), by includer name."""
    layer = revision.dictionary
    if getattr(revision, "included", None) is False:  # annotated: nobody includes it
        return []
    includers = layers.includers_of(layer.organization_id, layer.normalized_name)
    if not includers:
        return []
    current = layers.current_resolver(layer.organization_id)
    proposed = layers.content_of(layer.name, revision.number, revision.snapshot)

    def resolve(name: str) -> layers.Content | None:
        return proposed if name == layer.normalized_name else current(name)

    kept = checks.current_checks_of(includers)
    broken: list[Broken] = []
    for includer in includers:
        its_checks = kept.get(includer.pk, ())
        root = current(includer.normalized_name)
        if not its_checks or root is None:
            continue
        flat = layers.flatten(root, resolve)
        results = checks.run(flat.modes, its_checks, content_key=wire_hash(flat.wire))
        broken += [
            Broken(includer.name, i, result)
            for i, result in enumerate(results)
            if not result["passed"]
        ]
    return broken


# How many revisions of each layer a dictionary's history lists.
LAYER_HISTORY = 20


@dataclass(frozen=True)
class LayerChange:
    """A revision of a layer the dictionary includes, as the dictionary's history shows it:
    what the layer's revision changed, and whether that changed what the dictionary serves
    (``served``: not every change is hidden by the dictionary's own rules)."""

    layer: str
    revision: Revision
    lines: list[tuple[str, str]]
    served: bool


def layer_changes(dictionary: Dictionary) -> list[LayerChange]:
    """The recent revisions of the layers the dictionary includes now (directly), newest
    first: for a flattened dictionary, which layer revision changed what it served."""
    root = layers.current_content(dictionary)
    names = [include.name.lower() for include in root.layered.includes]
    if not names:
        return []
    own = {(mode.value, match_key(r.match)) for mode, rules in root.modes.items() for r in rules}
    found: list[LayerChange] = []
    for name in names:
        history = list(
            restrict(Revision, RIPPLE)
            .filter(
                dictionary__organization_id=dictionary.organization_id,
                dictionary__normalized_name=name,
                dictionary__deleted_at__isnull=True,
            )
            .select_related("dictionary")
            .order_by("-number")[: LAYER_HISTORY + 1]
        )
        for revision, older in zip(history, [*history[1:], None], strict=True):
            if older is None:
                continue
            diff = snapshot_diff(older.snapshot, revision.snapshot)
            keys = {
                (mode, match_key(rule["match"]))
                for mode, changes in diff["modes"].items()
                for kind in ("added", "removed", "changed")
                for rule in changes[kind]
            }
            found.append(
                LayerChange(revision.dictionary.name, revision, diff_lines(diff), bool(keys - own))
            )
    return sorted(found, key=lambda change: change.revision.created_at, reverse=True)
