"""Listen: a text spoken by a target's model as production will say it, before and after an edit.

Listen speaks through one target's model and voice: the one named, else the production target
(the first enabled target on the ``approved`` channel, else the first enabled one). "Before" is
what that target serves now: its live revision of the dictionary (the one it last pushed),
compiled for its model as a sync compiles it (``sync.plans.derive``), or the text as written
when it holds none. "After" is the edit, compiled the same way, so IPA rules are heard through
the model's markup. The rewrite is Lexicon's own engine (SLNG's semantics), so unsaved rules can
be heard too; the target's TTS gets the rewritten text over HTTP TTS, without a dictionary.
Answers are cached by (contents, text, voice, target) and the whole call shares one deadline, so
a TTS that
is down or slow is a 503 within LEXICON_SPEAK_TIMEOUT_SECONDS, never a hang. A call that needs
the TTS holds a Listen slot (sync.speak_slots) while it waits: when they are all taken, the
answer is 429 ``rate_limit`` at once, and the web tier stays free for everything else.
"""

import base64
import hashlib
import json
import logging
import re
import time
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.throttling import SimpleRateThrottle

from orgs.actors import Actor
from orgs.models import APIKey, Organization
from orgs.scoping import restrict
from pronunciations import content, layers, preview
from pronunciations.errors import InvalidDictionary, NotFound, Unavailable
from pronunciations.models import Dictionary, Revision
from pronunciations.validation import Modes, SpeakInput
from sync.client import Audio, SlngClient, SlngError, codes
from sync.client.audio import NOT_AUDIO
from sync.compile import compilation
from sync.crypto import SecretUnreadable
from sync.errors import TargetKeyUnusable
from sync.models import Channel, SyncState, SyncTarget
from sync.plans import derive
from sync.services import target_api_key
from sync.speak_slots import speak_slot

# Lexicon reading on its own account (orgs.scoping: every organization).
SPEAK = Actor.system("speak")

logger = logging.getLogger(__name__)
CACHE_PREFIX = "lexicon:speak:"
_AUDIO_TYPE = re.compile(r"audio/[a-z0-9.+-]{1,40}")
CACHE_MAX_BYTES = 2 * 1024 * 1024  # larger answers are not cached (they would crowd the cache)


class SpeakTargetNotFound(NotFound):
    """The Listen request names a target the organization does not have."""


class SpeakRateThrottle(SimpleRateThrottle):
    """LEXICON_SPEAK_RATE_LIMIT Listen calls per API key (API) or per user (admin)."""

    scope = "speak"

    def get_rate(self) -> str | None:
        return settings.LEXICON_SPEAK_RATE_LIMIT or None

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        auth = getattr(request, "auth", None)
        if isinstance(auth, APIKey):
            ident = f"key:{auth.prefix}"
        elif getattr(request, "user", None) is not None and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


def speak_allowed(request: HttpRequest) -> bool:
    """The Listen rate limit for a request outside DRF (the admin's Listen button)."""
    return SpeakRateThrottle().allow_request(cast(Any, request), cast(Any, None))


def speak_target(*, organization: Organization, target: str | None) -> SyncTarget:
    """The organization's target named (or with public id) ``target``; by default its
    production target: the first enabled target on the ``approved`` channel by name, else the
    first enabled one. Raises SpeakTargetNotFound, or InvalidDictionary for a disabled target
    (a disabled target is never used)."""
    targets = restrict(SyncTarget, SPEAK).filter(organization=organization)
    if target is not None:
        found = targets.filter(name=target).first() or targets.filter(public_id=target).first()
        if found is None:
            raise SpeakTargetNotFound(f"Sync target not found: {target}")
        if not found.enabled:
            raise InvalidDictionary(f"Sync target {found.name} is disabled: enable it first.")
        return found
    found = production_of(list(targets.filter(enabled=True).order_by("name")))
    if found is None:
        raise SpeakTargetNotFound("No sync target to speak with: add one first")
    return found


def production_of(enabled: list[SyncTarget]) -> SyncTarget | None:
    """Of enabled targets in name order, the production one: the first on ``approved``, else
    the first."""
    approved = [target for target in enabled if target.channel == Channel.APPROVED]
    chosen = approved or enabled
    return chosen[0] if chosen else None


def heard_on(target: SyncTarget, voice: str) -> dict[str, Any]:
    """Which model and voice speak, in words for the page ("Heard on production — …")."""
    said = f"{target.model}, {voice}" if voice else target.model
    return {
        "target": target.name,
        "model": target.model,
        "voice": voice,
        "compiled_as": compilation(target.model),
        "words": f"Heard on {target.name} — {said}",
    }


def compiled_modes(
    wire: dict[str, Any],
    target: SyncTarget,
    snapshot: dict[str, Any] | None = None,
    resolve: layers.Resolve | None = None,
) -> tuple[Modes, str]:
    """Wire modes as the target's model receives them (the sync's derive step: flattened with
    the layers ``snapshot`` includes, read through ``resolve``), and a key of that compilation
    for caches."""
    snapshot = snapshot or {}
    body = {"name": "", "modes": wire, "metadata": snapshot.get("metadata") or {}}
    found = derive({**body, "includes": snapshot.get("includes") or []}, target, resolve)
    modes = content.modes_from_wire(found.payload["modes"])
    return modes, f"{content.content_hash(modes)}:{found.markup}"


