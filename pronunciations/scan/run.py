"""One scan from turns to its answer: findings ranked, each with examples, coverage and a
suggested rule, and what every rule does in the texts. No database: the caller passes the
dictionaries' compiled rules."""

from collections.abc import Sequence
from typing import Any

from pronunciations import espeak
from pronunciations.scan import findings as fd
from pronunciations.scan.coverage import Cover, Coverage, Rules, RuleUse, coverage
from pronunciations.scan.frequency import zipf_for
from pronunciations.scan.suggest import suggestion_for

MAX_FINDINGS = 500  # listed; the rest are counted in findings_not_listed
MAX_IPA = 200  # suggestions voiced by espeak-ng (the top findings)


def _no_frequency(word: str) -> float:
    """Without a frequency table no word counts as rare (the answer's notes say so)."""
    return 99.0


def _example(parts: tuple[str, str, str]) -> dict[str, str]:
    return {"before": parts[0], "text": parts[1], "after": parts[2]}


def _cover_wire(cover: Cover) -> dict[str, Any]:
    return {
        "dictionary": cover.dictionary,
        "state": cover.state,
        "match": cover.match or None,
        "becomes": cover.becomes or None,
        "fires": cover.fires,
    }


def _finding_wire(
    finding: fd.Finding, turns: Sequence[str], covers: list[Cover], ipa: str | None
) -> dict[str, Any]:
    suggestion = suggestion_for(finding)
    wire: dict[str, Any] = {
        "text": finding.text,
        "key": finding.key,
        "reasons": [reason for reason in fd.REASONS if reason in finding.reasons],
        "count": finding.count,
        "score": round(finding.score, 1),
        "examples": [_example(e) for e in fd.examples(finding, turns)],
        "coverage": [_cover_wire(cover) for cover in covers],
        "covered": any(cover.state in ("fires", "ipa") for cover in covers),
        "suggestion": {
            "mode": suggestion.mode,
            "match": suggestion.match,
            "replace": suggestion.replace or ipa or "",
            "ipa": ipa,
            "note": suggestion.note,
            "checks": list(suggestion.checks),
        },
        "readings": [],
    }
    if finding.readings:
        counts = dict.fromkeys(range(len(finding.readings)), 0)
        for index, _ in fd.heteronym_senses(finding):
            counts[index] += 1
        wire["readings"] = [
            {"sense": r.sense, "ipa": r.ipa, "count": counts[i]}
            for i, r in enumerate(finding.readings)
        ]
    return wire


def _rule_wire(use: RuleUse, language: str) -> dict[str, Any]:
    senses = sorted(use.senses.items())
    return {
        "dictionary": use.dictionary,
        "match": use.match,
        "replace": use.replace,
        "fires": use.fires,
        "dead": use.fires == 0,
        "examples": [_example(e) for e in use.examples],
        "inside": {"count": use.inside_count, "examples": [_example(e) for e in use.inside]},
        "both_senses": len(senses) > 1,
        "senses": [{"reading": index, "example": _example(e)} for index, e in senses],
        "may_split": use.may_split,
        "split": {"count": use.split_count, "examples": [_example(e) for e in use.split]},
    }


def _ipa(listed: list[fd.Finding], language: str) -> list[str | None]:
    """espeak-ng's IPA of each top finding's suggested reading: one run for all."""
    top = listed[:MAX_IPA]
    texts = []
    for finding in top:
        suggestion = suggestion_for(finding)
        texts.append(suggestion.replace or finding.text)
    answers = espeak.ipa_many(texts, language) or [None] * len(top)
    return answers + [None] * (len(listed) - len(top))


def lexicon_notes(known: dict[str, bool] | None, asked: int, has_frequency: bool) -> list[str]:
    notes = []
    if not has_frequency:
        notes.append("No word frequencies for this language: rare words are not found.")
    if known is None and asked:
        notes.append(
            "espeak-ng is not installed or did not answer: rare words are reported without "
            "checking its lexicon (reason “rare” without “unknown”), and there is no IPA."
        )
    return notes


def scan(
    turns: Sequence[str],
    language: str,
    dictionaries: Sequence[Rules] = (),
    progress: fd.Progress | None = None,
) -> dict[str, Any]:
    """Scan ``turns`` in ``language`` against ``dictionaries``: the answer's body (less its
    id). espeak-ng runs once for the rare words' lexicon check and once for the IPA."""
    frequency = zipf_for(language)
    collector = fd.collect(turns, language, frequency or _no_frequency, progress, len(turns))
    asked = sorted(collector.rare_words)
    if progress:
        progress("lexicon", len(turns), len(turns))
    known = espeak.lexicon_known(asked, language) if asked else {}
    ranked = collector.settle(known)
    listed = ranked[:MAX_FINDINGS]
    if progress:
        progress("coverage", len(turns), len(turns))
    used: Coverage = coverage(listed, turns, dictionaries, language)
    ipa = _ipa(listed, language)
    wires = [
        _finding_wire(finding, turns, used.covers[finding.key], ipa[i])
        for i, finding in enumerate(listed)
    ]
    rules = [_rule_wire(use, language) for use in used.rules]
    return {
        "language": language,
        "dictionaries": [d.name for d in dictionaries],
        "turns": len(turns),
        "words": collector.words,
        "notes": lexicon_notes(known, len(asked), frequency is not None),
        "espeak": espeak.binary() is not None,
        "summary": {
            "findings": len(ranked),
            "uncovered": sum(not wire["covered"] for wire in wires),
            "dead_rules": sum(rule["dead"] for rule in rules),
        },
        "findings": wires,
        "findings_not_listed": len(ranked) - len(listed),
        "rules": rules,
    }
