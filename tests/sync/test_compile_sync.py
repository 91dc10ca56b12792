"""Issue 25: each target receives its model's compilation, over real sockets to the emulator."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from orgs.models import Organization
from sync.admin.dictionary import target_rows
from sync.emulator import ApiKey, EmulatorState, EmulatorThread
from sync.models import SyncState, SyncStatus, SyncTarget
from sync.services import target_run, target_update
from tests.factories import make_dictionary
from tests.sync.conftest import emulator_target, target_form, upstream

pytestmark = pytest.mark.django_db

MODELS = {
    "deepgram": "deepgram/aura:2",
    "cartesia": "cartesia/sonic:3",
    "kugel": "kugelaudio/kugel:1",
    "eleven": "elevenlabs/eleven-flash:2",
    "sarvam": "sarvam/bulbul:v3",
}
EXPECTED = {
    "deepgram": '{"word": "Cartesia", "pronounce": "kɑɹˈtiʒə"}',
    "cartesia": "<<k|ɑ|ɹ|ˈ|t|i|ʒ|ə>>",
    "kugel": "/kɑɹˈtiʒə/",
    "eleven": '<phoneme alphabet="ipa" ph="kɑɹˈtiʒə">Cartesia</phoneme>',
}
MODES = {
    "rewrite": {"rules": [{"match": "ACME", "replace": "acme"}]},
    "ipa": {"rules": [{"match": "Cartesia", "ipa": "kɑɹˈtiʒə"}]},
}


@pytest.fixture
def upstreams() -> Any:
    """One emulator, one SLNG organization (and key) per target."""
    state = EmulatorState([ApiKey(f"sk_test_{name}", f"org_{name}", "sync") for name in MODELS])
    with EmulatorThread(state) as emulator:
        yield emulator


def _run(target: SyncTarget) -> Any:
    return target_run(
        target_id=target.public_id, organization_id=target.organization.public_id, trigger="manual"
    )


def test_each_upstream_holds_exactly_its_models_compilation(
    organization: Organization, upstreams: EmulatorThread, api: Any
) -> None:
    make_dictionary(organization, "brand", modes=MODES)
    targets = {
        name: emulator_target(organization, name, upstreams, api_key=f"sk_test_{name}", model=model)
        for name, model in MODELS.items()
    }
    for target in targets.values():
        assert _run(target).status == "succeeded"

    for name, replacement in EXPECTED.items():
        held = upstream(upstreams, f"org_{name}")["brand"]["modes"]
        assert held == {
            "rewrite": {
                "rules": [
                    {"match": "ACME", "replace": "acme"},
                    {"match": "Cartesia", "replace": replacement},
                ]
            },
            "ipa": MODES["ipa"],
        }, name
    assert upstream(upstreams, "org_sarvam")["brand"]["modes"] == MODES
    # the model received the markup when the run verified the dictionary
    spoken = [text for session in upstreams.state.sessions() for text in session.texts]
    assert "acme" in spoken

    body = api.get("/v1/pronunciation/dictionaries/brand/sync").json()
    rows = {row["target"]: row for row in body["targets"]}
    assert rows["sarvam"]["not_audible"] == {
        "rules": ["Cartesia"],
        "message": "1 IPA rule ('Cartesia') is not audible on sarvam/bulbul:v3: it takes no "
        "phonemes, so only rewrite rules change what it says",
    }
    assert rows["deepgram"]["not_audible"] is None
    assert rows["cartesia"]["compiled_as"] == "cartesia-bars"


def test_a_model_change_recompiles_what_the_upstream_holds(
    organization: Organization, upstreams: EmulatorThread
) -> None:
    """Verified content compiled for the old model is not "untouched" for the new one."""
    make_dictionary(organization, "brand", modes=MODES)
    target = emulator_target(
        organization, "t", upstreams, api_key="sk_test_sarvam", model=MODELS["sarvam"]
    )
    _run(target)
    target_update(target=target, model=MODELS["kugel"], api_key="sk_test_sarvam")

    run = _run(target)

    assert run.replaced == 1
    rules = upstream(upstreams, "org_sarvam")["brand"]["modes"]["rewrite"]["rules"]
    assert rules[-1] == {"match": "Cartesia", "replace": "/kɑɹˈtiʒə/"}
    assert SyncState.objects.get(target=target).compiled_with == "slashes"


def test_over_the_limit_once_compiled_nothing_is_sent_and_the_status_says_why(
    organization: Organization, upstreams: EmulatorThread
) -> None:
    modes = {
        "rewrite": {"rules": [{"match": f"word{i}", "replace": "x"} for i in range(250)]},
        "ipa": {"rules": [{"match": f"name{i}", "ipa": "ə"} for i in range(10)]},
    }
    dictionary = make_dictionary(organization, "big", modes=modes)
    target = emulator_target(
        organization, "t", upstreams, api_key="sk_test_deepgram", model=MODELS["deepgram"]
    )
    upstreams.state.clear_requests()

    run = _run(target)

    assert (run.status, run.failed, run.created) == ("failed", 1, 0)
    assert [r.method for r in upstreams.state.requests()] == ["GET"]  # the list, nothing else
    state = SyncState.objects.get(target=target, dictionary=dictionary)
    assert (state.status, state.last_error_code) == (SyncStatus.FAILED, "compiled_over_limit")
    assert state.last_error_message == (
        "compiled for deepgram/aura:2, the dictionary has 260 rewrite rules, over SLNG's limit "
        "of 256 a mode: nothing was sent"
    )


def test_a_second_target_on_the_same_upstream_that_compiles_differently_is_refused(
    organization: Organization, upstreams: EmulatorThread
) -> None:
    """The naming rule: one SLNG organization (same URL and key) holds one compilation."""
    emulator_target(organization, "first", upstreams, api_key="sk_test_deepgram")
    with pytest.raises(ValidationError) as refused:
        emulator_target(
            organization, "second", upstreams, api_key="sk_test_deepgram", model=MODELS["sarvam"]
        )
    [message] = refused.value.message_dict["model"]
    assert message.startswith("Target “first” pushes to the same SLNG organization")
    assert "compiled as deepgram-json; sarvam/bulbul:v3 needs them compiled as plain" in message
    # alike compilations may share it; another key is another SLNG organization
    alike = emulator_target(
        organization,
        "alike",
        upstreams,
        api_key="sk_test_deepgram",
        model="slng/deepgram/aura:2-en",
    )
    emulator_target(
        organization, "other", upstreams, api_key="sk_test_sarvam", model=MODELS["sarvam"]
    )
    with pytest.raises(ValidationError) as changed:
        target_update(target=alike, model=MODELS["cartesia"], api_key="sk_test_deepgram")
    assert list(changed.value.message_dict) == ["model"]
    assert SyncTarget.objects.get(pk=alike.pk).model == "slng/deepgram/aura:2-en"


def test_the_admin_form_says_which_target_shares_the_upstream(
    organization: Organization, upstreams: EmulatorThread, boss: Any
) -> None:
    emulator_target(organization, "first", upstreams, api_key="sk_test_deepgram")
    second = emulator_target(
        organization, "second", upstreams, api_key="sk_test_deepgram", model="deepgram/aura:2"
    )
    page = boss.post(
        f"/admin/sync/synctarget/{second.pk}/change/",
        target_form(second, model=MODELS["kugel"], api_key="sk_test_deepgram"),
    )
    assert page.status_code == 200
    assert "Target “first” pushes to the same SLNG organization" in page.content.decode()
    assert SyncTarget.objects.get(pk=second.pk).model == "deepgram/aura:2"


def test_the_sync_panel_says_which_rules_a_model_cannot_speak(
    organization: Organization, upstreams: EmulatorThread
) -> None:
    dictionary = make_dictionary(organization, "brand", modes=MODES)
    emulator_target(organization, "a", upstreams, api_key="sk_test_sarvam", model=MODELS["sarvam"])
    emulator_target(organization, "b", upstreams, api_key="sk_test_kugel", model=MODELS["kugel"])

    rows, _ = target_rows(dictionary)

    assert [(row["target"], row["model"]) for row in rows] == [
        ("a", "sarvam/bulbul:v3"),
        ("b", "kugelaudio/kugel:1"),
    ]
    assert rows[0]["audible"].startswith("1 IPA rule ('Cartesia') is not audible on sarvam/")
    assert rows[1]["audible"] == ""
