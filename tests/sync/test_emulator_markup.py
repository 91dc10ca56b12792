"""Issue 25: the emulator reads each markup its routes take and speaks the phonemes with
espeak-ng's phoneme input (an approximation), recording the text the model received."""

import shutil
from collections.abc import Iterator

import httpx
import pytest

from sync.emulator import ApiKey, EmulatorState, EmulatorThread
from sync.emulator.markup import espeak_phonemes, spoken

KEY, ORG = "sk_test_markup", "org_markup"
BRIDGE = "/v1/bridges/unmute/tts/"
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")


@pytest.fixture
def emulator() -> Iterator[EmulatorThread]:
    with EmulatorThread(EmulatorState([ApiKey(KEY, ORG)], speech="espeak")) as running:
        yield running


def _audio(emulator: EmulatorThread, model: str, text: str) -> bytes:
    response = httpx.post(
        emulator.base_url + BRIDGE + model,
        json={"text": text},
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=20,
    )
    assert response.status_code == 200, response.text
    return response.content


@pytest.mark.parametrize(
    ("model", "text"),
    [
        ("deepgram/aura:2", 'Say {"word": "Cartesia", "pronounce": "kɑɹˈtiʒə"} now'),
        ("cartesia/sonic:3", "Say <<k|ɑ|ɹ|ˈ|t|i|ʒ|ə>> now"),
        ("kugelaudio/kugel:1", "Say /kɑɹˈtiʒə/ now"),
        ("elevenlabs/eleven-flash:2", 'Say <phoneme alphabet="ipa" ph="kɑɹˈtiʒə">C</phoneme> now'),
    ],
)
def test_each_routes_markup_becomes_espeak_phoneme_input(model: str, text: str) -> None:
    assert spoken(text, model) == "Say [[kA:r'ti:Z@]] now"
    assert spoken(text, "sarvam/bulbul:v3") == text  # a model without phonemes reads it as text


def test_slashes_outside_kugelaudio_and_plain_words_stay_text() -> None:
    assert spoken("and/or /kɑɹ/", "deepgram/aura:2") == "and/or /kɑɹ/"
    assert espeak_phonemes("duːˈpɪljuːmæb") == "[[du:'pIlju:mab]]"


@needs_espeak
def test_the_markup_is_spoken_as_phonemes_and_recorded_as_received(
    emulator: EmulatorThread,
) -> None:
    received = "<<k|ɑ|ɹ|ˈ|t|i|ʒ|ə>>"
    on_cartesia = _audio(emulator, "cartesia/sonic:3", received)
    as_phonemes = _audio(emulator, "soniox/tts-rt:v1", "[[kA:r'ti:Z@]]")
    read_as_text = _audio(emulator, "soniox/tts-rt:v1", received)

    assert on_cartesia == as_phonemes
    assert on_cartesia != read_as_text
    assert emulator.state.sessions()[0].texts == [received]
