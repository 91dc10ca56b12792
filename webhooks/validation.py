"""What a webhook endpoint may be: checked here for the API, the admin and the services alike."""

from collections.abc import Sequence
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from core.text import invisible_problems, problem_text
from orgs.events import EventType
from sync.reach import target_url_errors

MAX_URL_LENGTH = 500
MAX_DESCRIPTION_LENGTH = 200


def validate_endpoint_url(url: object) -> str:
    """An absolute http(s) URL without credentials or fragment, whose host is one a sync target
    may reach too (``sync.reach``). Raises ValidationError keyed ``url``."""
    if not isinstance(url, str) or not url.strip():
        raise ValidationError({"url": ["url is required: the address events are POSTed to"]})
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError({"url": [f"url must be at most {MAX_URL_LENGTH} characters"]})
    if invisible := invisible_problems(url):  # a URL that looks like another one
        raise ValidationError({"url": [problem_text(error) for error in invisible]})
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": ["url must be an absolute http:// or https:// URL"]})
    if parts.username or parts.password or parts.fragment:
        raise ValidationError({"url": ["url must not carry credentials or a #fragment"]})
    # The same hosts a sync target may reach (public, unless listed in LEXICON_PRIVATE_TARGETS;
    # https where targets need TLS), checked again after resolution when delivering.
    if problems := target_url_errors(url, ("https", "http")):
        raise ValidationError({"url": problems})
    return url


def validate_events(events: object) -> list[str]:
    """A list of known event types without repeats (empty: every event)."""
    if events is None:
        return []
    if not isinstance(events, Sequence) or isinstance(events, str):
        raise ValidationError({"events": ["events must be a list of event types"]})
    problems = [
        f"events[{index}]: {event!r} is not an event type; one of {', '.join(EventType.values)}"
        for index, event in enumerate(events)
        if event not in EventType.values
    ]
    if problems:
        raise ValidationError({"events": problems})
    return sorted(set(events), key=EventType.values.index)


def validate_description(description: object) -> str:
    if description is None:
        return ""
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION_LENGTH:
        raise ValidationError(
            {"description": [f"description must be text of at most {MAX_DESCRIPTION_LENGTH}"]}
        )
    return description.strip()
