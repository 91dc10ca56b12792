"""Every write to dictionaries. Services validate again (they never trust their caller).

Each change bumps ``Dictionary.revision``, records one immutable Revision and, after commit,
sends ``dictionary_changed``. Writes that take ``if_match`` lock the row first, so two
concurrent writers with the same ETag cannot both succeed.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from orgs.actors import UNKNOWN, Actor
from orgs.models import Organization
from pronunciations import selectors, validation
from pronunciations.content import content_hash, current_wire
from pronunciations.errors import (
    DeletedDictionaryNotFound,
    DictionaryConflict,
    DictionaryNotFound,
    PreconditionFailed,
    RevisionNotFound,
)
from pronunciations.models import Action, Dictionary, Source
from pronunciations.store import Write, announce, is_unchanged, record, revision_for, store
from pronunciations.validation import DictionaryInput

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
) -> Dictionary:
    """Validate and store a new dictionary (revision 1) by ``created_by``; raises
    ValidationError or Conflict."""
    clean = validation.validate_dictionary({"name": name, "modes": modes, "metadata": metadata})
    comment = validation.validate_comment(comment)
    dictionary = Dictionary(
        organization=organization,
        name=clean.name,
        created_by_key_label=created_by.name if source == Source.API else "",
    )
    try:
        store([Write(dictionary, clean, Action.CREATE, source, created_by, comment)])
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
    dictionary: Dictionary, modes: object, metadata: object, *, partial: bool
) -> DictionaryInput:
    current = current_wire(dictionary)
    if modes is UNSET:
        modes = current if partial else None
    elif partial and isinstance(modes, Mapping):
        modes = {**current, **modes}
    if metadata is UNSET:
        metadata = dictionary.metadata if partial else None
    return validation.validate_dictionary(
        {"modes": modes, "metadata": metadata}, require_name=False
    )


def _apply(
    dictionary: Dictionary,
    clean: DictionaryInput,
    action: Action,
    source: str,
    author: Actor,
    comment: str,
) -> Dictionary:
    store([Write(dictionary, clean, action, source, author, comment)])
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
) -> Dictionary:
    """Replace (PUT) or patch (``partial``: given modes and metadata only) a dictionary.

    A change that leaves content and metadata as they are records nothing. Raises
    DictionaryNotFound, PreconditionFailed or ValidationError.
    """
    comment = validation.validate_comment(comment)
    with transaction.atomic():
        dictionary = _locked(organization, name, if_match)
        clean = _next_input(dictionary, modes, metadata, partial=partial)
        if is_unchanged(dictionary, content_hash(clean.modes), clean.metadata):
            return dictionary
        return _apply(dictionary, clean, Action.UPDATE, source, author, comment)


def dictionary_revision_restore(
    *,
    organization: Organization,
    name: str,
    number: int,
    if_match: str | None = None,
    author: Actor = UNKNOWN,
    comment: str = "",
) -> Dictionary:
    """Make a new revision whose content and metadata equal revision ``number``."""
    comment = validation.validate_comment(comment)
    with transaction.atomic():
        dictionary = _locked(organization, name, if_match)
        revision = dictionary.revisions.filter(number=number).first()
        if revision is None:
            raise RevisionNotFound(dictionary.name, number)
        clean = validation.validate_dictionary(revision.snapshot, require_name=False)
        note = comment or f"restored revision {number}"
        return _apply(dictionary, clean, Action.UPDATE, Source.RESTORE, author, note)


def dictionary_delete(
    *,
    organization: Organization,
    name: str,
    if_match: str | None = None,
    author: Actor = UNKNOWN,
    source: str = Source.API,
) -> Dictionary:
    """Delete by name: it disappears from list and get, its rules and revisions are kept."""
    with transaction.atomic():
        dictionary = _locked(organization, name, if_match)
        wire = current_wire(dictionary)
        dictionary.revision += 1
        dictionary.deleted_at = dictionary.updated_at = timezone.now()
        dictionary.save(update_fields=["revision", "deleted_at", "updated_at"])
        record([revision_for(dictionary, Action.DELETE, source, author, "", wire)])
    announce(dictionary, "deleted")
    return dictionary


def dictionary_undelete(
    *, organization: Organization, dictionary_id: str, author: Actor = UNKNOWN
) -> Dictionary:
    """Bring a deleted dictionary back under its name; raises DictionaryConflict if taken."""
    with transaction.atomic():
        dictionary = (
            Dictionary.objects.select_for_update()
            .filter(organization=organization, public_id=dictionary_id, deleted_at__isnull=False)
            .first()
        )
        if dictionary is None:
            raise DeletedDictionaryNotFound(dictionary_id)
        if _name_taken(organization, dictionary.name):
            raise DictionaryConflict(dictionary.name)
        wire = current_wire(dictionary)
        dictionary.revision += 1
        dictionary.deleted_at = None
        dictionary.updated_at = timezone.now()
        try:
            with transaction.atomic():
                dictionary.save(update_fields=["revision", "deleted_at", "updated_at"])
        except IntegrityError as exc:  # the name was taken between the check and the save
            raise DictionaryConflict(dictionary.name) from exc
        record([revision_for(dictionary, Action.UNDELETE, Source.RESTORE, author, "", wire)])
    announce(dictionary, "created")
    return dictionary


def deleted_dictionaries_purge(*, older_than: datetime) -> int:
    """Remove deleted dictionaries (with rules and revisions) deleted before ``older_than``."""
    doomed = Dictionary.objects.filter(deleted_at__lt=older_than)
    count = doomed.count()
    doomed.delete()
    return count
