"""Issue 22: a target reaches only public hosts (unless listed), SLNG model ids, its own key.

Refusals of private, link-local and reserved hosts are tested at save time only: nothing here
ever connects to them. Connect-time refusals use loopback listeners that must receive nothing.
"""

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from orgs.models import Organization
from sync.client import SlngClient, SlngUnreachable, SlngVerificationFailed
from sync.emulator import EmulatorThread
from sync.models import RunStatus, SyncTarget
from sync.reach import MODEL_SHAPE, stored_targets_check
from sync.services import target_create, target_run, target_update
from sync.validation import KEY_AGAIN
from tests.conftest import SLNG_KEY_ACME
from tests.factories import make_dictionary
from tests.silent_listener import SilentListener
from tests.sync.conftest import target_form

pytestmark = pytest.mark.django_db

SPEAK = "/v1/pronunciation/dictionaries/brand/speak"
NOT_LISTED = "targets reach public hosts only, unless listed in LEXICON_PRIVATE_TARGETS."


def create(organization: Organization, base_url: str, **options: Any) -> SyncTarget:
    ws_url = options.pop("ws_url", base_url.replace("http", "ws", 1))
    return target_create(
        organization=organization,
        name=options.pop("name", "t"),
        base_url=base_url,
        ws_url=ws_url,
        api_key=SLNG_KEY_ACME,
        **options,
    )


@pytest.fixture
def silent() -> Iterator[SilentListener]:
    with SilentListener() as listener:
        yield listener


# -- save time: hosts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://169.254.169.254", "169.254.169.254 is a link-local address"),
        ("http://10.0.0.5:8080", "10.0.0.5 is a private address"),
        ("https://192.168.1.10", "192.168.1.10 is a private address"),
        ("http://127.0.0.2:6379", "127.0.0.2 is a loopback address"),
        ("http://127.1:6379", "127.0.0.1 is a loopback address"),  # not listed as written
        ("http://0x7f.1:6379", "127.0.0.1 is a loopback address"),
        ("http://[::1]:6379", "::1 is a loopback address"),
        ("http://[::ffff:10.1.2.3]", "10.1.2.3 is a private address"),
        ("http://[fe80::1]", "fe80::1 is a link-local address"),
        ("http://224.0.0.1", "224.0.0.1 is a multicast address"),
        ("http://240.0.0.1", "240.0.0.1 is a reserved address"),
        ("http://0.0.0.0:8765", "0.0.0.0 is an unspecified address"),
        ("http://100.64.0.1", "100.64.0.1 is not a public address"),
        ("http://localhost:8765", "localhost is a loopback name"),
        ("http://api.localhost", "api.localhost is a loopback name"),
    ],
)
def test_inside_hosts_are_refused_when_saved(
    organization: Organization, url: str, why: str
) -> None:
    """Issue 22: loopback, private, link-local, multicast, reserved: refused at save time."""
    with pytest.raises(ValidationError) as refused:
        create(organization, url, ws_url="wss://api.slng.ai")

    assert refused.value.message_dict == {"base_url": [f"{why}: {NOT_LISTED}"]}
    assert not SyncTarget.objects.exists()


def test_the_websocket_url_is_checked_too(organization: Organization) -> None:
    """Issue 22: both URLs carry the key; both are checked."""
    with pytest.raises(ValidationError) as refused:
        create(organization, "https://api.slng.ai", ws_url="ws://169.254.169.254")

    assert refused.value.message_dict == {
        "ws_url": [f"169.254.169.254 is a link-local address: {NOT_LISTED}"]
    }


def test_a_listed_host_is_matched_as_written(organization: Organization, settings: Any) -> None:
    """Issue 22: ``host:port`` lets that port through, not others; the test settings list
    127.0.0.1, which lets no other spelling of it through."""
    settings.LEXICON_PRIVATE_TARGETS = ["127.0.0.1", "localhost:8765"]

    create(organization, "http://localhost:8765", name="listed")
    create(organization, "http://127.0.0.1:8766", name="any-port")
    with pytest.raises(ValidationError) as other_port:
        create(organization, "http://localhost:8766", name="other")

    assert other_port.value.message_dict["base_url"] == [
        f"localhost is a loopback name: {NOT_LISTED}"
    ]


