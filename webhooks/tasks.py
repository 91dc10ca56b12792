"""Celery tasks of webhooks, on their own queue so a slow endpoint delays no sync or import."""

from celery import Task, shared_task

from webhooks.sending import delivery_attempt


# Routed to the "webhooks" queue (CELERY_TASK_ROUTES in settings).
@shared_task(
    name="webhooks.deliver",
    bind=True,
    acks_late=True,
    soft_time_limit=60,
    max_retries=None,
)
def deliver(self: Task, message_id: str, organization_id: int) -> None:
    """Attempt a delivery; a failure is attempted again later with exponential backoff."""
    delay = delivery_attempt(message_id=message_id, organization_id=organization_id)
    if delay is not None:
        raise self.retry(countdown=delay)
