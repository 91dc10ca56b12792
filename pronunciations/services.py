"""Every write to dictionaries. Services validate again (they never trust their caller).

Each change bumps ``Dictionary.revision``, records one immutable Revision and, after commit,
sends ``dictionary_changed``. Writes that take ``if_match`` lock the row first, so two
concurrent writers with the same ETag cannot both succeed.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from orgs.actors import UNKNOWN, Actor
from orgs.models import Organization
from orgs.scoping import restrict
from pronunciations import layer_graph, layers, selectors, validation
from pronunciations.checks import current_checks
from pronunciations.content import (
    content_hash,
    current_modes,
    current_wire,
    modes_to_wire,
    rule_index,
    with_disabled_kept,
)
from pronunciations.errors import (
    DeletedDictionaryNotFound,
    DictionaryConflict,
    DictionaryNotFound,
    LayerInUse,
    PreconditionFailed,
    RevisionNotFound,
    RuleNotFound,
)
from pronunciations.models import Action, Dictionary, Mode, Source
from pronunciations.store import (
    Write,
    announce,
    is_unchanged,
    record,
    revision_for,
    room_check,
    store,
    with_checks,
)
from pronunciations.validation import Check, DictionaryInput, Modes, RuleSpec
from pronunciations.validation.one_rule import RuleInput, validate_rule_position

# Lexicon reading on its own account (orgs.scoping: every organization).
SERVICES = Actor.system("dictionary services")

UNSET: Any = object()


def _name_taken(organization: Organization, name: str) -> bool:
    return selectors.dictionary_named(organization=organization, name=name).exists()


def dictionary_create(
    *,
    organization: Organization,
    name: object,
    modes: object,
    metadata: object = None,
    created_by: Actor = UNKNOWN,
    source: str = Source.API,
    comment: str = "",
    checks: object = None,
    includes: object = None,
    layer_only: object = False,
) -> Dictionary:
    """Validate and store a new dictionary (revision 1) by ``created_by``, with its checks and
    layers (``includes``, ``layer_only``: pronunciations.layers) if given; raises
    ValidationError or Conflict."""
    body = {"name": name, "modes": modes, "metadata": metadata}
    clean = validation.validate_dictionary(
        {**body, "includes": includes or [], "layer_only": layer_only}
    )
    new_checks = validation.validate_checks(checks)
    comment = validation.validate_comment(comment)
    dictionary = Dictionary(
        organization=organization,
        name=clean.name,
        created_by_key_label=created_by.name if source == Source.API else "",
    )
    write = Write(dictionary, clean, Action.CREATE, source, created_by, comment, checks=new_checks)
    try:
        store([write])
    except IntegrityError as exc:
        if _name_taken(organization, clean.name):
            raise DictionaryConflict(clean.name) from exc
        raise
    return dictionary


def etag_matches(if_match: str, etag: str) -> bool:
    """RFC 9110 strong comparison against a comma-separated If-Match list (``*`` matches)."""
    candidates = [candidate.strip() for candidate in if_match.split(",")]
    return "*" in candidates or etag in candidates


def _locked(organization: Organization, name: str, if_match: str | None) -> Dictionary:
    dictionary = (
        selectors.dictionary_named(organization=organization, name=name).select_for_update().first()
    )
    if dictionary is None:
        raise DictionaryNotFound(name)
    if if_match is not None and not etag_matches(if_match, dictionary.etag):
        raise PreconditionFailed(dictionary.name, dictionary.etag)
    return dictionary


def _next_input(
    dictionary: Dictionary,
    modes: object,
    metadata: object,
    *,
    partial: bool,
    layers: Mapping[str, object],
    keep_disabled: bool,
) -> DictionaryInput:
    """The validated next content. ``layers`` holds ``includes`` and ``layer_only`` when the
    caller gives them (kept otherwise); ``keep_disabled`` keeps the disabled rules the modes
    do not name (SLNG's clients never see them: their GET then PUT must not delete them)."""
    current = current_wire(dictionary)
    if modes is UNSET:
        modes = current if partial else None
    elif partial and isinstance(modes, Mapping):
        modes = {**current, **modes}
    if keep_disabled:
        modes = with_disabled_kept(current, modes)
    if metadata is UNSET:
        metadata = dictionary.metadata if partial else None
    return validation.validate_dictionary(
        {"modes": modes, "metadata": metadata, "name": dictionary.name, **layers},
        require_name=False,
    )


def _apply(
    dictionary: Dictionary,
    clean: DictionaryInput,
    action: Action,
    source: str,
    author: Actor,
    comment: str,
    checks: tuple[Check, ...] | None,
) -> Dictionary:
    store([Write(dictionary, clean, action, source, author, comment, checks=checks)])
    return dictionary


def dictionary_update(
    *,
    organization: Organization,
    name: str,
    modes: object = UNSET,
    metadata: object = UNSET,
    partial: bool = False,
    if_match: str | None = None,
    author: Actor = UNKNOWN,
    source: str = Source.API,
    comment: str = "",
    checks: object = UNSET,
    includes: object = UNSET,
    layer_only: object = UNSET,
    keep_disabled: bool = True,
) -> Dictionary:
    """Replace (PUT) or patch (``partial``: given modes and metadata only) a dictionary.

    ``checks`` replaces its checks, ``includes`` and ``layer_only`` its layers; left out, they
    are kept (PUT too: SLNG's clients know neither). So are disabled rules the modes do not
    name, unless ``keep_disabled`` is false (the admin's editor sends every rule). A change
    that leaves content, metadata, checks and layers as they are records nothing.
    Raises DictionaryNotFound, PreconditionFailed or ValidationError.
    """
    comment = validation.validate_comment(comment)
    new_checks = None if checks is UNSET else validation.validate_checks(checks)
    pairs = (("includes", includes), ("layer_only", layer_only))
    given = {key: value for key, value in pairs if value is not UNSET}
    with transaction.atomic():
        if includes is not UNSET and includes:  # the graph before the row, as a delete does
            layer_graph.lock_graph(organization.pk)
        dictionary = _locked(organization, name, if_match)
        clean = _next_input(
            dictionary,
            modes,
            metadata,
            partial=partial,
            layers=given,
            keep_disabled=keep_disabled,
        )
        if is_unchanged(
            dictionary, content_hash(clean.modes), clean.metadata, new_checks, content=clean
        ):
            return dictionary
        return _apply(dictionary, clean, Action.UPDATE, source, author, comment, new_checks)


@dataclass(frozen=True)
class RulePut:
    """What a PUT of one rule did: the dictionary as it now is, the rule and its position."""

    dictionary: Dictionary
    rule: RuleSpec
    position: int
    created: bool


def _rules_of(
    dictionary: Dictionary, mode: Mode, match: str
) -> tuple[Modes, list[RuleSpec], int | None]:
    """The dictionary's modes, ``mode``'s rules and where the rule with ``match``'s comparison
    key is among them (None: not there)."""
    modes = current_modes(dictionary)
    rules = list(modes.get(mode, ()))
    return modes, rules, rule_index(rules, match)


def _with_rules(dictionary: Dictionary, modes: Modes) -> DictionaryInput:
    """The dictionary's next content: ``modes``, its metadata kept, validated whole."""
    return validation.validate_dictionary(
        {"modes": modes_to_wire(modes), "metadata": dictionary.metadata}, require_name=False
    )


def rule_put(
    *,
    organization: Organization,
    name: str,
    mode: Mode,
    match: str,
    rule: RuleInput,
    if_match: str | None = None,
    author: Actor = UNKNOWN,
    source: str = Source.API,
) -> RulePut:
    """Add the rule to ``mode`` (last, or at ``rule.position``), or change the rule whose match
    has ``match``'s comparison key (its value, spelling and, if given, position and whether it
    is off: a change that does not say keeps it off). One revision; none when nothing changes.
    Raises DictionaryNotFound, PreconditionFailed or ValidationError (a position out of range,
    the mode over its rule limit).
    """
    with transaction.atomic():
        dictionary = _locked(organization, name, if_match)
        modes, rules, index = _rules_of(dictionary, mode, match)
        old = None if index is None else rules.pop(index)
        spelled = match if old is None else old.match
        off = rule.disabled if rule.disabled is not None else old is not None and old.disabled
        spec = RuleSpec(match=rule.match or spelled, value=rule.value, disabled=off)
        last = len(rules)  # without the rule: where an added rule goes by default
        position = rule.position if rule.position is not None else index
        position = validate_rule_position(last if position is None else position, last=last)
        rules.insert(position, spec)
        clean = _with_rules(dictionary, {**modes, mode: tuple(rules)})
        if not is_unchanged(dictionary, content_hash(clean.modes), clean.metadata):
            verb = "added" if index is None else "changed"
            comment = rule.comment or f"{verb} {mode.value} rule {spec.match}"
            _apply(dictionary, clean, Action.UPDATE, source, author, comment, None)
    return RulePut(dictionary, spec, position, created=index is None)


def rule_delete(
    *,
    organization: Organization,
    name: str,
    mode: Mode,
    match: str,
    if_match: str | None = None,
    author: Actor = UNKNOWN,
    source: str = Source.API,
) -> Dictionary:
    """Remove the rule whose match has ``match``'s comparison key from ``mode``: one revision.
    Raises DictionaryNotFound, PreconditionFailed or RuleNotFound."""
    with transaction.atomic():
        dictionary = _locked(organization, name, if_match)
        modes, rules, index = _rules_of(dictionary, mode, match)
        if index is None:
            raise RuleNotFound(dictionary.name, mode.value, match)
        removed = rules.pop(index)
        clean = _with_rules(dictionary, {**modes, mode: tuple(rules)})
        comment = f"removed {mode.value} rule {removed.match}"
        return _apply(dictionary, clean, Action.UPDATE, source, author, comment, None)


def dictionary_revision_restore(
    *,
    organization: Organization,
    name: str,
    number: int,
    if_match: str | None = None,
    author: Actor = UNKNOWN,
    comment: str = "",
) -> Dictionary:
    """Make a new revision whose content, metadata and checks equal revision ``number``."""
    comment = validation.validate_comment(comment)
    with transaction.atomic():
        layer_graph.lock_graph(organization.pk)  # its includes may come back: before the row
        dictionary = _locked(organization, name, if_match)
        revision = dictionary.revisions.filter(number=number).first()
        if revision is None:
            raise RevisionNotFound(dictionary.name, number)
        snapshot = {"includes": [], "layer_only": False, **revision.snapshot}
        clean = validation.validate_dictionary(snapshot, require_name=False)
        old_checks = validation.validate_checks(revision.snapshot.get("checks"))
        note = comment or f"restored revision {number}"
        return _apply(dictionary, clean, Action.UPDATE, Source.RESTORE, author, note, old_checks)


def dictionary_delete(
    *,
    organization: Organization,
    name: str,
    if_match: str | None = None,
    author: Actor = UNKNOWN,
    source: str = Source.API,
) -> Dictionary:
    """Delete by name: it disappears from list and get, its rules and revisions are kept.
    Raises LayerInUse (409) while live dictionaries include it."""
    with transaction.atomic():
        layer_graph.lock_graph(organization.pk)  # no includer may take it up while it goes
        dictionary = _locked(organization, name, if_match)
        includers = layers.includers_of(organization.pk, dictionary.name)
        if includers:
            raise LayerInUse(dictionary.name, [d.name for d in includers])
        wire, kept = current_wire(dictionary), current_checks(dictionary)
        layered = layers.current_layered_of([dictionary]).get(dictionary.pk, layers.Layered())
        dictionary.revision += 1
        dictionary.deleted_at = dictionary.updated_at = timezone.now()
        dictionary.save(update_fields=["revision", "deleted_at", "updated_at"])
        revision = revision_for(dictionary, Action.DELETE, source, author, "", wire)
        record([with_checks(layer_graph.with_layers(revision, layered), kept)])
    announce(dictionary, "deleted")
    return dictionary


def dictionary_undelete(
    *, organization: Organization, dictionary_id: str, author: Actor = UNKNOWN
) -> Dictionary:
    """Bring a deleted dictionary back under its name; raises DictionaryConflict if taken,
    ValidationError when its includes no longer hold (``layer_graph.check_back``)."""
    with transaction.atomic():
        dictionary = (
            restrict(Dictionary, SERVICES)
            .select_for_update()
            .filter(organization=organization, public_id=dictionary_id, deleted_at__isnull=False)
            .first()
        )
        if dictionary is None:
            raise DeletedDictionaryNotFound(dictionary_id)
        if _name_taken(organization, dictionary.name):
            raise DictionaryConflict(dictionary.name)
        room_check(Counter({organization.pk: 1}))
        layered = layer_graph.check_back(dictionary)
        wire, kept = current_wire(dictionary), current_checks(dictionary)
        dictionary.revision += 1
        dictionary.deleted_at = None
        dictionary.updated_at = timezone.now()
        try:
            with transaction.atomic():
                dictionary.save(update_fields=["revision", "deleted_at", "updated_at"])
        except IntegrityError as exc:  # the name was taken between the check and the save
            raise DictionaryConflict(dictionary.name) from exc
        revision = revision_for(dictionary, Action.UNDELETE, Source.RESTORE, author, "", wire)
        record([with_checks(layer_graph.with_layers(revision, layered), kept)])
    announce(dictionary, "created")
    return dictionary


def deleted_dictionaries_purge(*, older_than: datetime) -> int:
    """Remove deleted dictionaries (with rules and revisions) deleted before ``older_than``."""
    doomed = restrict(Dictionary, SERVICES).filter(deleted_at__lt=older_than)
    count = doomed.count()
    doomed.delete()
    return count