def test_production_needs_https_and_wss_except_for_listed_hosts(
    organization: Organization, settings: Any
) -> None:
    """Issue 22: with LEXICON_TARGETS_REQUIRE_TLS (on in production) plain http is refused."""
    settings.LEXICON_TARGETS_REQUIRE_TLS = True

    with pytest.raises(ValidationError) as refused:
        create(organization, "http://api.slng.ai", ws_url="ws://api.slng.ai")
    create(organization, "http://127.0.0.1:8765", name="listed")

    assert refused.value.message_dict == {
        "base_url": ["Use https: plain http is only for hosts listed in LEXICON_PRIVATE_TARGETS."],
        "ws_url": ["Use wss: plain ws is only for hosts listed in LEXICON_PRIVATE_TARGETS."],
    }


def test_the_admin_form_and_the_command_refuse_the_same_hosts(
    organization: Organization, boss: Client, slng: EmulatorThread, monkeypatch: Any
) -> None:
    """Issue 22: one rule for every entry point."""
    target = create(organization, slng.base_url, ws_url=slng.ws_url)
    form = target_form(target, base_url="http://169.254.169.254", api_key=SLNG_KEY_ACME)

    page = boss.post(f"/admin/sync/synctarget/{target.pk}/change/", form)
    monkeypatch.setenv("SLNG_API_KEY", SLNG_KEY_ACME)
    with pytest.raises(CommandError) as command:
        call_command(
            "create_sync_target",
            "--org",
            organization.slug,
            "meta",
            "--base-url",
            "http://169.254.169.254",
            "--ws-url",
            "wss://api.slng.ai",
        )

    why = f"169.254.169.254 is a link-local address: {NOT_LISTED}"
    assert page.context["adminform"].form.errors["base_url"] == [why]
    assert str(command.value) == f"cannot create the target: base_url: {why}"
    assert SyncTarget.objects.get().base_url == slng.base_url


# -- save time: the model id ---------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [
        "deepgram/aura:2",
        "elevenlabs/eleven-flash:2.5",
        "kugelaudio/kugel:1-turbo",
        "slng/canopylabs/orpheus:en",
        "slng/rime/arcana:3-en",
    ],
)
def test_slngs_model_ids_are_accepted(organization: Organization, model: str) -> None:
    assert create(organization, "https://api.slng.ai", model=model).model == model


@pytest.mark.parametrize(
    "model",
    [
        "../../other-service/admin/keys",
        "deepgram/aura:2/../../admin",
        "deepgram/..:2",
        "deepgram%2Faura:2",
        "deepgram/aura:2?key=1",
        "deepgram/aura:2#x",
        "aura:2",
        "deepgram/aura",
        "other/slng/deepgram/aura:2",
        "",
    ],
)
def test_other_model_paths_are_refused(organization: Organization, model: str) -> None:
    """Issue 22: the model becomes part of the TTS URL: only SLNG's model id shape."""
    with pytest.raises(ValidationError) as refused:
        create(organization, "https://api.slng.ai", model=model)

    assert refused.value.message_dict == {"model": [MODEL_SHAPE]}


# -- the key is bound to the model route ---------------------------------------------------


@pytest.mark.parametrize("change", [{"model": "slng/rime/arcana:3-en"}, {"verify_route": "native"}])
def test_changing_the_model_route_needs_the_key_again(
    organization: Organization, change: dict[str, str], boss: Client
) -> None:
    """Issue 22: the model (or the route it is spoken on) is part of where the key goes."""
    target = create(organization, "https://api.slng.ai")

    with pytest.raises(ValidationError) as refused:
        target_update(target=target, **change)
    page = boss.post(f"/admin/sync/synctarget/{target.pk}/change/", target_form(target, **change))
    target_update(target=target, api_key=SLNG_KEY_ACME, **change)

    assert refused.value.message_dict == {"api_key": [KEY_AGAIN]}
    assert page.context["adminform"].form.errors["api_key"] == [KEY_AGAIN]


