"""Issue 11: the write-only SLNG key never follows a changed URL.

A recording proxy on loopback stands for a server an organization admin controls: it forwards
to the emulator (so a run through it is real, HTTP and WebSocket) and keeps every byte the
client sent, so the tests can read the Authorization headers it received.
"""

import contextlib
import io
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django_celery_beat.models import PeriodicTask

from orgs.models import Organization
from sync.emulator import ApiKey, EmulatorState, EmulatorThread
from sync.management.commands.demo_setup import DEMO_SLNG_KEY
from sync.models import RunStatus, SyncRun, SyncTarget
from sync.services import target_api_key, target_run, target_update
from sync.validation import KEY_AGAIN
from tests.conftest import SLNG_KEY_ACME, SLNG_KEY_GLOBEX
from tests.factories import make_dictionary
from tests.sync.conftest import target_form

pytestmark = pytest.mark.django_db


class RecordingProxy:
    """Forwards 127.0.0.1:<port> to ``target`` and records what clients sent."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.received = bytearray()
        self.connections = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def bearer_keys(self) -> set[str]:
        with self._lock:
            text = bytes(self.received).decode("latin-1")
        return set(re.findall(r"(?im)^authorization:\s*bearer\s+(\S+)\r?$", text))

    def upgrades(self) -> int:
        with self._lock:
            return len(re.findall(rb"(?im)^upgrade:\s*websocket", bytes(self.received)))

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            upstream = socket.create_connection(self.target, timeout=5)
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, record: bool) -> None:
        try:
            while chunk := source.recv(65536):
                if record:
                    with self._lock:
                        self.received += chunk
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)


def _address(emulator: EmulatorThread) -> tuple[str, int]:
    return "127.0.0.1", emulator.port


@pytest.fixture
def listener(slng: EmulatorThread) -> Iterator[RecordingProxy]:
    proxy = RecordingProxy(_address(slng))
    yield proxy
    proxy.close()


def _sync_now(client: Client, target: SyncTarget) -> None:
    response = client.post(
        "/admin/sync/synctarget/",
        {"action": "run_now", "_selected_action": [str(target.pk)]},
    )
    assert response.status_code == 302


def test_an_admin_edit_to_a_new_url_with_the_key_left_blank_is_refused(
    organization: Organization,
    target: SyncTarget,
    listener: RecordingProxy,
    boss: Client,
    eager: None,
) -> None:
    """Issue 11: the stored key must not follow a URL typed by someone else."""
    make_dictionary(organization, "brand")
    url = f"/admin/sync/synctarget/{target.pk}/change/"

    response = boss.post(
        url, target_form(target, base_url=listener.http_url, ws_url=listener.ws_url)
    )

    assert response.status_code == 200
    assert KEY_AGAIN in response.context["adminform"].form.errors["api_key"]
    stored = SyncTarget.objects.get(pk=target.pk)
    assert (stored.base_url, stored.ws_url) == (target.base_url, target.ws_url)
    _sync_now(boss, target)
    assert SyncRun.objects.get(target=target).status == RunStatus.SUCCEEDED
    assert listener.connections == 0
    assert listener.bearer_keys() == set()


@pytest.mark.parametrize("field", ["base_url", "ws_url"])
def test_either_url_alone_needs_the_key_again(
    target: SyncTarget, listener: RecordingProxy, boss: Client, field: str
) -> None:
    """Issue 11: changing only the WebSocket URL (or only the HTTP one) is a change too."""
    new = {"base_url": listener.http_url, "ws_url": listener.ws_url}[field]

    response = boss.post(
        f"/admin/sync/synctarget/{target.pk}/change/", target_form(target, **{field: new})
    )

    assert KEY_AGAIN in response.context["adminform"].form.errors["api_key"]
    assert getattr(SyncTarget.objects.get(pk=target.pk), field) == getattr(target, field)


def test_with_the_key_entered_again_only_that_key_reaches_the_new_url(
    organization: Organization,
    target: SyncTarget,
    listener: RecordingProxy,
    boss: Client,
    eager: None,
) -> None:
    """Issue 11: after a URL change the new URL gets the newly entered key and nothing else."""
    make_dictionary(organization, "brand")
    changes = {"base_url": listener.http_url, "ws_url": listener.ws_url, "api_key": SLNG_KEY_GLOBEX}

    response = boss.post(
        f"/admin/sync/synctarget/{target.pk}/change/", target_form(target, **changes)
    )

    assert response.status_code == 302
    _sync_now(boss, target)
    run = SyncRun.objects.get(target=target)
    assert (run.status, run.created, run.verified) == (RunStatus.SUCCEEDED, 1, 1)
    assert listener.upgrades() == 1  # the verification's WebSocket went through the listener
    assert listener.bearer_keys() == {SLNG_KEY_GLOBEX}
    assert SLNG_KEY_ACME.encode() not in listener.received


def test_a_url_changed_behind_the_services_back_sends_no_key(
    organization: Organization, target: SyncTarget, listener: RecordingProxy
) -> None:
    """Issue 11: the key is bound to its URLs, so no other write path can redirect it."""
    make_dictionary(organization, "brand")
    SyncTarget.objects.filter(pk=target.pk).update(
        base_url=listener.http_url, ws_url=listener.ws_url
    )

    run = target_run(
        target_id=target.public_id, organization_id=organization.public_id, trigger="manual"
    )

    assert run.status == RunStatus.FAILED
    assert "enter the key again" in run.error
    assert listener.connections == 0
    assert SyncRun.objects.get().status == RunStatus.FAILED
    assert SyncTarget.objects.get(pk=target.pk).lease_until is None


def test_the_admin_says_when_the_stored_key_cannot_be_used(
    target: SyncTarget, listener: RecordingProxy, boss: Client
) -> None:
    """Issue 11: a key bound to other URLs is shown as unusable, so the admin re-enters it."""
    url = f"/admin/sync/synctarget/{target.pk}/change/"
    assert "Stored (write-only), for these URLs." in boss.get(url).content.decode()

    SyncTarget.objects.filter(pk=target.pk).update(base_url=listener.http_url)

    assert "Enter the key again." in boss.get(url).content.decode()


def test_a_target_moved_to_another_organization_cannot_use_its_key(
    target: SyncTarget, other_organization: Organization
) -> None:
    """Issue 11: the key belongs to the organization it was entered for, too."""
    SyncTarget.objects.filter(pk=target.pk).update(organization=other_organization)

    with pytest.raises(Exception, match="enter the key again"):
        target_api_key(SyncTarget.objects.get(pk=target.pk))


def test_the_service_refuses_a_url_change_without_the_key(target: SyncTarget) -> None:
    """Issue 11: the rule lives in sync.validation, for every caller of the service."""
    with pytest.raises(ValidationError) as raised:
        target_update(target=target, base_url="https://elsewhere.example")

    assert raised.value.message_dict == {"api_key": [KEY_AGAIN]}
    updated = target_update(target=target, base_url=target.base_url + "/", interval_seconds=60)
    assert target_api_key(updated) == SLNG_KEY_ACME  # same URL, other settings: key kept
    moved = target_update(
        target=target, base_url="https://elsewhere.example", api_key="sk_entered_again"
    )
    assert target_api_key(moved) == "sk_entered_again"


def test_urls_with_credentials_or_another_scheme_are_refused(target: SyncTarget) -> None:
    """Issue 11: URLs are checked by the same validation as the key rule."""
    with pytest.raises(ValidationError) as raised:
        target_update(
            target=target,
            base_url="https://user:pw@api.example",
            ws_url="https://api.example",
            api_key="sk_new",
        )

    assert set(raised.value.message_dict) == {"base_url", "ws_url"}


def test_demo_setup_rerun_with_another_emulator_url_enters_the_demo_key_again(
    db: None, tmp_path: Path, settings: Any
) -> None:
    """Issue 11: the demo target follows a new --emulator-url with the demo key, and works."""
    settings.DEBUG, settings.BASE_DIR = True, tmp_path
    first_state, second_state = (
        EmulatorState([ApiKey(DEMO_SLNG_KEY, "org_local_demo", "lexicon")]) for _ in range(2)
    )
    with EmulatorThread(first_state) as first, EmulatorThread(second_state) as second:
        call_command("demo_setup", "--emulator-url", first.base_url, stdout=io.StringIO())
        proxy = RecordingProxy(_address(second))
        try:
            call_command("demo_setup", "--emulator-url", proxy.http_url, stdout=io.StringIO())
            target = SyncTarget.objects.select_related("organization").get(name="emulator")
            run = target_run(
                target_id=target.public_id,
                organization_id=target.organization.public_id,
                trigger="manual",
            )
        finally:
            proxy.close()

    assert (target.base_url, target.ws_url) == (proxy.http_url, proxy.ws_url)
    # the demo's two agents' dictionaries; its brand layer is never pushed on its own
    assert (run.status, run.verified) == (RunStatus.SUCCEEDED, 2)
    assert proxy.bearer_keys() == {DEMO_SLNG_KEY}


def test_a_target_added_in_the_admin_has_its_key_bound_and_a_schedule(
    organization: Organization, slng: EmulatorThread, boss: Client
) -> None:
    """Issue 11: the add form goes through target_create, like every other writer."""
    form = {
        "organization": str(organization.pk),
        "name": "staging",
        "base_url": slng.base_url,
        "ws_url": slng.ws_url,
        "model": "deepgram/aura:2",
        "enabled": "on",
        "interval_seconds": "120",
        "verify_route": "bridge",
        "channel": "latest",
        "runs-TOTAL_FORMS": "0",
        "runs-INITIAL_FORMS": "0",
    }

    blank = boss.post("/admin/sync/synctarget/add/", form)
    response = boss.post("/admin/sync/synctarget/add/", {**form, "api_key": SLNG_KEY_ACME})

    assert "api_key" in blank.context["adminform"].form.errors
    assert response.status_code == 302
    target = SyncTarget.objects.get(name="staging")
    assert target_api_key(target) == SLNG_KEY_ACME
    assert PeriodicTask.objects.get(name=f"sync {target.public_id}").interval.every == 120
