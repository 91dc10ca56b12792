"""The only code that talks to SLNG: its dictionary API over HTTP and TTS over WebSocket.

Every call has a timeout. Failures become typed errors carrying SLNG's ``code``, the HTTP status
and ``slng_request_id``; callers decide by type. Only what is retryable is retried (503,
connection errors, ``rate_limit``, ``backend_connection_failed``), with exponential backoff
(base, 2×base, 4×base … capped) with jitter, inside a total deadline. The API key never appears
in a log line, an exception message or a repr.
"""

from sync.client.errors import (
    SlngConflict,
    SlngError,
    SlngNotFound,
    SlngRejected,
    SlngUnauthorized,
    SlngUnavailable,
    SlngUnreachable,
    SlngVerificationFailed,
)
from sync.client.slng import (
    ROUTE_BRIDGE,
    ROUTE_NATIVE,
    Audio,
    CallCounter,
    RetryPolicy,
    SlngClient,
    Verification,
)

__all__ = [
    "ROUTE_BRIDGE",
    "ROUTE_NATIVE",
    "Audio",
    "CallCounter",
    "RetryPolicy",
    "SlngClient",
    "SlngConflict",
    "SlngError",
    "SlngNotFound",
    "SlngRejected",
    "SlngUnauthorized",
    "SlngUnavailable",
    "SlngUnreachable",
    "SlngVerificationFailed",
    "Verification",
]
