"""One attempt of one delivery: signed per Standard Webhooks, POSTed without following redirects,
its answer recorded; failures retried with exponential backoff, the endpoint paused after many."""

import json
from dataclasses import dataclass
from datetime import timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from orgs.actors import Actor
from orgs.scoping import restrict
from sync.client.transport import CheckedTransport
from sync.crypto import secret_decrypt
from webhooks.models import Delivery, DeliveryState, Endpoint

# Lexicon reading on its own account (orgs.scoping: every organization).
SENDING = Actor.system("webhook delivery")

_KEPT_BODY = 1000  # characters of an endpoint's answer kept in the delivery log


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: int | None
    body: str
    error: str


def delivery_attempt(*, message_id: str, organization_id: int) -> float | None:
    """Attempt the delivery once; answers the seconds until the next attempt, or None when
    done (succeeded, given up, or nothing to do: gone, decided, another organization's)."""
    delivery = (
        restrict(Delivery, SENDING)
        .select_related("endpoint")
        .filter(message_id=message_id, endpoint__organization_id=organization_id)
        .first()
    )
    if delivery is None or delivery.state in (DeliveryState.SUCCEEDED, DeliveryState.FAILED):
        return None
    endpoint = delivery.endpoint
    if endpoint.paused_at is not None or not endpoint.enabled:
        _finish(delivery, DeliveryState.FAILED, error="not sent: the endpoint is paused or off")
        return None
    outcome = _post(endpoint, delivery)
    return _record(delivery, outcome)


def _post(endpoint: Endpoint, delivery: Delivery) -> Outcome:
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False)
    now = timezone.now()
    signature = Webhook(secret_decrypt(endpoint.secret_encrypted)).sign(
        delivery.message_id, now, body
    )
    headers = {
        "content-type": "application/json",
        "user-agent": "Lexicon-Webhooks/1",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }
    try:
        # Connections only to checked addresses (a name that resolves inside is refused), no
        # proxy from the environment, no redirect followed.
        with httpx.Client(
            transport=CheckedTransport(),
            follow_redirects=False,
            trust_env=False,
            timeout=settings.LEXICON_WEBHOOK_TIMEOUT_SECONDS,
        ) as client:
            response = client.post(endpoint.url, content=body.encode(), headers=headers)
    except httpx.HTTPError as exc:
        return Outcome(False, None, "", f"could not deliver: {type(exc).__name__}")
    text = response.text[:_KEPT_BODY]
    if 200 <= response.status_code < 300:
        return Outcome(True, response.status_code, text, "")
    if 300 <= response.status_code < 400:
        return Outcome(False, response.status_code, text, "redirects are not followed")
    return Outcome(
        False, response.status_code, text, f"the endpoint answered {response.status_code}"
    )


def _record(delivery: Delivery, outcome: Outcome) -> float | None:
    delivery.attempts += 1
    delivery.attempted_at = timezone.now()
    delivery.response_status = outcome.status
    delivery.response_body = outcome.body
    if outcome.ok:
        _finish(delivery, DeliveryState.SUCCEEDED, error="")
        restrict(Endpoint, SENDING).filter(pk=delivery.endpoint_id).update(failures_in_a_row=0)
        return None
    paused = _count_failure(delivery.endpoint_id)
    if paused or delivery.attempts >= settings.LEXICON_WEBHOOK_MAX_ATTEMPTS:
        _finish(delivery, DeliveryState.FAILED, error=outcome.error)
        return None
    delay = min(
        settings.LEXICON_WEBHOOK_RETRY_BASE_SECONDS * 2 ** (delivery.attempts - 1),
        settings.LEXICON_WEBHOOK_RETRY_CAP_SECONDS,
    )
    delivery.next_attempt_at = delivery.attempted_at + timedelta(seconds=delay)
    _finish(delivery, DeliveryState.RETRYING, error=outcome.error)
    return float(delay)


def _finish(delivery: Delivery, state: str, *, error: str) -> None:
    delivery.state = state
    delivery.error = error[:300]
    if state != DeliveryState.RETRYING:
        delivery.next_attempt_at = None
    delivery.save()


def _count_failure(endpoint_id: int) -> bool:
    """One more failed attempt in a row; pauses the endpoint at the limit. Answers whether it is
    paused now."""
    with transaction.atomic():
        endpoint = restrict(Endpoint, SENDING).select_for_update().get(pk=endpoint_id)
        endpoint.failures_in_a_row += 1
        limit = settings.LEXICON_WEBHOOK_PAUSE_AFTER
        if endpoint.paused_at is None and endpoint.failures_in_a_row >= limit:
            endpoint.paused_at = timezone.now()
            endpoint.paused_reason = (
                f"paused after {limit} failed deliveries in a row; resume it once the "
                "endpoint answers again, then redeliver what failed"
            )
        endpoint.save(update_fields=["failures_in_a_row", "paused_at", "paused_reason"])
        return endpoint.paused_at is not None
