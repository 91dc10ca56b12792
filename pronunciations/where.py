"""Where is this word? For one text, each dictionary's answer: what SLNG would send, which rule
fired where, and which other rules matched the same text but lost, and why.

It reads through the rewrite engine (``pronunciations.engine``), so it answers with SLNG's
semantics: case-insensitive, whole words, longest match first, left to right, replacements never
read again. IPA rules are looked up the same way and reported as stored only (SLNG does not apply
them today). Compiled rules are shared with the preview's cache, keyed by content hash: a
dictionary whose matchers are cached is answered without reading its rules.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from orgs.scoping import restrict
from pronunciations import engine, layers
from pronunciations.content import current_wires, wire_hash
from pronunciations.models import Dictionary, Include, Mode
from pronunciations.near import Near, NearIndex, spelling_key
from pronunciations.selectors import WITHIN_SCOPED
from pronunciations.validation import VALUE_FIELD, match_key

# Rule occurrences looked at per dictionary: the page lists at most this many.
MAX_HITS = 50
APPLIED, LONGER, COVERED, BOUNDARY, STORED = "applied", "longer", "covered", "boundary", "stored"


@dataclass(frozen=True)
class Hit:
    """One rule found in the text: where (``start``/``end``), and how it fared (``outcome``)."""

    mode: Mode
    match: str
    value: str
    start: int
    end: int
    outcome: str
    reason: str
    layer: str = ""  # the layer the rule comes from ("" : the dictionary's own)


@dataclass(frozen=True)
class Answer:
    """One dictionary's answer: the text SLNG would send, and every rule found in the text."""

    dictionary: Dictionary
    result: engine.RewriteResult
    hits: tuple[Hit, ...]
    matchers: tuple[engine.Matcher, engine.Matcher]  # its rewrite and IPA rules

    @property
    def fired(self) -> bool:
        return bool(self.result.applied)


def _ipa_key(content_hash: str) -> str:
    return f"ipa:{content_hash}"


def _rules(wire: dict[str, object], mode: Mode) -> list[engine.Rule]:
    field = VALUE_FIELD[mode]
    rules = wire.get(mode.value, {})
    listed = rules.get("rules", []) if isinstance(rules, dict) else []
    return [engine.Rule(rule["match"], rule[field]) for rule in listed if not rule.get("disabled")]


def _flattened(
    dictionaries: Sequence[Dictionary],
) -> tuple[dict[int, tuple[engine.Matcher, ...]], dict[int, dict[str, str]]]:
    """The compiled rules of the dictionaries that include layers, flattened (what their
    targets receive), and for each which layer each match comes from (by comparison key)."""
    included = set(
        restrict(Include, WITHIN_SCOPED)
        .filter(dictionary__in=dictionaries)
        .values_list("dictionary_id", flat=True)
    )
    found: dict[int, tuple[engine.Matcher, ...]] = {}
    origins: dict[int, dict[str, str]] = {}
    for dictionary in dictionaries:
        if dictionary.pk not in included:
            continue
        flat = layers.current_flat(dictionary)
        wire, key = flat.wire, wire_hash(flat.wire)
        found[dictionary.pk] = (
            engine.matcher_for(key, _rules(wire, Mode.REWRITE)),
            engine.matcher_for(_ipa_key(key), _rules(wire, Mode.IPA)),
        )
        origins[dictionary.pk] = {
            match_key(r.rule.match): r.layer for r in flat.rules if r.layer != dictionary.name
        }
    return found, origins


def matchers(dictionaries: Sequence[Dictionary]) -> dict[int, tuple[engine.Matcher, ...]]:
    """Each dictionary's compiled rewrite and IPA rules, by primary key: from the cache, and
    for the others from their current snapshots, read in one query."""
    found: dict[int, tuple[engine.Matcher, ...]] = {}
    missing = []
    for dictionary in dictionaries:
        rewrite = engine.matcher_cached(dictionary.content_hash)
        ipa = engine.matcher_cached(_ipa_key(dictionary.content_hash))
        if rewrite is None or ipa is None:
            missing.append(dictionary)
        else:
            found[dictionary.pk] = (rewrite, ipa)
    wires = current_wires(missing) if missing else {}
    for dictionary in missing:
        wire = wires.get(dictionary.pk, {})
        found[dictionary.pk] = (
            engine.matcher_for(dictionary.content_hash, _rules(wire, Mode.REWRITE)),
            engine.matcher_for(_ipa_key(dictionary.content_hash), _rules(wire, Mode.IPA)),
        )
    return found


def _covering(result: engine.RewriteResult, at: int) -> engine.Applied | None:
    return next((item for item in result.applied if item.start <= at < item.end), None)


def _boundary_reason(text: str, found: engine.Candidate) -> str:
    if not found.left_ok:
        return (
            f"“{text[found.start - 1]}” is written right before it here, so it is part of a "
            "longer word: rules match whole words only"
        )
    return (
        f"“{text[found.end]}” follows it here, so it is part of a longer word: rules match "
        "whole words only"
    )


