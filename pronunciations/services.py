"""Every write to dictionaries. Services validate again (they never trust their caller)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from orgs.models import Organization
from pronunciations import validation
from pronunciations.content import content_hash
from pronunciations.errors import DictionaryConflict, DictionaryNotFound
from pronunciations.models import Dictionary, Rule
from pronunciations.signals import dictionary_changed
from pronunciations.validation import Modes


def _announce(dictionary: Dictionary, change: str) -> None:
    organization_id, dictionary_id = dictionary.organization_id, dictionary.pk
    transaction.on_commit(
        lambda: dictionary_changed.send(
            sender=Dictionary,
            organization_id=organization_id,
            dictionary_id=dictionary_id,
            change=change,
        )
    )


def _rule_rows(dictionary: Dictionary, modes: Modes) -> list[Rule]:
    return [
        Rule(
            dictionary=dictionary, mode=mode, position=position, match=spec.match, value=spec.value
        )
        for mode, specs in modes.items()
        for position, spec in enumerate(specs)
    ]


def dictionary_create(
    *,
    organization: Organization,
    name: object,
    modes: object,
    metadata: object = None,
    created_by: str = "",
) -> Dictionary:
    """Validate and store a new dictionary; raises ValidationError or DictionaryConflict."""
    clean = validation.validate_dictionary({"name": name, "modes": modes, "metadata": metadata})
    now = timezone.now()
    dictionary = Dictionary(
        organization=organization,
        name=clean.name,
        normalized_name=clean.name.lower(),
        metadata=clean.metadata,
        content_hash=content_hash(clean.modes),
        created_at=now,
        updated_at=now,
        created_by_key_label=created_by,
    )
    try:
        with transaction.atomic():
            dictionary.save(force_insert=True)
            Rule.objects.bulk_create(_rule_rows(dictionary, clean.modes))
    except IntegrityError as exc:
        if _name_taken(organization, clean.name):
            raise DictionaryConflict(clean.name) from exc
        raise
    _announce(dictionary, "created")
    return dictionary


def _name_taken(organization: Organization, name: str) -> bool:
    return Dictionary.objects.filter(
        organization=organization, normalized_name=name.lower()
    ).exists()


def dictionary_delete(*, organization: Organization, name: str) -> None:
    """Delete the organization's dictionary by name; raises DictionaryNotFound."""
    with transaction.atomic():
        dictionary = (
            Dictionary.objects.select_for_update()
            .filter(organization=organization, normalized_name=name.lower())
            .first()
        )
        if dictionary is None:
            raise DictionaryNotFound(name)
        _announce(dictionary, "deleted")
        dictionary.delete()
