"""Issue 13: SLNG's published client libraries, driven through their own code, against the emulator.

pipecat-slng (WebSocket bridge, binary audio), livekit-plugins-slng (WebSocket bridge) and
voiceai-sdk (HTTP TTS) talk to the emulator on loopback exactly as they would talk to SLNG. The
only change is pipecat's URL: it builds ``wss://{region}.api.slng.ai`` from a region name, so a
subclass swaps that prefix for the emulator's and touches nothing else.
"""

import asyncio
import io
import wave
from collections.abc import Iterator
from typing import Any, Final

import aiohttp
import pytest
from livekit.agents import APIStatusError
from livekit.plugins import slng as livekit_slng
from pipecat.frames.frames import ErrorFrame, TTSAudioRawFrame, TTSSpeakFrame
from pipecat.tests.utils import run_test
from pipecat_slng import SlngTTSService
from voiceai_sdk import BadRequestError, Slng

from sync.emulator import ApiKey, EmulatorState, EmulatorThread, SessionRecord

KEY, ORG = "sk_test_clients", "org_clients"
MODEL: Final = "slng/deepgram/aura:2-en"
TEXT = "Pay with QubePay today"
SPOKEN = "Pay with cube pay today"
RULES = [{"match": "QubePay", "replace": "cube pay"}]


@pytest.fixture
def emulator() -> Iterator[EmulatorThread]:
    state = EmulatorState([ApiKey(KEY, ORG, "clients")], speech="espeak")
    with EmulatorThread(state) as running:
        yield running


@pytest.fixture
def dictionary(emulator: EmulatorThread) -> dict[str, Any]:
    body = {"name": "brand", "modes": {"rewrite": {"rules": RULES}}}
    return emulator.state.create_dictionary(ORG, body)


def by(kind: str, dictionary: dict[str, Any]) -> dict[str, str]:
    return {"mode": "rewrite", kind: dictionary["id" if kind == "dictionary_id" else "name"]}


def only_session(emulator: EmulatorThread) -> SessionRecord:
    sessions = emulator.state.sessions()
    assert len(sessions) == 1, [s.path for s in sessions]  # one session: no retry storm
    return sessions[0]


# -- pipecat-slng ------------------------------------------------------------------------------


def pipecat_service(emulator: EmulatorThread, reference: dict[str, str]) -> SlngTTSService:
    class LocalSlngTTSService(SlngTTSService):
        """The URL shim: pipecat's own URL with the emulator's origin."""

        def _connection_options(self) -> tuple[str, dict[str, str], str]:
            url, headers, init = super()._connection_options()
            return url.replace(f"wss://{self._world_part.host}", emulator.ws_url), headers, init

    return LocalSlngTTSService(
        api_key=KEY,
        world_part="eu-north",
        model=MODEL,
        sample_rate=16000,
        external_agent_id="agent-7",
        external_session_id="call-42",
        pronunciation=reference,
    )


def pipecat_speak(service: SlngTTSService) -> tuple[bytes, list[str]]:
    down, up = asyncio.run(run_test(service, frames_to_send=[TTSSpeakFrame(TEXT)]))
    audio = b"".join(frame.audio for frame in down if isinstance(frame, TTSAudioRawFrame))
    return audio, [frame.error for frame in up if isinstance(frame, ErrorFrame)]


@pytest.mark.parametrize("kind", ["name", "dictionary_id"])
def test_pipecat_receives_all_the_audio_of_the_rewritten_text(
    emulator: EmulatorThread, dictionary: dict[str, Any], kind: str
) -> None:
    """Issue 13: pipecat reads only binary frames on the bridge; it used to get no audio."""
    audio, errors = pipecat_speak(pipecat_service(emulator, by(kind, dictionary)))

    session = only_session(emulator)
    assert errors == []
    assert session.path == f"/v1/bridges/unmute/tts/{MODEL}"
    assert session.texts == [SPOKEN]
    assert len(audio) == session.audio_bytes > 16000  # every byte sent, over half a second
    assert session.headers["x-slng-agent-id"] == "agent-7"
    assert session.headers["x-slng-session-id"] == "call-42"
    assert "voice" not in (session.init or {})


