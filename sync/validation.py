"""The rules of a sync target, checked before every save by the API, the admin and the commands.

The SLNG key is write-only and belongs to the URLs it was typed in for: changing ``base_url``,
``ws_url``, ``model`` or ``verify_route`` (the TTS route the model is spoken on) needs the key
entered again in the same save (``sync.services.targets`` also binds the stored key to them).
What hosts a target may reach and what a model id looks like are ``sync.reach``; the channel
and ``after`` (same organization, not itself, no cycle) are checked here too, and which
revision a target then serves is ``sync.channels``.
"""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from orgs.actors import Actor
from orgs.models import Organization
from orgs.scoping import restrict
from sync.models import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, Channel, SyncTarget, VerifyRoute
from sync.reach import model_errors, target_url_errors
from sync.upstreams import shared_upstream_problem

# Lexicon reading on its own account (orgs.scoping: every organization).
VALIDATION = Actor.system("target validation")

# What an organization admin may change on a target (its organization never changes).
TARGET_FIELDS = (
    "name",
    "base_url",
    "ws_url",
    "model",
    "voice",
    "verify_route",
    "verify_http",
    "enabled",
    "prune",
    "interval_seconds",
    "concurrency",
    "channel",
    "after",
)
KEY_REQUIRED = "An SLNG API key is required for a new target."
KEY_AGAIN = (
    "The SLNG URL or model changed: enter the SLNG API key again. A stored key is only ever "
    "sent to the URLs and model it was entered for."
)
DEFAULT_MODEL = "deepgram/aura:2"
RUN_TASK = "sync.run_target"
MIN_INTERVAL_SECONDS = 1
# The key travels in an Authorization header: printable ASCII, no spaces (a line break would
# be a header of its own), and bounded.
_KEY = re.compile(r"[\x21-\x7e]{1,512}")
KEY_SHAPE = "Enter the SLNG API key as issued: at most 512 characters, no spaces or line breaks."
INTERVAL_TOO_SHORT = f"Sync at most once a second: enter {MIN_INTERVAL_SECONDS} or more seconds."


def normalized_url(value: str) -> str:
    return value.strip().rstrip("/")


def _url_errors(value: str, schemes: tuple[str, str]) -> list[str]:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return [f"Enter a {' or '.join(schemes)} URL with a host."]
    if parts.scheme not in schemes or not parts.hostname:
        return [f"Enter a {' or '.join(schemes)} URL with a host."]
    if parts.username is not None or parts.password is not None:
        return ["Put no credentials in the URL: the SLNG key goes in its own field."]
    if parts.query or parts.fragment:
        return ["Enter the URL without a query or fragment."]
    return target_url_errors(value, schemes)


def validate_target(
    *,
    organization: Organization,
    stored: SyncTarget | None,
    name: str,
    base_url: str,
    ws_url: str,
    api_key: str,
    channel: str = Channel.LATEST,
    after: SyncTarget | None = None,
    interval_seconds: int = MIN_INTERVAL_SECONDS,
    concurrency: object = DEFAULT_CONCURRENCY,
    model: str = DEFAULT_MODEL,
    verify_route: str = VerifyRoute.BRIDGE,
) -> None:
    """Check a target about to be saved against what is stored; one ValidationError by field.

    ``stored`` is the target as it is in the database (None for a new one). A new target needs
    a key; a changed ``base_url``, ``ws_url``, ``model`` or ``verify_route`` needs the key
    entered again, so a stored key never follows a URL someone else typed. The URLs' hosts and
    schemes and the model id follow ``sync.reach`` (public hosts unless listed, https/wss where
    required, SLNG's model id shape). ``channel`` is one of ``Channel``; ``after`` (the
    target whose verification this one waits for) is another target of the same organization
    and never one that waits, directly or not, for this one. The schedule's interval is at
    least MIN_INTERVAL_SECONDS: with 0, beat would send the target's task without pause. A key
    entered is what an Authorization header can carry (``KEY_SHAPE``). ``concurrency``
    (dictionaries a run pushes and verifies at once) is a whole number from 1 to
    MAX_CONCURRENCY. A ``model`` whose compilation differs from another target's on the same
    SLNG organization is refused (``sync.upstreams``).
    """
    errors: dict[str, list[str]] = {}
    for field, value, schemes in (
        ("base_url", base_url, ("https", "http")),
        ("ws_url", ws_url, ("wss", "ws")),
    ):
        if problems := _url_errors(normalized_url(value), schemes):
            errors[field] = problems
    if problems := model_errors(model):
        errors["model"] = problems
    if not api_key.strip():
        if stored is None:
            errors["api_key"] = [KEY_REQUIRED]
        elif (normalized_url(base_url), normalized_url(ws_url), model, verify_route) != (
            stored.base_url,
            stored.ws_url,
            stored.model,
            stored.verify_route,
        ):
            errors["api_key"] = [KEY_AGAIN]
    elif not _KEY.fullmatch(api_key.strip()):
        errors["api_key"] = [KEY_SHAPE]
    taken = restrict(SyncTarget, VALIDATION).filter(organization=organization, name=name)
    if stored is not None:
        taken = taken.exclude(pk=stored.pk)
    if taken.exists():
        errors["name"] = ["This organization already has a target with this name."]
    if channel not in Channel.values:
        errors["channel"] = [f"Choose one of: {', '.join(Channel.values)}."]
    if after is not None and (problem := _after_problem(organization, stored, after)):
        errors["after"] = [problem]
    if interval_seconds < MIN_INTERVAL_SECONDS:
        errors["interval_seconds"] = [INTERVAL_TOO_SHORT]
    if isinstance(concurrency, bool) or not isinstance(concurrency, int):
        errors["concurrency"] = ["Enter a whole number."]
    elif not 1 <= concurrency <= MAX_CONCURRENCY:
        errors["concurrency"] = [f"Choose from 1 to {MAX_CONCURRENCY} dictionaries at once."]
    if not errors.keys() & {"base_url", "api_key", "model"}:
        shared = shared_upstream_problem(
            organization=organization,
            stored=stored,
            base_url=normalized_url(base_url),
            api_key=api_key,
            model=model,
        )
        if shared:
            errors["model"] = [shared]
    if errors:
        raise ValidationError(errors)


def _after_problem(
    organization: Organization, stored: SyncTarget | None, after: SyncTarget
) -> str | None:
    """Why ``after`` cannot be what ``stored`` (None: a new target) waits for, if it cannot."""
    if after.organization_id != organization.pk:
        return "Choose a target of the same organization."
    if stored is None:
        return None  # nothing waits for a target that does not exist yet
    if after.pk == stored.pk:
        return "A target cannot wait for its own verification."
    seen = {stored.pk}
    step: int | None = after.pk
    while step is not None:  # follow the chain after → its after → …
        if step in seen:
            return f"{after.name} already waits, directly or not, for {stored.name}: a cycle."
        seen.add(step)
        step = (
            restrict(SyncTarget, VALIDATION)
            .filter(pk=step)
            .values_list("after_id", flat=True)
            .first()
        )
    return None
