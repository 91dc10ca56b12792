"""Scans for an organization: its dictionaries (named ones, or all), the language, the limits,
and adding a finding's rule through the one write path."""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from orgs.actors import UNKNOWN, Actor
from orgs.ids import new_scan_id
from orgs.models import Organization
from pronunciations import selectors, services, validation, where
from pronunciations.models import Dictionary, Mode, ReviewState, Source
from pronunciations.scan import findings as fd
from pronunciations.scan.coverage import Rules
from pronunciations.scan.run import scan
from pronunciations.scan.texts import ScanTooLarge, TextLimits, read_turns
from pronunciations.validation.language import language_tag_problems
from pronunciations.validation.one_rule import RuleInput, validate_rule

DEFAULT_LANGUAGE = "en-US"


def scan_limits() -> TextLimits:
    return TextLimits(
        max_bytes=settings.LEXICON_SCAN_MAX_BYTES,
        max_rows=settings.LEXICON_SCAN_MAX_ROWS,
        max_depth=settings.LEXICON_MAX_JSON_DEPTH,
    )


def scan_turns(*, data: bytes, file_format: str) -> list[str]:
    """The turns of a pasted text or an uploaded file, bounded (see pronunciations.scan.texts)."""
    return read_turns(data, file_format, scan_limits())


def scan_dictionaries(*, organization: Organization, names: Sequence[str]) -> list[Dictionary]:
    """The organization's dictionaries named (each must exist: another organization's name is
    not found), or all of them when none is named; at most LEXICON_SCAN_MAX_DICTIONARIES."""
    limit = settings.LEXICON_SCAN_MAX_DICTIONARIES
    if len(names) > limit:
        raise ValidationError({"dictionaries": [f"at most {limit} dictionaries per scan"]})
    if names:
        return [selectors.dictionary_get(organization=organization, name=n) for n in names]
    found = list(selectors.dictionary_list(organization=organization)[: limit + 1])
    if len(found) > limit:
        raise ValidationError(
            {"dictionaries": [f"the organization has more than {limit}: name the ones to use"]}
        )
    return found


def scan_language(requested: object, dictionaries: Sequence[Dictionary]) -> str:
    """The language asked for (a BCP 47 tag), else the first dictionary's
    ``metadata.language``, else en-US."""
    if requested not in (None, ""):
        if not isinstance(requested, str) or language_tag_problems(requested):
            raise ValidationError({"language": ["must be a BCP 47 language tag such as en-US"]})
        return requested
    for dictionary in dictionaries:
        language = dictionary.metadata.get("language")
        if isinstance(language, str) and not language_tag_problems(language):
            return language
    return DEFAULT_LANGUAGE


def _rules(dictionaries: Sequence[Dictionary]) -> list[Rules]:
    compiled = where.served_matchers(dictionaries)
    return [Rules(d.name, *compiled[d.pk]) for d in dictionaries]


def scan_run(
    *,
    organization: Organization,
    turns: Sequence[str],
    language: object = None,
    names: Sequence[str] = (),
    scan_id: str | None = None,
    progress: fd.Progress | None = None,
) -> dict[str, Any]:
    """Scan the turns against the organization's dictionaries: the answer's body."""
    if not turns:
        raise ValidationError({"text": ["there is no text to scan"]})
    dictionaries = scan_dictionaries(organization=organization, names=names)
    chosen = scan_language(language, dictionaries)
    body = scan(turns, chosen, _rules(dictionaries), progress)
    return {"id": scan_id or new_scan_id(), **body}


def scan_rule_add(
    *,
    organization: Organization,
    dictionary: str,
    mode: object,
    match: object,
    replace: object,
    scan_id: str,
    author: Actor = UNKNOWN,
    source: str = Source.API,
) -> tuple[services.RulePut, bool]:
    """Add a finding's rule to one of the organization's dictionaries through the one write
    path (a proposal when the organization reviews changes), its comment naming the scan.
    Answers what was written and whether it awaits review."""
    chosen = Mode(str(mode)) if mode in Mode.values else None
    if chosen is None:
        raise ValidationError({"mode": ["must be rewrite or ipa"]})
    scan_ref = str(scan_id)[:40]
    body = {
        "match": match,
        validation.VALUE_FIELD[chosen]: replace,
        "comment": f"added from scan {scan_ref}: {str(match)[:120]}",
        "disabled": False,  # a finding's rule is added to be spoken
    }
    rule: RuleInput = validate_rule(chosen, str(match), body)
    put = services.rule_put(
        organization=organization,
        name=dictionary,
        mode=chosen,
        match=str(match),
        rule=rule,
        author=author,
        source=source,
    )
    latest = put.dictionary.revisions.order_by("-number").values_list("review_state", flat=True)
    return put, latest.first() == ReviewState.PROPOSED


__all__ = ["ScanTooLarge", "scan_run", "scan_rule_add", "scan_turns"]