def test_pipecat_unknown_dictionary_is_one_error_and_one_session(
    emulator: EmulatorThread,
) -> None:
    """Issue 13: an unknown dictionary used to cost pipecat three sessions per utterance."""
    _, errors = pipecat_speak(pipecat_service(emulator, {"mode": "rewrite", "name": "ghost"}))

    session = only_session(emulator)
    assert errors == ["Pronunciation dictionary not found: ghost"]
    assert session.errors == ["pronunciation_not_found"]


# -- livekit-plugins-slng ----------------------------------------------------------------------


async def livekit_speak(emulator: EmulatorThread, reference: dict[str, str]) -> bytes:
    async with aiohttp.ClientSession() as http:
        tts = livekit_slng.TTS(
            api_key=KEY,
            model=MODEL,
            voice="aura-2-thalia-en",
            slng_base_url=f"127.0.0.1:{emulator.port}",
            http_session=http,
            external_session_id="room-1",
            pronunciation=reference,
        )
        try:
            frames = [event.frame async for event in tts.synthesize(TEXT)]
        finally:
            await tts.aclose()
    return b"".join(frame.data.tobytes() for frame in frames)


@pytest.mark.parametrize("kind", ["name", "dictionary_id"])
def test_livekit_receives_all_the_audio_of_the_rewritten_text(
    emulator: EmulatorThread, dictionary: dict[str, Any], kind: str
) -> None:
    audio = asyncio.run(livekit_speak(emulator, by(kind, dictionary)))

    session = only_session(emulator)
    assert session.texts == [SPOKEN]
    assert session.headers["x-slng-session-id"] == "room-1"
    sent = session.audio_bytes
    assert sent > 16000
    # LiveKit pads its last frame with silence to a whole frame; everything sent is there.
    assert len(audio) >= sent
    assert audio[sent:] == bytes(len(audio) - sent)
    assert audio[:sent].strip(b"\0")


def test_livekit_unknown_dictionary_is_a_404_it_does_not_retry(emulator: EmulatorThread) -> None:
    """Issue 13: LiveKit retried an unknown dictionary four times."""
    with pytest.raises(APIStatusError) as caught:
        asyncio.run(livekit_speak(emulator, {"mode": "rewrite", "name": "ghost"}))

    assert caught.value.status_code == 404
    assert caught.value.retryable is False
    assert "Pronunciation dictionary not found: ghost" in caught.value.message
    assert only_session(emulator).errors == ["pronunciation_not_found"]


# -- voiceai-sdk (HTTP TTS) --------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["name", "dictionary_id"])
def test_voiceai_http_tts_answers_a_wav_of_the_rewritten_text(
    emulator: EmulatorThread, dictionary: dict[str, Any], kind: str
) -> None:
    """Issue 13: voiceai-sdk got 405; the emulator had no HTTP TTS."""
    client = Slng(api_key=KEY, base_url=emulator.base_url)

    response = client.text_to_speech.create(
        MODEL, text=TEXT, voice="thalia", extra_body={"pronunciation": by(kind, dictionary)}
    )

    assert response.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(response.read())) as audio:
        assert (audio.getnchannels(), audio.getsampwidth()) == (1, 2)
        assert audio.getnframes() / audio.getframerate() > 0.5
    session = only_session(emulator)
    assert (session.kind, session.texts, session.originals) == ("http", [SPOKEN], [TEXT])
    assert session.init == {"voice": "thalia", "pronunciation": by(kind, dictionary)}


def test_voiceai_unknown_dictionary_is_400_invalid_pronunciation(emulator: EmulatorThread) -> None:
    client = Slng(api_key=KEY, base_url=emulator.base_url)

    with pytest.raises(BadRequestError) as caught:
        client.text_to_speech.create(
            "deepgram/aura:2",
            text=TEXT,
            extra_body={"pronunciation": {"mode": "rewrite", "name": "x"}},
        )

    body = dict(caught.value.body)  # type: ignore[call-overload]
    body.pop("slng_request_id")
    assert body == {
        "code": "invalid_pronunciation",
        "error": "Pronunciation dictionary not found: x",
    }
    assert [(r.method, r.status) for r in emulator.state.requests()] == [("POST", 400)]
