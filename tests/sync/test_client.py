"""The SLNG client against the emulator over real sockets: typed errors, retries, verification."""

import pytest

from sync.client import (
    RetryPolicy,
    SlngClient,
    SlngConflict,
    SlngError,
    SlngNotFound,
    SlngRejected,
    SlngUnauthorized,
    SlngUnavailable,
    SlngVerificationFailed,
)
from sync.client.errors import retry_after
from sync.emulator import EmulatorThread
from tests.conftest import SLNG_KEY_ACME

FAST = RetryPolicy(base=0.01, cap=0.05, deadline=2.0)
BODY = {"name": "brand", "modes": {"rewrite": {"rules": [{"match": "NAIC", "replace": "en ay"}]}}}


def _client(slng: EmulatorThread, key: str = SLNG_KEY_ACME, **kwargs: object) -> SlngClient:
    return SlngClient(
        base_url=slng.base_url,
        ws_url=slng.ws_url,
        api_key=key,
        timeout=5.0,
        retry=kwargs.pop("retry", FAST),  # type: ignore[arg-type]
    )


def test_create_list_get_delete_round_trip(slng: EmulatorThread) -> None:
    client = _client(slng)

    created = client.create_dictionary(BODY)

    assert created["modes"] == BODY["modes"]
    assert [d["id"] for d in client.list_dictionaries()] == [created["id"]]
    assert client.get_dictionary("BRAND")["id"] == created["id"]
    client.delete_dictionary("brand")
    assert client.list_dictionaries() == []


def test_a_503_burst_is_retried_until_it_passes(slng: EmulatorThread) -> None:
    client = _client(slng)
    slng.state.fail_http(3)

    assert client.list_dictionaries() == []
    assert client.calls.http == 4


def test_503s_past_the_deadline_raise_unavailable_with_slngs_code(slng: EmulatorThread) -> None:
    client = _client(slng, retry=RetryPolicy(base=0.01, cap=0.02, deadline=0.2))
    slng.state.fail_http(10_000)

    with pytest.raises(SlngUnavailable) as caught:
        client.list_dictionaries()

    assert caught.value.code == "pronunciation_unavailable"
    assert caught.value.status == 503
    assert caught.value.request_id.startswith("req_")
    assert client.calls.http > 1


@pytest.mark.parametrize(
    ("call", "error", "status", "code"),
    [
        (
            lambda c: c.create_dictionary({"name": "bad name", "modes": {}}),
            SlngRejected,
            400,
            "invalid_pronunciation",
        ),
        (lambda c: c.get_dictionary("missing"), SlngNotFound, 404, "pronunciation_not_found"),
        (lambda c: c.create_dictionary(BODY), SlngConflict, 409, "pronunciation_conflict"),
    ],
)
def test_client_errors_are_typed_and_never_retried(
    slng: EmulatorThread, call: object, error: type[SlngError], status: int, code: str
) -> None:
    client = _client(slng)
    slng.state.create_dictionary(org_id="org_upstream_acme", body=BODY)  # for the 409 case
    before = client.calls.http

    with pytest.raises(error) as caught:
        call(client)  # type: ignore[operator]

    assert (caught.value.status, caught.value.code) == (status, code)
    assert client.calls.http == before + 1


def test_an_unknown_key_is_unauthorized(slng: EmulatorThread) -> None:
    with pytest.raises(SlngUnauthorized) as caught:
        _client(slng, key="sk_wrong").list_dictionaries()

    assert caught.value.code == "pronunciation_unauthenticated"


def test_a_server_that_is_down_is_unavailable() -> None:
    client = SlngClient(
        base_url="http://127.0.0.1:9",
        ws_url="ws://127.0.0.1:9",
        api_key="k",
        retry=RetryPolicy(base=0.01, cap=0.01, deadline=0.1),
    )

    with pytest.raises(SlngUnavailable):
        client.list_dictionaries()


def test_the_key_never_shows_in_repr_or_errors(slng: EmulatorThread) -> None:
    client = _client(slng)
    slng.state.fail_http(10_000)
    client.retry = RetryPolicy(base=0.01, cap=0.01, deadline=0.05)

    with pytest.raises(SlngUnavailable) as caught:
        client.list_dictionaries()

    assert SLNG_KEY_ACME not in repr(client) + str(caught.value) + repr(caught.value)


