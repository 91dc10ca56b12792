"""What a scrape reads and who may read it: the same rules for the web and the workers.

A scrape must carry ``Authorization: Bearer <LEXICON_METRICS_TOKEN>``. With no token configured
(the default) there is nothing to scrape: ``/metrics`` answers 404, and a worker serves nothing.
"""

import hmac

from django.conf import settings
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from core.exceptions import MethodNotAllowedError, NotFoundError
from pronunciations.errors import PronunciationError, Unauthenticated

METRICS_PATH = "/metrics"


def refusal(method: str, authorization: str) -> PronunciationError | None:
    """Why a scrape is refused (404 no token configured, 405, 401 wrong token), or None."""
    token = settings.LEXICON_METRICS_TOKEN
    if not token:
        return NotFoundError()
    if method not in ("GET", "HEAD"):
        return MethodNotAllowedError(f'Method "{method}" not allowed.')
    scheme, _, given = authorization.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), token.encode()):
        return Unauthenticated(
            "Missing or invalid metrics token: send Authorization: Bearer <token>."
        )
    return None


def render(accept: str, *extra: Collector) -> tuple[bytes, str]:
    """Every process's counters (the multiprocess directory when set, else this process's
    own) and ``extra`` collectors, in the format ``accept`` asks for; with its content type."""
    registry = CollectorRegistry()
    if settings.LEXICON_METRICS_DIR:
        MultiProcessCollector(registry, path=settings.LEXICON_METRICS_DIR)
    else:
        registry.register(REGISTRY)  # a registry collects like any collector
    for collector in extra:
        registry.register(collector)
    encoder, content_type = choose_encoder(accept)
    return encoder(registry), content_type
