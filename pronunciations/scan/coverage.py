"""What the dictionaries' rules do in a scan's texts, read through the rewrite engine.

For each finding: which dictionary has a rule that fires on it and what it becomes, a rule
for it that never fires there, an IPA rule (stored only), or no rule. For each rewrite rule:
how often it fires, whether it is dead (never fires), where it fires inside a longer term or on
another spelling where it was not meant (``US`` on "us", ``NET`` in ".NET"), whether a heteronym
rule fires in both senses, and where its match spans two turns (a streaming client sends them
apart, so the rule does not fire).
"""

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from pronunciations import engine
from pronunciations.scan import tokens as tk
from pronunciations.scan.findings import Finding, Occurrence, snippet
from pronunciations.scan.heteronyms import heteronyms, reading_of

MAX_RULE_EXAMPLES = 3
_JOINERS = frozenset("-./+&#@_'’")
_BOUNDARY_CONTEXT = 128


@dataclass(frozen=True)
class Rules:
    """One dictionary as the scan sees it: its name, compiled rewrite rules and IPA rules."""

    name: str
    rewrite: engine.Matcher
    ipa: engine.Matcher


@dataclass
class RuleUse:
    """What one rewrite rule did in the texts."""

    dictionary: str
    match: str
    replace: str
    fires: int = 0
    examples: list[tuple[str, str, str]] = field(default_factory=list)
    inside: list[tuple[str, str, str]] = field(default_factory=list)
    inside_count: int = 0
    senses: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    split: list[tuple[str, str, str]] = field(default_factory=list)
    split_count: int = 0

    @property
    def may_split(self) -> bool:
        return " " in self.match.strip() or tk.is_punctuated(self.match)


@dataclass(frozen=True)
class Cover:
    """One dictionary's answer for one finding: ``state`` is ``fires``, ``not_firing``,
    ``ipa`` (an IPA rule, stored only) or ``none``."""

    dictionary: str
    state: str
    match: str = ""
    becomes: str = ""
    fires: int = 0


def _unmeant(turn: str, item: engine.Applied) -> bool:
    """A firing where the rule was not meant: glued by punctuation to a longer term, or on a
    spelling whose case differs from a rule written with capitals (``US`` on "us")."""
    before = turn[item.start - 1] if item.start > 0 else " "
    after = turn[item.end] if item.end < len(turn) else " "
    glued_left = before in _JOINERS  # ".NET", "Wi-Fi": nothing but a term starts that way
    glued_right = after in _JOINERS and item.end + 1 < len(turn) and turn[item.end + 1].isalnum()
    written = turn[item.start : item.end]
    case_differs = any(c.isupper() for c in item.match) and written != item.match
    return glued_left or glued_right or (case_differs and written.islower())


class _Fired:
    """One dictionary's firings over all turns: spans by turn, for finding lookups."""

    def __init__(self, rules: Rules, turns: Sequence[str], language: str) -> None:
        self.rules = rules
        self.uses = [RuleUse(rules.name, r.match, r.replace) for r in rules.rewrite.rules]
        self.spans: dict[int, list[engine.Applied]] = {}
        words = heteronyms(language)
        for index, turn in enumerate(turns):
            applied = rules.rewrite.rewrite(turn).applied
            if applied:
                self.spans[index] = list(applied)
            for item in applied:
                self._count(turn, item, words)
        self._splits(turns)

    def _count(self, turn: str, item: engine.Applied, words: dict) -> None:
        use = self.uses[item.index]
        use.fires += 1
        example = snippet(turn, item.start, item.end)
        if len(use.examples) < MAX_RULE_EXAMPLES:
            use.examples.append(example)
        if _unmeant(turn, item):
            use.inside_count += 1
            if len(use.inside) < MAX_RULE_EXAMPLES:
                use.inside.append(example)
        readings = words.get(engine.rule_key(item.match))
        if readings:
            before = turn[: item.start].split()[-1:] or [""]
            after = turn[item.end :].split()[:1] or [""]
            sense = reading_of(readings, before[0].lower().strip(".,;:!?\"'"), after[0].lower())
            if sense is not None:
                use.senses.setdefault(sense, example)

    def _splits(self, turns: Sequence[str]) -> None:
        """Matches of multi-word or punctuated rules that span the end of one turn and the
        start of the next (only those rules can)."""
        which = [i for i, use in enumerate(self.uses) if use.may_split]
        if not which:
            return
        matcher = engine.Matcher([self.rules.rewrite.rules[i] for i in which])
        for index in range(len(turns) - 1):
            tail = turns[index][-_BOUNDARY_CONTEXT:]
            joined = f"{tail} {turns[index + 1][:_BOUNDARY_CONTEXT]}"
            for item in matcher.rewrite(joined).applied:
                if item.start < len(tail) < item.end:
                    use = self.uses[which[item.index]]
                    use.split_count += 1
                    if len(use.split) < MAX_RULE_EXAMPLES:
                        use.split.append(snippet(joined, item.start, item.end))

    def firing_on(self, occurrence: Occurrence) -> engine.Applied | None:
        spans = self.spans.get(occurrence.turn, [])
        at = bisect_right([item.start for item in spans], occurrence.start) - 1
        if at >= 0 and spans[at].end >= occurrence.end:
            return spans[at]
        return None


def _cover(fired: _Fired, finding: Finding) -> Cover:
    name = fired.rules.name
    hits = [h for o in finding.occurrences if (h := fired.firing_on(o)) is not None]
    if hits:
        top = max(set(hits), key=hits.count)
        return Cover(name, "fires", top.match, top.replace, len(hits))
    for rule in fired.rules.rewrite.rules:
        if engine.rule_key(rule.match) == finding.key:
            return Cover(name, "not_firing", rule.match, rule.replace, 0)
    ipa = fired.rules.ipa.rewrite(finding.text).applied
    if ipa and ipa[0].start == 0 and ipa[0].end == len(finding.text):
        return Cover(name, "ipa", ipa[0].match, ipa[0].replace, 0)
    return Cover(name, "none")


@dataclass
class Coverage:
    covers: dict[str, list[Cover]]  # finding key → one Cover per dictionary
    rules: list[RuleUse]


def coverage(
    findings: Sequence[Finding], turns: Sequence[str], dictionaries: Sequence[Rules], language: str
) -> Coverage:
    """Each finding's cover in each dictionary, and every rewrite rule's use, in one pass of
    the engine over the texts per dictionary."""
    covers: dict[str, list[Cover]] = {finding.key: [] for finding in findings}
    uses: list[RuleUse] = []
    for rules in dictionaries:
        fired = _Fired(rules, turns, language)
        for finding in findings:
            covers[finding.key].append(_cover(fired, finding))
        uses += fired.uses
    return Coverage(covers, uses)