def live_wire(
    target: SyncTarget, dictionary: Dictionary | None
) -> tuple[int | None, dict[str, Any], dict[str, Any]]:
    """The revision of ``dictionary`` the target serves now (its last push), its modes and its
    snapshot; (None, no rules, {}) when it serves none."""
    if dictionary is None:
        return None, {"rewrite": {"rules": []}}, {}
    state = restrict(SyncState, SPEAK).filter(target=target, dictionary=dictionary).first()
    number = state.pushed_revision if state is not None else None
    snapshot = (
        restrict(Revision, SPEAK)
        .filter(dictionary=dictionary, number=number)
        .values_list("snapshot", flat=True)
        .first()
        if number is not None
        else None
    )
    if not snapshot:
        return None, {"rewrite": {"rules": []}}, {}
    return number, snapshot.get("modes") or {"rewrite": {"rules": []}}, snapshot


def speech_create(
    *,
    organization: Organization,
    modes: Modes,
    content_hash: str,
    request: SpeakInput,
    dictionary: Dictionary | None = None,
) -> dict[str, Any]:
    """Speak ``request.text`` before and after ``modes`` with the target's model and voice.

    "Before" is what the target serves now of ``dictionary`` (its live revision, compiled for
    its model; the text as written without one), "after" ``modes`` compiled the same way (see
    the module's docstring). Returns the wire answer (docs/api.md). Raises SpeakTargetNotFound
    (404), Unavailable (503) when the target's TTS fails, is slow or answers too much audio, or
    ListenBusy (429) when every Listen slot is taken.
    """
    give_up_at = time.monotonic() + settings.LEXICON_SPEAK_TIMEOUT_SECONDS
    target = speak_target(organization=organization, target=request.target)
    voice = target.voice if request.voice is None else request.voice
    # after: the dictionary's layers as they now are; before: as the target serves them
    now = layers.current_content(dictionary) if dictionary is not None else None
    current = {} if now is None else {"includes": [i.to_wire() for i in now.layered.includes]}
    current["metadata"] = {} if dictionary is None else dictionary.metadata
    resolve = layers.current_resolver(organization.pk)
    after, after_key = compiled_modes(content.modes_to_wire(modes), target, current, resolve)
    result = preview.rewrite(after, request.text, content_key=after_key)
    live, live_modes, live_snapshot = live_wire(target, dictionary)
    before, before_key = compiled_modes(live_modes, target, live_snapshot)
    before_text = preview.rewrite(before, request.text, content_key=before_key).text
    key = _cache_key(f"{before_key}>{after_key}", request.text, voice, target)
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    with speak_slot(organization.pk):
        original, rewritten = _synthesize_both(target, voice, before_text, result.text, give_up_at)
    answer = {
        **preview.result_to_wire(result),
        "original_text": request.text,
        "before_text": before_text,
        "before_revision": live,
        "content_hash": content_hash,
        "target": target.name,
        "voice": voice,
        "heard_on": heard_on(target, voice),
        "original_audio": _data_url(original),
        "rewritten_audio": _data_url(rewritten),
    }
    if settings.LEXICON_SPEAK_CACHE_SECONDS and len(original.data) + len(rewritten.data) <= (
        CACHE_MAX_BYTES
    ):
        cache.set(key, answer, settings.LEXICON_SPEAK_CACHE_SECONDS)
    return answer


def _synthesize_both(
    target: SyncTarget, voice: str, text: str, spoken: str, give_up_at: float
) -> tuple[Audio, Audio]:
    limit = settings.LEXICON_SPEAK_TIMEOUT_SECONDS
    try:
        api_key = target_api_key(target)
    except (TargetKeyUnusable, SecretUnreadable) as exc:
        message = f"The SLNG key of target {target.name} must be entered again."
        raise Unavailable(message) from exc
    client = SlngClient(
        base_url=target.base_url, ws_url=target.ws_url, api_key=api_key, timeout=limit
    )
    try:
        clips = []
        for words in dict.fromkeys((text, spoken)):  # one call when the rules changed nothing
            remaining = give_up_at - time.monotonic()
            if remaining <= 0:
                raise Unavailable(f"The TTS of target {target.name} took over {limit:g}s.")
            clips.append(
                client.synthesize(
                    words,
                    model=target.model,
                    voice=voice,
                    route=target.verify_route,
                    deadline=remaining,
                    max_bytes=settings.LEXICON_SPEAK_MAX_AUDIO_BYTES,
                )
            )
    except SlngError as exc:
        logger.warning("Listen: TTS of %s failed: %s %s", target, exc.code, type(exc).__name__)
        # Only a code SLNG documents (or ours) is quoted: nothing of another body is passed on.
        known = codes.row(exc.code) is not None or exc.code == NOT_AUDIO
        fallback = f"HTTP {exc.status}" if exc.status else "unreachable or too slow"
        detail = exc.code if known else fallback
        message = f"The TTS of target {target.name} is unavailable ({detail})."
        raise Unavailable(message) from exc
    finally:
        client.close()
    return clips[0], clips[-1]


def _cache_key(content_hash: str, text: str, voice: str, target: SyncTarget) -> str:
    # The target's id and everything that changes its TTS, so an edited target is not served
    # audio from its old settings.
    parts = [content_hash, text, voice, target.public_id, target.base_url, target.model]
    parts.append(target.verify_route)
    digest = hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()
    return CACHE_PREFIX + digest


def _data_url(audio: Audio) -> str:
    # The content type comes from upstream: only a plain audio type goes into the data URL.
    kind = audio.content_type if _AUDIO_TYPE.fullmatch(audio.content_type) else "audio/wav"
    return f"data:{kind};base64,{base64.b64encode(audio.data).decode('ascii')}"
