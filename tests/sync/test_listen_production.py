"""Issue 25: Listen speaks as production will: through a target's model and voice, "before"
being what that target serves now (its live revision, compiled), "after" the edit compiled the
same way; over the HTTP bridge with SLNG's body."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from orgs.models import Organization
from pronunciations.services import dictionary_update
from sync.emulator import ApiKey, EmulatorState, EmulatorThread
from sync.models import Channel
from sync.services import target_run
from tests.factories import make_dictionary
from tests.sync.conftest import emulator_target

pytestmark = pytest.mark.django_db

LIVE = {"rewrite": {"rules": [{"match": "ACME", "replace": "ay see em ee"}]}}
EDIT = {
    "rewrite": {"rules": [{"match": "ACME", "replace": "acme corp"}]},
    "ipa": {"rules": [{"match": "Cartesia", "ipa": "kɑɹˈtiʒə"}]},
}


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def upstreams() -> Iterator[EmulatorThread]:
    keys = [ApiKey("sk_test_stage", "org_stage", "s"), ApiKey("sk_test_prod", "org_prod", "p")]
    with EmulatorThread(EmulatorState(keys)) as emulator:
        yield emulator


def _received(emulator: EmulatorThread) -> list[str]:
    return [text for session in emulator.state.sessions() for text in session.texts]


def test_before_is_the_live_revision_of_production_compiled_after_is_the_edit(
    organization: Organization, upstreams: EmulatorThread, api: APIClient
) -> None:
    emulator_target(organization, "staging", upstreams, api_key="sk_test_stage")
    production = emulator_target(
        organization,
        "production",
        upstreams,
        api_key="sk_test_prod",
        model="cartesia/sonic:3",
        voice="thalia",
        channel=Channel.APPROVED,
    )
    make_dictionary(organization, "brand", modes=LIVE)
    target_run(
        target_id=production.public_id,
        organization_id=organization.public_id,
        trigger="manual",
    )
    dictionary_update(organization=organization, name="brand", modes=EDIT)  # not synced yet
    upstreams.state.clear_requests()
    sessions = len(upstreams.state.sessions())

    answer = api.post(
        "/v1/pronunciation/dictionaries/brand/speak", {"text": "ACME loves Cartesia"}, format="json"
    ).json()

    assert answer["heard_on"] == {
        "target": "production",
        "model": "cartesia/sonic:3",
        "voice": "thalia",
        "compiled_as": "cartesia-bars",
        "words": "Heard on production — cartesia/sonic:3, thalia",
    }
    assert answer["before_revision"] == 1
    assert answer["before_text"] == "ay see em ee loves Cartesia"
    assert answer["text"] == "acme corp loves <<k|ɑ|ɹ|ˈ|t|i|ʒ|ə>>"
    # the model received exactly those, over the HTTP bridge, with the body SLNG's clients send
    assert _received(upstreams)[sessions:] == [answer["before_text"], answer["text"]]
    posts = [r for r in upstreams.state.requests() if r.method == "POST"]
    assert {r.path for r in posts} == {"/v1/bridges/unmute/tts/cartesia/sonic:3"}
    bodies = [s.init for s in upstreams.state.sessions()[sessions:]]
    assert all(set(body or {}) == {"voice"} for body in bodies)


def test_a_target_that_serves_nothing_yet_says_the_text_as_written(
    organization: Organization, upstreams: EmulatorThread, api: APIClient
) -> None:
    emulator_target(organization, "staging", upstreams, api_key="sk_test_stage")
    make_dictionary(organization, "brand", modes=EDIT)

    answer = api.post(
        "/v1/pronunciation/dictionaries/brand/speak", {"text": "Cartesia"}, format="json"
    ).json()

    assert (answer["before_revision"], answer["before_text"]) == (None, "Cartesia")
    assert answer["text"] == '{"word": "Cartesia", "pronounce": "kɑɹˈtiʒə"}'
    assert answer["heard_on"]["words"] == "Heard on staging — deepgram/aura:2"


def test_the_panel_offers_each_target_with_production_chosen(
    organization: Organization, upstreams: EmulatorThread, boss: Client
) -> None:
    emulator_target(organization, "a-staging", upstreams, api_key="sk_test_stage")
    emulator_target(
        organization,
        "production",
        upstreams,
        api_key="sk_test_prod",
        voice="thalia",
        channel=Channel.APPROVED,
    )
    dictionary = make_dictionary(organization, "brand", modes=LIVE)

    page = boss.get(f"/admin/pronunciations/dictionary/{dictionary.pk}/change/").content.decode()

    heard = "Heard on production — deepgram/aura:2, thalia"
    assert f'<option value="production" data-heard="{heard}" selected>' in page
    assert "Heard on production — deepgram/aura:2, thalia</span>" in page
    assert '<option value="a-staging"' in page
