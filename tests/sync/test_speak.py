"""Issue 13: Listen. A text spoken by the target's TTS as written and as the rules rewrite it."""

import base64
import io
import re
import wave
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from orgs.models import Organization
from sync.emulator import ApiKey, EmulatorState, EmulatorThread
from sync.models import SyncTarget
from sync.services import target_create
from tests.browser.conftest import member
from tests.conftest import SLNG_KEY_ACME, UPSTREAM_ORG_ACME
from tests.factories import make_dictionary

pytestmark = pytest.mark.django_db

URL = "/v1/pronunciation/dictionaries/brand/speak"
TEXT = "Pay with QubePay today"
SPOKEN = "Pay with cube pay today"
MODES = {"rewrite": {"rules": [{"match": "QubePay", "replace": "cube pay"}]}}
DATA_URL = re.compile(r"data:audio/wav;base64,([A-Za-z0-9+/=]+)")


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    cache.clear()  # Listen answers and throttle counts live in the default cache
    yield
    cache.clear()


@pytest.fixture
def speaking() -> Iterator[EmulatorThread]:
    """The emulator saying the text with espeak-ng."""
    state = EmulatorState([ApiKey(SLNG_KEY_ACME, UPSTREAM_ORG_ACME, "lexicon")], speech="espeak")
    with EmulatorThread(state) as emulator:
        yield emulator


def make_target(organization: Organization, base_url: str, name: str = "emulator") -> SyncTarget:
    return target_create(
        organization=organization,
        name=name,
        base_url=base_url,
        ws_url=base_url.replace("http", "ws", 1),
        api_key=SLNG_KEY_ACME,
    )


@pytest.fixture
def brand(organization: Organization, speaking: EmulatorThread) -> Any:
    make_target(organization, speaking.base_url)
    return make_dictionary(organization, "brand", modes=MODES)


def wav_seconds(data_url: str) -> float:
    found = DATA_URL.fullmatch(data_url)
    assert found is not None
    with wave.open(io.BytesIO(base64.b64decode(found.group(1)))) as audio:
        assert (audio.getnchannels(), audio.getsampwidth()) == (1, 2)
        return audio.getnframes() / audio.getframerate()


def test_speak_answers_real_speech_before_and_after_the_rewrite(
    api: APIClient, brand: Any, speaking: EmulatorThread
) -> None:
    response = api.post(URL, {"text": TEXT}, format="json")

    assert response.status_code == 200
    body = response.json()
    before, after = (
        wav_seconds(body.pop("original_audio")),
        wav_seconds(body.pop("rewritten_audio")),
    )
    assert before > 0.5
    assert after > 0.5
    assert before != after  # "QubePay" and "cube pay" do not take as long to say
    assert body == {
        "text": SPOKEN,
        "applied": [
            {
                "rule_index": 0,
                "match": "QubePay",
                "replace": "cube pay",
                "start": 9,
                "end": 16,
                "out_start": 9,
                "out_end": 17,
            }
        ],
        "original_text": TEXT,
        "before_text": TEXT,  # the target serves no revision yet (issue 25)
        "before_revision": None,
        "content_hash": brand.content_hash,
        "target": "emulator",
        "voice": "",
        "heard_on": {
            "target": "emulator",
            "model": "deepgram/aura:2",
            "voice": "",
            "compiled_as": "deepgram-json",
            "words": "Heard on emulator — deepgram/aura:2",
        },
    }
    # Lexicon rewrote; the TTS got plain text, without a dictionary.
    sessions = speaking.state.sessions()
    assert [(s.kind, s.originals, s.texts) for s in sessions] == [
        ("http", [TEXT], [TEXT]),
        ("http", [SPOKEN], [SPOKEN]),
    ]
    assert all("pronunciation" not in (s.init or {}) for s in sessions)


