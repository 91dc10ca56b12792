"""What a layer's revision does to the dictionaries that include it: each includer's checks
(test sentences) run against its flattened content with that revision of the layer.

A layer's change is one revision of the layer, reviewed once; the review (``pronunciations.review``)
refuses to approve it while it breaks an includer's check, naming the includer and the sentence.
A dictionary's own checks run on its flattened content too (``flattened_modes``), so a
dictionary's checks say what its targets will speak.
"""

from dataclasses import dataclass
from typing import Any

from pronunciations import checks, layers
from pronunciations.content import modes_from_wire, wire_hash
from pronunciations.models import Revision
from pronunciations.validation import Modes


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
