"""Fault settings for the emulator and their JSON form for the admin API."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

WS_ERROR_CODES = ("rate_limit", "backend_connection_failed")
WS_FRAMINGS = ("json", "binary")  # audio as JSON audio_chunk frames, or as binary frames
INIT_UNKNOWN_DICTIONARY = ("keep", "close")  # after the error frame: ready, or close the socket


@dataclass
class Faults:
    """What the emulator should do wrong. All zero/None means "behave"."""

    http_failures: int = 0  # next N dictionary calls answer 503 pronunciation_unavailable
    http_rate_limited: int = 0  # N dictionary calls answer 429 rate_limit...
    http_retry_after: int = 1  # ...with this Retry-After (seconds)...
    http_rate_limit_after: int = 0  # ...once this many more calls have passed
    http_latency_ms: int = 0  # added before every dictionary call is answered
    ws_latency_ms: int = 0  # added before the server answers each WebSocket client message
    ws_drop_after_chunks: int = 0  # abruptly drop the socket once this many chunks were sent
    ws_drop_sessions: int = 0  # ...in this many of the next sessions
    ws_error_code: str | None = None  # rate_limit | backend_connection_failed
    ws_error_sessions: int = 0  # next N sessions get ws_error_code instead of `ready`
    visibility_delay_ms: int = 0  # new dictionaries stay invisible to TTS for this long
    # Behaviour switches rather than faults, set the same way so one JSON form covers both.
    ws_framing: str | None = None  # None: each route's own framing (docs/emulator.md)
    init_unknown_dictionary: str = "keep"  # unknown dictionary in init: keep the session or close

    def to_json(self) -> dict[str, object]:
        return {
            "http_failures": self.http_failures,
            "http_rate_limit": {
                "calls": self.http_rate_limited,
                "retry_after": self.http_retry_after,
                "after": self.http_rate_limit_after,
            },
            "http_latency_ms": self.http_latency_ms,
            "ws_latency_ms": self.ws_latency_ms,
            "ws_drop": {
                "after_chunks": self.ws_drop_after_chunks,
                "sessions": self.ws_drop_sessions,
            },
            "ws_error": {"code": self.ws_error_code, "sessions": self.ws_error_sessions},
            "visibility_delay_ms": self.visibility_delay_ms,
            "ws_framing": self.ws_framing,
            "init_unknown_dictionary": self.init_unknown_dictionary,
        }


@dataclass(frozen=True)
class SessionFaults:
    """The faults one WebSocket session claimed when it was accepted."""

    error_code: str | None = None
    drop_after_chunks: int | None = None


def _count(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{field} must be a non-negative integer")
    return value


def _object(value: object, field: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{field} must be an object")
    return value


def _ws_error_code(value: object) -> str | None:
    if value is not None and value not in WS_ERROR_CODES:
        raise ValueError(f"ws_error.code must be one of {', '.join(WS_ERROR_CODES)} or null")
    return value if isinstance(value, str) else None


def _choice(value: object, field: str, choices: tuple[str, ...], *, nullable: bool) -> str | None:
    if value is None and nullable:
        return None
    if value not in choices:
        allowed = ", ".join(choices) + (" or null" if nullable else "")
        raise ValueError(f"{field} must be one of {allowed}")
    return str(value)


def _changes(payload: Mapping[str, object]) -> dict[str, object]:
    changes: dict[str, object] = {}
    if "ws_framing" in payload:
        changes["ws_framing"] = _choice(
            payload["ws_framing"], "ws_framing", WS_FRAMINGS, nullable=True
        )
    if "init_unknown_dictionary" in payload:
        changes["init_unknown_dictionary"] = _choice(
            payload["init_unknown_dictionary"],
            "init_unknown_dictionary",
            INIT_UNKNOWN_DICTIONARY,
            nullable=False,
        )
    for field in ("http_failures", "http_latency_ms", "ws_latency_ms", "visibility_delay_ms"):
        if field in payload:
            changes[field] = _count(payload[field], field)
    if "http_rate_limit" in payload:
        limit = _object(payload["http_rate_limit"], "http_rate_limit")
        changes["http_rate_limited"] = _count(limit.get("calls", 1), "http_rate_limit.calls")
        changes["http_retry_after"] = _count(
            limit.get("retry_after", 1), "http_rate_limit.retry_after"
        )
        changes["http_rate_limit_after"] = _count(limit.get("after", 0), "http_rate_limit.after")
    if "ws_drop" in payload:
        drop = _object(payload["ws_drop"], "ws_drop")
        changes["ws_drop_after_chunks"] = _count(
            drop.get("after_chunks", 0), "ws_drop.after_chunks"
        )
        changes["ws_drop_sessions"] = _count(drop.get("sessions", 1), "ws_drop.sessions")
    if "ws_error" in payload:
        error = _object(payload["ws_error"], "ws_error")
        changes["ws_error_code"] = _ws_error_code(error.get("code"))
        changes["ws_error_sessions"] = _count(error.get("sessions", 1), "ws_error.sessions")
    return changes


def faults_updated(current: Faults, payload: Mapping[str, object]) -> Faults:
    """Return ``current`` with the admin JSON ``payload`` applied; raise ValueError if malformed.

    Only the keys present change. Unknown keys are an error so that typos do not pass silently.
    """
    known = {"http_failures", "http_latency_ms", "ws_latency_ms", "visibility_delay_ms"}
    known |= {"ws_framing", "init_unknown_dictionary"}
    unknown = sorted(set(payload) - known - {"ws_drop", "ws_error", "http_rate_limit"})
    if unknown:
        raise ValueError(f"unknown fault field(s): {', '.join(unknown)}")
    return dataclasses.replace(current, **_changes(payload))  # type: ignore[arg-type]