def test_a_model_changed_behind_the_services_back_sends_no_key(
    organization: Organization, api: APIClient, silent: SilentListener
) -> None:
    """Issue 22: a model written by another path leaves the key unusable: nothing is sent."""
    target = create(organization, silent.url)
    make_dictionary(organization, "brand")
    SyncTarget.objects.filter(pk=target.pk).update(model="other/admin:keys")

    run = target_run(
        target_id=target.public_id, organization_id=organization.public_id, trigger="manual"
    )
    listen = api.post(SPEAK, {"text": "hello"}, format="json")

    assert (run.status, "enter the key again" in run.error) == (RunStatus.FAILED, True)
    assert (listen.status_code, listen.json()["error"]) == (
        503,
        "The SLNG key of target t must be entered again.",
    )
    assert (silent.connections, silent.received) == (0, b"")


# -- connect time --------------------------------------------------------------------------


@pytest.fixture
def unlisted_localhost(
    organization: Organization, silent: SilentListener, settings: Any
) -> SyncTarget:
    """A target on ``localhost`` saved while it was listed, then taken off the list: a name
    that now resolves to an address the target may not reach."""
    settings.LEXICON_PRIVATE_TARGETS = [f"localhost:{silent.port}"]
    target = create(organization, f"http://localhost:{silent.port}")
    settings.LEXICON_PRIVATE_TARGETS = ["127.0.0.1"]
    return target


def test_a_name_resolving_inside_is_refused_when_connecting(
    organization: Organization,
    unlisted_localhost: SyncTarget,
    silent: SilentListener,
    api: APIClient,
) -> None:
    """Issue 22: sync and Listen resolve the name, check every address and send nothing."""
    make_dictionary(organization, "brand")

    run = target_run(
        target_id=unlisted_localhost.public_id,
        organization_id=organization.public_id,
        trigger="manual",
    )
    listen = api.post(SPEAK, {"text": "hello"}, format="json")

    assert run.status == RunStatus.FAILED
    assert run.error.startswith("SlngUnreachable: GET /v1/pronunciation/dictionaries: localhost:")
    assert (listen.status_code, listen.json()["code"]) == (503, "pronunciation_unavailable")
    assert (silent.connections, silent.received) == (0, b"")


def test_a_websocket_to_a_name_resolving_inside_is_refused(silent: SilentListener) -> None:
    """Issue 22: the TTS WebSocket opens on a checked socket too."""
    client = SlngClient(
        base_url=silent.url, ws_url=f"ws://localhost:{silent.port}", api_key=SLNG_KEY_ACME
    )

    with client, pytest.raises(SlngUnreachable):
        client.verify("brand", model="deepgram/aura:2", text="hello")

    assert (silent.connections, silent.received) == (0, b"")