def test_verify_gets_audio_for_an_existing_dictionary(slng: EmulatorThread) -> None:
    client = _client(slng)
    client.create_dictionary(BODY)

    result = client.verify("brand", model="deepgram/aura:2", voice="", text="NAIC")

    assert result.audio_chunks == 1
    session = slng.state.session(result.session_id)
    assert session is not None
    assert session.texts == ["en ay"]


def test_verify_of_a_missing_dictionary_fails_with_the_frame_code(slng: EmulatorThread) -> None:
    with pytest.raises(SlngVerificationFailed) as caught:
        _client(slng).verify("ghost", model="deepgram/aura:2", voice="", text="x")

    assert caught.value.code == "pronunciation_not_found"
    assert "ghost" in caught.value.message


@pytest.mark.parametrize("fault", ["rate_limit", "backend_connection_failed", "drop"])
def test_retryable_websocket_faults_are_retried(slng: EmulatorThread, fault: str) -> None:
    client = _client(slng)
    client.create_dictionary(BODY)
    if fault == "drop":
        slng.state.drop_ws(0, sessions=2)
    else:
        slng.state.fail_ws(fault, sessions=2)

    client.verify("brand", model="deepgram/aura:2", voice="", text="NAIC")

    assert client.calls.ws == 3


def _recording(slept: list[float]) -> RetryPolicy:
    """A policy whose sleeps are recorded, not slept (the deadline leaves room for them)."""
    return RetryPolicy(base=0.01, cap=0.05, deadline=120.0, sleep=slept.append)


def test_a_429_is_retried_after_its_retry_after(slng: EmulatorThread) -> None:
    slept: list[float] = []
    client = _client(slng, retry=_recording(slept))
    slng.state.rate_limit_http(1, retry_after=30)

    assert client.list_dictionaries() == []

    assert slept == [pytest.approx(30, abs=1)]
    assert client.calls.http == 2


def test_a_rate_limited_answer_pauses_the_clients_other_calls_but_not_a_closing_create(
    slng: EmulatorThread,
) -> None:
    """Issue 17: a run's workers share one client, so one 429 slows them all down together;
    the POST that ends a replace's window is not held by another call's pause."""
    slept: list[float] = []
    client = _client(slng, retry=_recording(slept))
    slng.state.rate_limit_http(1, retry_after=30)
    client.list_dictionaries()

    client.list_dictionaries()  # another call of the same client waits the pause out
    client.create_dictionary(BODY, urgent=True)
    other_run: list[float] = []
    _client(slng, retry=_recording(other_run)).list_dictionaries()

    assert slept == [pytest.approx(30, abs=1), pytest.approx(30, abs=1)]
    assert other_run == []
    assert [r.status for r in slng.state.requests()] == [429, 200, 200, 201, 200]


def test_a_rate_limit_frame_pauses_the_clients_other_calls_too(slng: EmulatorThread) -> None:
    slept: list[float] = []
    backoff = RetryPolicy(base=30.0, cap=30.0, deadline=120.0, sleep=slept.append)
    client = _client(slng, retry=backoff)
    client.create_dictionary(BODY)
    slng.state.fail_ws("rate_limit")

    client.verify("brand", model="deepgram/aura:2", voice="", text="NAIC")
    client.list_dictionaries()

    # The frame carries no Retry-After: the backoff (15 to 30 s), which the list waits out too.
    assert len(slept) == 2
    assert 15 <= slept[0] <= 30
    assert slept[1] == pytest.approx(slept[0], abs=1)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("12", 12.0),
        ("Wed, 01 Jan 2020 00:00:00 GMT", 0.0),  # a date in the past: retry now
        ("soon", None),
        ("", None),
        ("99999999", 3600.0),
    ],
)
def test_retry_after_is_read_as_seconds_or_an_http_date(header: str, seconds: float | None) -> None:
    assert retry_after({"Retry-After": header}) == seconds