def test_unsaved_modes_can_be_heard_and_are_validated_like_a_create(
    api: APIClient, brand: Any, speaking: EmulatorThread
) -> None:
    modes = {"rewrite": {"rules": [{"match": "today", "replace": "tomorrow"}]}}
    ok = api.post("/v1/pronunciation/speak", {"text": TEXT, "modes": modes}, format="json")
    bad = api.post("/v1/pronunciation/speak", {"text": TEXT, "modes": {"ssml": {}}}, format="json")

    assert (ok.status_code, ok.json()["text"]) == (200, "Pay with QubePay tomorrow")
    assert bad.status_code == 400
    body = bad.json()
    body.pop("slng_request_id")
    assert body == {
        "code": "invalid_pronunciation",
        "error": "Invalid pronunciation dictionary.",
        "fieldErrors": {"modes": ["unsupported mode: ssml", "modes.rewrite is required"]},
    }


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"text": "x" * 501}, {"text": ["must be at most 500 characters, got 501"]}),
        ({"text": "  "}, {"text": ["text is required and must be a non-empty string"]}),
        ({"text": "hi", "voice": 7}, {"voice": ["voice must be a string"]}),
    ],
)
def test_speak_input_is_bounded(
    api: APIClient, brand: Any, payload: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    response = api.post(URL, payload, format="json")

    assert response.status_code == 400
    assert response.json()["fieldErrors"] == errors


def test_answers_are_cached_by_content_text_voice_and_target(
    api: APIClient, brand: Any, speaking: EmulatorThread
) -> None:
    first = api.post(URL, {"text": TEXT}, format="json").json()
    again = api.post(URL, {"text": TEXT}, format="json").json()
    other_voice = api.post(URL, {"text": TEXT, "voice": "thalia"}, format="json").json()

    assert again == first
    assert other_voice["voice"] == "thalia"
    assert len(speaking.state.sessions()) == 4  # two clips, then two more for the other voice


def test_speak_is_rate_limited_per_key(api: APIClient, brand: Any, settings: Any) -> None:
    settings.LEXICON_SPEAK_RATE_LIMIT = "2/min"

    statuses = [api.post(URL, {"text": f"{TEXT} {i}"}, format="json").status_code for i in range(3)]

    assert statuses == [200, 200, 429]


def test_a_tts_that_is_down_is_503(api: APIClient, organization: Organization) -> None:
    make_target(organization, "http://127.0.0.1:9")
    make_dictionary(organization, "brand", modes=MODES)

    response = api.post(URL, {"text": TEXT}, format="json")

    assert response.status_code == 503
    body = response.json()
    body.pop("slng_request_id")
    assert body == {
        "code": "pronunciation_unavailable",
        "error": "The TTS of target emulator is unavailable (unreachable or too slow).",
    }


def test_a_slow_tts_is_503_within_the_timeout(
    api: APIClient, brand: Any, speaking: EmulatorThread, settings: Any
) -> None:
    settings.LEXICON_SPEAK_TIMEOUT_SECONDS = 0.3
    speaking.state.set_latency(http_ms=5_000)

    response = api.post(URL, {"text": TEXT}, format="json")

    assert (response.status_code, response.json()["code"]) == (503, "pronunciation_unavailable")


def test_targets_are_the_callers_own(
    api: APIClient, other_api: APIClient, brand: Any, other_organization: Organization
) -> None:
    make_target(other_organization, "http://127.0.0.1:9", name="theirs")
    make_dictionary(other_organization, "brand", modes=MODES)

    mine = api.post(URL, {"text": TEXT, "target": "theirs"}, format="json")
    theirs = other_api.post(URL, {"text": TEXT, "target": "emulator"}, format="json")

    assert (mine.status_code, mine.json()["error"]) == (404, "Sync target not found: theirs")
    assert (theirs.status_code, theirs.json()["code"]) == (404, "pronunciation_not_found")


def test_too_much_audio_from_the_tts_is_503(api: APIClient, brand: Any, settings: Any) -> None:
    settings.LEXICON_SPEAK_MAX_AUDIO_BYTES = 1000

    response = api.post(URL, {"text": TEXT}, format="json")

    assert (response.status_code, response.json()["code"]) == (503, "pronunciation_unavailable")


def test_admin_listen_speaks_the_pages_rules_within_the_users_organizations(
    client: Any, brand: Any, other_organization: Organization
) -> None:
    client.force_login(member("linguist", brand.organization, "viewer"))
    theirs = make_dictionary(other_organization, "theirs", modes=MODES)
    modes = {"rewrite": {"rules": [{"match": "today", "replace": "tomorrow"}]}}

    ok = client.post(
        f"/admin/pronunciations/dictionary/{brand.pk}/speak/",
        {"text": TEXT, "modes": modes},
        content_type="application/json",
    )
    bad = client.post(
        f"/admin/pronunciations/dictionary/{brand.pk}/speak/",
        {"text": TEXT, "modes": {"rewrite": {}}},
        content_type="application/json",
    )
    other = client.post(
        f"/admin/pronunciations/dictionary/{theirs.pk}/speak/",
        {"text": TEXT, "modes": modes},
        content_type="application/json",
    )

    assert (ok.status_code, ok.json()["text"]) == (200, "Pay with QubePay tomorrow")
    assert (bad.status_code, list(bad.json()["errors"])) == (400, ["modes.rewrite.rules"])
    assert other.status_code == 404