class Canned:
    """A loopback HTTP server answering every request with one status, headers and body."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        canned = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer()

            def _answer(self) -> None:
                self.send_response(canned.status)
                for name, value in canned.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(canned.body)))
                self.end_headers()
                self.wfile.write(canned.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.status, self.headers, self.body = status, headers, body
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_no_redirect_is_followed_with_the_key(
    organization: Organization, api: APIClient, silent: SilentListener
) -> None:
    """Issue 22: a 3xx is an error; the place it points to never sees the key (or anything)."""
    redirect = Canned(307, {"Location": f"{silent.url}/steal"}, b"")
    try:
        create(organization, redirect.url)
        make_dictionary(organization, "brand")
        run = target_run(
            target_id=SyncTarget.objects.get().public_id,
            organization_id=organization.public_id,
            trigger="manual",
        )
        listen = api.post(SPEAK, {"text": "hello"}, format="json")
    finally:
        redirect.close()

    assert run.status == RunStatus.FAILED
    assert (listen.status_code, listen.json()["error"]) == (
        503,
        "The TTS of target t is unavailable (HTTP 307).",
    )
    assert (silent.connections, silent.received) == (0, b"")


SECRET = b'{"code": "internal-secret-ABC123", "error": "internal-secret-ABC123"}'
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("audio/wav", SECRET),  # an audio type on a body that is not audio
        ("application/json", WAV),  # audio bytes under another type
        ("text/html", b"<html>internal-secret-ABC123</html>"),
    ],
)
def test_listen_passes_on_only_audio(
    organization: Organization, api: APIClient, content_type: str, body: bytes
) -> None:
    """Issue 22: a TTS answer is audio by its content type and its own header, or refused;
    no part of another body reaches the caller."""
    server = Canned(200, {"Content-Type": content_type}, body)
    try:
        create(organization, server.url)
        make_dictionary(organization, "brand")
        listen = api.post(SPEAK, {"text": "hello"}, format="json")
    finally:
        server.close()

    assert listen.status_code == 503
    assert listen.json()["error"] == "The TTS of target t is unavailable (not_audio)."
    assert b"internal-secret" not in listen.content


def test_an_upstream_error_body_is_not_passed_back(
    organization: Organization, api: APIClient
) -> None:
    """Issue 22: an error's own code is quoted only when it is one of SLNG's."""
    server = Canned(400, {"Content-Type": "application/json"}, SECRET)
    try:
        create(organization, server.url)
        make_dictionary(organization, "brand")
        listen = api.post(SPEAK, {"text": "hello"}, format="json")
    finally:
        server.close()

    assert listen.json()["error"] == "The TTS of target t is unavailable (HTTP 400)."
    assert b"internal-secret" not in listen.content


def test_http_verification_accepts_only_audio() -> None:
    """Issue 22: an HTTP TTS verification answered with something else fails."""
    server = Canned(200, {"Content-Type": "audio/wav"}, SECRET)
    client = SlngClient(base_url=server.url, ws_url="ws://127.0.0.1:9", api_key=SLNG_KEY_ACME)
    try:
        with client, pytest.raises(SlngVerificationFailed) as failed:
            client.verify_http("brand", model="deepgram/aura:2", text="hello")
    finally:
        server.close()

    assert failed.value.code == "not_audio"


def test_a_disabled_target_is_never_used_by_listen(
    organization: Organization, api: APIClient, silent: SilentListener
) -> None:
    """Issue 22: naming a disabled target does not reach it."""
    create(organization, silent.url, name="off", enabled=False)
    make_dictionary(organization, "brand")

    listen = api.post(SPEAK, {"text": "hello", "target": "off"}, format="json")

    assert (listen.status_code, listen.json()["error"]) == (
        400,
        "Sync target off is disabled: enable it first.",
    )
    assert (silent.connections, silent.received) == (0, b"")


def test_stored_targets_that_break_the_rules_are_reported_by_check(
    organization: Organization,
) -> None:
    """Issue 22: targets saved before these rules are named by ``manage.py check``."""
    # Raw ORM: the services refuse these; old rows hold them. Nothing connects to them.
    SyncTarget.objects.create(
        organization=organization,
        name="metadata",
        base_url="http://169.254.169.254",
        ws_url="wss://api.slng.ai",
        model="../admin",
    )
    create(organization, "https://api.slng.ai", name="fine")

    warnings = stored_targets_check()

    assert [(w.id, w.msg) for w in warnings] == [
        (
            "sync.W001",
            "Sync target acme/metadata breaks the target rules: base_url: 169.254.169.254 is a "
            f"link-local address: {NOT_LISTED}; model: {MODEL_SHAPE}",
        )
    ]
