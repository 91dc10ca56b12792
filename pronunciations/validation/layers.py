"""Validation of a dictionary's layers: its includes, "layer only", and the graph they make.

An include is ``{"name": <a dictionary of the same organization>, "language": <tag>?}``:
the included dictionary's rules come under the including dictionary's own, a later include's
over an earlier one's (``pronunciations.layers`` flattens them). ``language`` limits the
include to dictionaries whose ``metadata.language`` is that tag or starts with it (``en``
takes ``en-GB``). Re-exported by ``pronunciations.validation``: import from there.

The graph rules (no cycle, a bounded depth, every layer existing) need the other dictionaries'
includes: ``include_graph_problems`` takes them as a plain mapping, so it stays pure.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from core.parameters import name_errors
from core.text import list_problems, problem
from pronunciations.validation.language import language_tag_problems

# At most this many includes per dictionary.
MAX_INCLUDES = 8
# The longest chain of includes: a dictionary, its layers, their layers, and theirs. Past three
# a linguist can no longer say which layer answers; each level also costs a read per push.
MAX_LAYER_DEPTH = 3


@dataclass(frozen=True)
class IncludeSpec:
    """A validated include: the layer's name as written, and its language ("" : any)."""

    name: str
    language: str = ""

    def to_wire(self) -> dict[str, str]:
        return (
            {"name": self.name, "language": self.language} if self.language else {"name": self.name}
        )


Problems = dict[str, list[ValidationError]]


def _include(index: int, item: object, errors: Problems) -> IncludeSpec | None:
    path = f"includes[{index}]"
    if not isinstance(item, Mapping):
        errors[path] = [problem("must be an object with a name", "not_object")]
        return None
    name, language = item.get("name"), item.get("language")
    if problems := name_errors(name):
        errors[f"{path}.name"] = [ValidationError(p, code="name") for p in problems]
        return None
    if language in (None, ""):
        language = ""
    elif not isinstance(language, str) or language_tag_problems(language):
        message = "must be a BCP 47 language tag such as en or de-CH"
        errors[f"{path}.language"] = [problem(message, "not_language_tag")]
        return None
    unknown = sorted(str(key) for key in item if key not in ("name", "language"))
    if unknown:
        errors[path] = [problem("unknown field: %(field)s", "unknown", field=k) for k in unknown]
        return None
    return IncludeSpec(str(name), str(language))


def clean_includes(raw: object, errors: Problems, *, own_name: str = "") -> tuple[IncludeSpec, ...]:
    """Validate ``includes``: an array (null: none) of at most MAX_INCLUDES layers, each named
    once, none the dictionary itself (``own_name``)."""
    if raw is None:
        return ()
    if problems := list_problems(raw, items="includes", limit=MAX_INCLUDES):
        errors["includes"] = problems
        return ()
    assert isinstance(raw, list)  # noqa: S101 - checked by list_problems
    found: list[IncludeSpec] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(raw):
        include = _include(index, item, errors)
        if include is None:
            continue
        key = include.name.lower()
        if own_name and key == own_name.lower():
            message = "a dictionary cannot include itself"
            errors[f"includes[{index}].name"] = [problem(message, "self")]
        elif seen.setdefault(key, index) != index:
            message = "includes[%(first)s] names the same layer"
            errors[f"includes[{index}].name"] = [problem(message, "duplicate", first=seen[key])]
        else:
            found.append(include)
    return tuple(found)


def validate_includes(raw: object, *, own_name: str = "") -> tuple[IncludeSpec, ...]:
    """``clean_includes`` alone, raising one ValidationError."""
    errors: Problems = {}
    includes = clean_includes(raw, errors, own_name=own_name)
    if errors:
        raise ValidationError(errors)
    return includes


def include_graph_problems(
    own_name: str,
    includes: Sequence[IncludeSpec],
    includes_of: Callable[[str], Sequence[IncludeSpec] | None],
    *,
    above: int = 0,
) -> Problems:
    """What is wrong with ``own_name`` including ``includes``, given every other dictionary's
    includes (``includes_of(normalized name)``: None when there is no such live dictionary):
    a layer that does not exist, a cycle back to the dictionary, or a chain deeper than
    MAX_LAYER_DEPTH, counting the ``above`` levels of dictionaries that include ``own_name``
    (``includer_depth``). Keyed ``includes[i].name``."""
    errors: Problems = {}
    own = own_name.lower()
    for index, include in enumerate(includes):
        path = f"includes[{index}].name"
        if includes_of(include.name.lower()) is None:
            message = "no dictionary named %(name)s in this organization"
            errors[path] = [problem(message, "missing", name=include.name)]
            continue
        cycle, depth = _walk(own, include.name.lower(), includes_of)
        depth += above
        if cycle:
            message = "%(name)s includes %(own)s already (through %(path)s): that is a cycle"
            chain = " < ".join(cycle)
            errors[path] = [problem(message, "cycle", name=include.name, own=own_name, path=chain)]
        elif depth > MAX_LAYER_DEPTH:
            message = "layers may nest at most %(limit)s deep; through %(name)s they nest %(got)s"
            if above:
                message += " (counting the dictionaries that include %(own)s)"
            found = {"limit": MAX_LAYER_DEPTH, "name": include.name, "got": depth, "own": own_name}
            errors[path] = [problem(message, "too_deep", **found)]
    return errors


def _walk(
    own: str, start: str, includes_of: Callable[[str], Sequence[IncludeSpec] | None]
) -> tuple[list[str], int]:
    """From layer ``start`` down: the path back to ``own`` if there is one (a cycle), and the
    depth of the deepest chain (``own`` including ``start`` is depth 1)."""
    deepest = 1
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    while stack:
        name, path = stack.pop()
        deepest = max(deepest, len(path))
        if len(path) > MAX_LAYER_DEPTH + 1:
            continue  # deep enough to refuse; a cycle beyond would loop forever
        for layer in includes_of(name) or ():
            key = layer.name.lower()
            if key == own:
                return [*path, key], deepest
            if key not in path:
                stack.append((key, [*path, key]))
    return [], deepest


def includer_depth(own_name: str, graph: Mapping[str, Sequence[IncludeSpec]]) -> int:
    """How many levels of dictionaries include ``own_name`` (0: none include it), along the
    longest chain of ``graph`` (each dictionary's includes by normalized name): a layer that
    takes new includes deepens every chain above it too. Level by level (a chain of n levels
    exists while level n is not empty), so each level costs one pass over the includes;
    stops past MAX_LAYER_DEPTH, deep enough to refuse."""
    includers: dict[str, set[str]] = {}
    for name, includes in graph.items():
        for include in includes:
            includers.setdefault(include.name.lower(), set()).add(name)
    level, depth = {own_name.lower()}, 0
    while depth <= MAX_LAYER_DEPTH:
        level = {up for name in level for up in includers.get(name, ())}
        if not level:
            break
        depth += 1
    return depth