def _outcome(text: str, result: engine.RewriteResult, found: engine.Candidate) -> tuple[str, str]:
    winner = _covering(result, found.start)
    if winner and (winner.index, winner.start, winner.end) == (found.index, found.start, found.end):
        return APPLIED, "applied: SLNG sends the replacement instead of this text"
    if not (found.left_ok and found.right_ok):
        return BOUNDARY, _boundary_reason(text, found)
    if winner is not None and winner.start == found.start:
        return LONGER, f"“{winner.match}” also starts here and is longer: the longest match wins"
    if winner is not None:
        return COVERED, (
            f"this text is already part of “{winner.match}”, which starts earlier: text is read "
            "left to right, and replaced text is not read again"
        )
    return COVERED, "another rule matched here first"


def explain(
    text: str, result: engine.RewriteResult, rewrite: engine.Matcher, ipa: engine.Matcher
) -> tuple[Hit, ...]:
    """Every rewrite rule found in ``text`` with its outcome (``result`` is the rewrite of
    ``text``), then the IPA rules that match it; at most MAX_HITS, in text order per mode."""
    hits = []
    for found in rewrite.candidates(text, limit=MAX_HITS):
        rule = rewrite.rules[found.index]
        outcome, reason = _outcome(text, result, found)
        hits.append(
            Hit(Mode.REWRITE, rule.match, rule.replace, found.start, found.end, outcome, reason)
        )
    stored = "IPA rules are stored with the dictionary; SLNG does not apply them today"
    for item in ipa.rewrite(text).applied[: max(MAX_HITS - len(hits), 0)]:
        hits.append(Hit(Mode.IPA, item.match, item.replace, item.start, item.end, STORED, stored))
    return tuple(hits)


def served_matchers(dictionaries: Sequence[Dictionary]) -> dict[int, tuple[engine.Matcher, ...]]:
    """``matchers``, with each dictionary that includes layers flattened (what its targets
    receive): what a scan covers a text with."""
    flattened, _ = _flattened(dictionaries)
    return {**matchers([d for d in dictionaries if d.pk not in flattened]), **flattened}


def answers(dictionaries: Sequence[Dictionary], text: str) -> list[Answer]:
    """Each dictionary's answer for ``text``, in the order given: a dictionary that includes
    layers answers flattened, each hit naming the layer its rule comes from."""
    flattened, origins = _flattened(dictionaries)
    compiled = {**matchers([d for d in dictionaries if d.pk not in flattened]), **flattened}
    found = []
    for dictionary in dictionaries:
        rewrite, ipa = compiled[dictionary.pk]
        result = rewrite.rewrite(text)
        hits = explain(text, result, rewrite, ipa)
        if origin := origins.get(dictionary.pk):
            hits = tuple(replace(hit, layer=origin.get(match_key(hit.match), "")) for hit in hits)
        found.append(Answer(dictionary, result, hits, (rewrite, ipa)))
    return found


@dataclass(frozen=True)
class NearRule:
    """A rule of a dictionary, offered as "did you mean"."""

    dictionary: Dictionary
    mode: Mode
    match: str
    value: str


def near_rules(answers: Sequence[Answer], text: str) -> list[Near[NearRule]]:
    """Rules of the answers' dictionaries whose match is written almost like part of ``text``
    (pronunciations.near), leaving out those the text already finds as they are."""

    def entries() -> Iterator[tuple[str, NearRule]]:
        for answer in answers:
            hit = {(h.mode, engine.rule_key(h.match)) for h in answer.hits}
            for mode, matcher in zip((Mode.REWRITE, Mode.IPA), answer.matchers, strict=True):
                for rule in matcher.rules:
                    if (mode, engine.rule_key(rule.match)) not in hit:
                        near = NearRule(answer.dictionary, mode, rule.match, rule.replace)
                        yield rule.match, near

    found = frozenset(
        spelling_key(text[hit.start : hit.end]) for answer in answers for hit in answer.hits
    )
    return NearIndex(entries()).near(text, found)


def marked(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``text`` cut into pieces, each marked or not, marking the given (sorted, disjoint) spans."""
    pieces, at = [], 0
    for start, end in spans:
        pieces += [(text[at:start], False), (text[start:end], True)]
        at = end
    pieces.append((text[at:], False))
    return [piece for piece in pieces if piece[0]]


def snippet(text: str, start: int, end: int, context: int = 24) -> tuple[str, str, str]:
    """The text around [start, end): what comes before, the span itself, what comes after."""
    before, after = text[max(start - context, 0) : start], text[end : end + context]
    return (
        ("…" if start > context else "") + before,
        text[start:end],
        after + ("…" if end + context < len(text) else ""),
    )
