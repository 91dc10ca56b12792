"""Issue 13: the verifier opens the session a real client opens, on either route and framing."""

import io
from typing import Any

import pytest
from django.core.management import call_command

from orgs.models import Organization
from sync.client import RetryPolicy, SlngClient, SlngVerificationFailed
from sync.emulator import EmulatorThread
from sync.models import SyncState, SyncStatus, SyncTarget, VerifyRoute
from sync.services import target_create, target_run
from tests.conftest import SLNG_KEY_ACME
from tests.factories import make_dictionary

FAST = RetryPolicy(base=0.01, cap=0.05, deadline=1.0)
BODY = {"name": "brand", "modes": {"rewrite": {"rules": [{"match": "NAIC", "replace": "en ay"}]}}}
BRIDGE = "/v1/bridges/unmute/tts/deepgram/aura:2"
NATIVE = "/v1/tts/deepgram/aura:2"


def _client(slng: EmulatorThread) -> SlngClient:
    return SlngClient(
        base_url=slng.base_url, ws_url=slng.ws_url, api_key=SLNG_KEY_ACME, timeout=5.0, retry=FAST
    )


@pytest.mark.parametrize(("route", "path"), [("bridge", BRIDGE), ("native", NATIVE)])
@pytest.mark.parametrize("framing", ["binary", "json"])
def test_verify_reads_all_the_audio_in_either_framing_on_either_route(
    slng: EmulatorThread, route: str, path: str, framing: str
) -> None:
    slng.state.update_faults({"ws_framing": framing})
    client = _client(slng)
    client.create_dictionary(BODY)

    result = client.verify("brand", model="deepgram/aura:2", voice="", text="NAIC", route=route)

    session = slng.state.session(result.session_id)
    assert session is not None
    assert (session.path, session.framing, session.texts) == (path, framing, ["en ay"])
    assert result.audio_bytes == session.audio_bytes > 0
    assert result.request_id.startswith("req_")


def test_the_bridge_init_carries_neither_model_nor_an_absent_voice(slng: EmulatorThread) -> None:
    """Issue 13: the verifier sent "voice": null and the model path in init on every route."""
    client = _client(slng)
    client.create_dictionary(BODY)

    client.verify("brand", model="deepgram/aura:2", voice="", text="NAIC")
    client.verify("brand", model="deepgram/aura:2", voice="thalia", text="NAIC", route="native")

    bridge, native = (s.init or {} for s in slng.state.sessions())
    assert bridge == {
        "type": "init",
        "config": {
            "sample_rate": 16000,
            "encoding": "linear16",
            "pronunciation": {"mode": "rewrite", "name": "brand"},
        },
    }
    assert (native["model"], native["voice"]) == ("deepgram/aura:2", "thalia")


@pytest.mark.parametrize("behaviour", ["keep", "close"])
@pytest.mark.parametrize("route", ["bridge", "native"])
def test_an_unknown_dictionary_fails_with_slngs_code_whether_the_session_stays_or_closes(
    slng: EmulatorThread, behaviour: str, route: str
) -> None:
    slng.state.update_faults({"init_unknown_dictionary": behaviour})

    with pytest.raises(SlngVerificationFailed) as caught:
        _client(slng).verify("ghost", model="deepgram/aura:2", text="x", route=route)

    assert caught.value.code == "pronunciation_not_found"
    assert caught.value.message == "Pronunciation dictionary not found: ghost"
    assert len(slng.state.sessions()) == 1  # not retried


def test_verify_http_gets_audio_and_the_model_saw_the_rewrite(slng: EmulatorThread) -> None:
    client = _client(slng)
    client.create_dictionary(BODY)

    result = client.verify_http("brand", model="deepgram/aura:2", text="NAIC")

    (session,) = slng.state.sessions()
    assert (session.kind, session.path, session.texts) == ("http", BRIDGE, ["en ay"])
    assert result.audio_bytes > session.audio_bytes  # the WAV header comes on top


def test_verify_http_of_an_unknown_dictionary_keeps_slngs_400(slng: EmulatorThread) -> None:
    with pytest.raises(SlngVerificationFailed) as caught:
        _client(slng).verify_http("ghost", model="deepgram/aura:2", text="x", route="native")

    assert (caught.value.status, caught.value.code) == (400, "invalid_pronunciation")
    assert caught.value.message == "Pronunciation dictionary not found: ghost"


@pytest.mark.django_db
def test_a_native_target_with_http_checks_verifies_through_both(
    organization: Organization, slng: EmulatorThread
) -> None:
    target = target_create(
        organization=organization,
        name="native",
        base_url=slng.base_url,
        ws_url=slng.ws_url,
        api_key=SLNG_KEY_ACME,
        voice="thalia",
        verify_route=VerifyRoute.NATIVE,
        verify_http=True,
    )
    make_dictionary(organization, "brand")

    run = target_run(
        target_id=target.public_id, organization_id=target.organization.public_id, trigger="manual"
    )

    assert (run.status, run.verified) == ("succeeded", 1)
    ws, http = slng.state.sessions()
    assert (ws.kind, ws.path, http.kind, http.path) == ("ws", NATIVE, "http", NATIVE)
    assert (ws.init or {})["voice"] == (http.init or {})["voice"] == "thalia"


@pytest.mark.django_db
def test_a_failed_http_verification_keeps_slngs_code_and_message(
    organization: Organization,
    target: SyncTarget,
    slng: EmulatorThread,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target.verify_http = True
    target.save()
    make_dictionary(organization, "brand")
    # The WebSocket session resolves the dictionary twice (init, then the turn); HTTP TTS, the
    # third lookup, then answers as SLNG does for a dictionary it does not know.
    original = slng.state.resolve_for_tts
    calls: list[int] = []

    def hidden_on_http(org_id: str, reference: Any) -> Any:
        calls.append(1)
        return original(org_id, reference) if len(calls) <= 2 else None

    monkeypatch.setattr(slng.state, "resolve_for_tts", hidden_on_http)

    run = target_run(
        target_id=target.public_id, organization_id=target.organization.public_id, trigger="manual"
    )

    state = SyncState.objects.get(target=target)
    assert (run.failed, state.status) == (1, SyncStatus.FAILED)
    assert state.last_error_code == "invalid_pronunciation"
    assert state.last_error_message == "Pronunciation dictionary not found: brand"
    tts_calls = [(r.method, r.path, r.status) for r in slng.state.requests() if "tts" in r.path]
    assert tts_calls == [("GET", BRIDGE, 101), ("POST", BRIDGE, 400)]


def test_verify_http_on_a_route_without_http_tts_fails_that_check(slng: EmulatorThread) -> None:
    client = _client(slng)
    client.base_url += "/nowhere"  # an SLNG route that answers 404

    with pytest.raises(SlngVerificationFailed) as caught:
        client.verify_http("brand", model="deepgram/aura:2", text="x")

    assert (caught.value.status, caught.value.code) == (404, "http_404")


@pytest.mark.django_db
def test_create_sync_target_chooses_the_verification_route(
    organization: Organization, slng: EmulatorThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLNG_API_KEY", "sk_from_env")
    urls = ["--base-url", slng.base_url, "--ws-url", slng.ws_url]
    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}

    call_command("create_sync_target", "acme", "default", *urls, **quiet)
    call_command(
        "create_sync_target",
        "acme",
        "native",
        *urls,
        "--verify-route",
        "native",
        "--verify-http",
        **quiet,
    )

    routes = SyncTarget.objects.order_by("name").values_list("name", "verify_route", "verify_http")
    assert list(routes) == [("default", "bridge", False), ("native", "native", True)]
