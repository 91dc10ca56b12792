"""The request id: one per HTTP request, carried into the Celery tasks that request queues.

Its one owner, below every app: config's middleware and logging set and read it, sync's enqueue
passes it to its tasks in a message header, and config's Celery hook binds it again in the worker.
"""

from contextvars import ContextVar

from ulid import ULID

REQUEST_ID_HEADER = "X-Request-Id"
# The Celery message header that carries the id of the request that queued a task.
TASK_HEADER = "lexicon_request_id"

request_id_var: ContextVar[str] = ContextVar("request_id", default="")


def new_request_id() -> str:
    return f"req_{ULID()}"


def task_headers() -> dict[str, str]:
    """Headers for a task message, so the task's logs carry the id of the request that queued it."""
    return {TASK_HEADER: request_id_var.get()}


def bind_task(request: object, task_id: str) -> None:
    """In the worker: the id of the request that queued the task, or the task's own id."""
    queued_by = getattr(request, TASK_HEADER, None)
    request_id_var.set(queued_by or f"task_{task_id}")
