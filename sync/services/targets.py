"""Writes of sync targets: an encrypted key bound to its URLs, and the target's schedule.

Every write of a target goes through ``target_create`` / ``target_update``, which call
``sync.validation.validate_target`` (a changed URL, model or verify route needs the key entered
again). As a backstop the stored key carries a MAC over the target, its organization, both
URLs and the model route (``api_key_binding``), and ``target_api_key`` refuses to hand out a
key whose binding changed by any other path.
"""

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from orgs.actors import Actor
from orgs.models import Organization
from orgs.scoping import restrict
from sync.crypto import secret_decrypt, secret_encrypt, secret_mac, secret_mac_matches
from sync.errors import TargetKeyUnusable
from sync.models import DEFAULT_CONCURRENCY, Channel, SyncTarget, VerifyRoute
from sync.services.schedules import target_schedule
from sync.validation import DEFAULT_MODEL, TARGET_FIELDS, normalized_url, validate_target

# Lexicon reading on its own account (orgs.scoping: every organization).
TARGET_SAVE = Actor.system("target save")


def _binding(target: SyncTarget) -> str:
    return json.dumps(
        [
            target.public_id,
            target.organization_id,
            target.base_url,
            target.ws_url,
            target.encrypted_api_key,
            target.model,
            target.verify_route,
        ]
    )


def _key_store(target: SyncTarget, api_key: str) -> None:
    """Encrypt the key and bind it to the target's current organization and URLs."""
    target.encrypted_api_key = secret_encrypt(api_key.strip())
    target.api_key_binding = secret_mac(_binding(target))


def target_api_key(target: SyncTarget) -> str:
    """The target's SLNG key, only for the organization, URLs and model route it was entered for.

    Raises TargetKeyUnusable when the URLs, model route (or organization) changed since the key
    was entered,
    by whatever path; the key must then be entered again. Raises SecretUnreadable when the
    encryption key changed.
    """
    if not target_key_usable(target):
        raise TargetKeyUnusable(
            "the stored SLNG key was entered for other URLs or another model; enter the key again"
        )
    return secret_decrypt(target.encrypted_api_key)


def target_key_usable(target: SyncTarget) -> bool:
    """Whether the stored key was entered for the target's organization, URLs and model route."""
    return bool(target.api_key_binding) and secret_mac_matches(
        _binding(target), target.api_key_binding
    )


def target_create(
    *,
    organization: Organization,
    name: str,
    base_url: str,
    ws_url: str,
    api_key: str,
    model: str = DEFAULT_MODEL,
    voice: str = "",
    prune: bool = False,
    enabled: bool = True,
    interval_seconds: int = 300,
    verify_route: str = VerifyRoute.BRIDGE,
    verify_http: bool = False,
    channel: str = Channel.LATEST,
    after: SyncTarget | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> SyncTarget:
    """Store a target with its SLNG key encrypted and bound to its URLs, and schedule it.

    Raises ValidationError keyed by field (no key, bad URL, name taken, unknown channel, an
    ``after`` of another organization, a concurrency out of bounds).
    """
    validate_target(
        organization=organization,
        stored=None,
        name=name,
        base_url=base_url,
        ws_url=ws_url,
        api_key=api_key,
        channel=channel,
        after=after,
        interval_seconds=interval_seconds,
        concurrency=concurrency,
        model=model,
        verify_route=verify_route,
    )
    target = SyncTarget(
        organization=organization,
        name=name,
        base_url=normalized_url(base_url),
        ws_url=normalized_url(ws_url),
        model=model,
        voice=voice,
        verify_route=verify_route,
        verify_http=verify_http,
        prune=prune,
        enabled=enabled,
        interval_seconds=interval_seconds,
        concurrency=concurrency,
        channel=channel,
        after=after,
    )
    _key_store(target, api_key)
    return _save(target)


def target_update(*, target: SyncTarget, api_key: str = "", **changes: Any) -> SyncTarget:
    """Change a target's settings (``TARGET_FIELDS``); a non-blank ``api_key`` replaces the key.

    Changing ``base_url``, ``ws_url``, ``model`` or ``verify_route`` without the key raises
    ValidationError on ``api_key``: the stored key is never sent to a URL it was not entered
    for. An ``after`` that would make a cycle, or is the target itself, raises ValidationError
    on ``after``.
    """
    unknown = set(changes) - set(TARGET_FIELDS)
    if unknown:
        raise TypeError(f"not a target setting: {sorted(unknown)}")
    with transaction.atomic():
        # Every target of the organization is locked, so two saves cannot close an ``after``
        # cycle between them.
        siblings = (
            restrict(SyncTarget, TARGET_SAVE)
            .select_for_update()
            .filter(organization_id=target.organization_id)
        )
        list(siblings.order_by("pk"))
        stored = restrict(SyncTarget, TARGET_SAVE).get(pk=target.pk)
        wanted = {field: getattr(stored, field) for field in TARGET_FIELDS} | changes
        validate_target(
            organization=stored.organization,
            stored=stored,
            name=wanted["name"],
            base_url=wanted["base_url"],
            ws_url=wanted["ws_url"],
            api_key=api_key,
            channel=wanted["channel"],
            after=wanted["after"],
            interval_seconds=wanted["interval_seconds"],
            concurrency=wanted["concurrency"],
            model=wanted["model"],
            verify_route=wanted["verify_route"],
        )
        wanted["base_url"], wanted["ws_url"] = (
            normalized_url(wanted["base_url"]),
            normalized_url(wanted["ws_url"]),
        )
        for field, value in wanted.items():
            setattr(stored, field, value)
        if api_key.strip():
            _key_store(stored, api_key)
        return _save(stored)


def _save(target: SyncTarget) -> SyncTarget:
    try:
        with transaction.atomic():
            target.save()
            target_schedule(target)
    except IntegrityError as exc:  # a concurrent save took the name
        raise ValidationError(
            {"name": ["This organization already has a target with this name."]}
        ) from exc
    return target
