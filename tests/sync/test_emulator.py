"""The SLNG emulator over real loopback sockets: HTTP API, TTS WebSocket, faults and admin."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import re
import time
from collections.abc import Iterator
from typing import Any
from unittest.mock import ANY

import httpx
import pytest
from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK, InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.sync.connection import Connection

from sync.emulator import ApiKey, EmulatorState, EmulatorThread, load_keys, start_emulator
from sync.emulator.ids import new_ulid
from sync.emulator.server import is_loopback

KEY_A, KEY_B, KEY_UNLABELLED = "sk_test_alpha", "sk_test_bravo", "sk_test_nolabel"
COLLECTION = "/v1/pronunciation/dictionaries"
NATIVE_PATH = "/v1/tts/slng/deepgram/aura:2"
BRIDGE_PATH = "/v1/bridges/unmute/tts/slng/deepgram/aura:2-en"
ULID = r"[0-9A-HJKMNP-TV-Z]{26}"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
TIMEOUT = 5.0
UNAUTHENTICATED = {
    "code": "pronunciation_unauthenticated",
    "error": "Missing or invalid organization context.",
}
UNAVAILABLE = {
    "code": "pronunciation_unavailable",
    "error": "Pronunciation dictionaries are temporarily unavailable.",
}
RULES = [
    {"match": "SLNG", "replace": "slang"},
    {"match": "ACH", "replace": "ay see aitch"},
    {"match": "ACH transfer", "replace": "ay see aitch transfer"},
]


class FakeClock:
    """A monotonic clock the test moves by hand (for the visibility delay)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def state(clock: FakeClock) -> EmulatorState:
    keys = [
        ApiKey(KEY_A, "org_alpha", "production-key"),
        ApiKey(KEY_B, "org_bravo", "bravo-key"),
        ApiKey(KEY_UNLABELLED, "org_alpha"),
    ]
    return EmulatorState(keys, clock=clock)


@pytest.fixture
def emulator(state: EmulatorState) -> Iterator[EmulatorThread]:
    running = EmulatorThread(state).start()
    yield running
    running.stop()


@pytest.fixture
def client(emulator: EmulatorThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.base_url, timeout=TIMEOUT, trust_env=False) as http:
        yield http


def auth(key: str = KEY_A) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def body_for(name: str = "brand", rules: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"name": name, "modes": {"rewrite": {"rules": RULES if rules is None else rules}}}


def create(client: httpx.Client, body: object, key: str = KEY_A) -> httpx.Response:
    return client.post(COLLECTION, json=body, headers=auth(key))


def expected_hash(modes: dict[str, Any]) -> str:
    canonical = json.dumps(modes, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def without_generated(body: dict[str, Any]) -> dict[str, Any]:
    """Check the generated id and timestamp formats, then drop them for a whole-body compare."""
    assert re.fullmatch("pd_" + ULID, body["id"])
    assert TIMESTAMP.fullmatch(body["created_at"])
    return {k: v for k, v in body.items() if k not in ("id", "created_at")}


def error_body(response: httpx.Response) -> dict[str, Any]:
    """Check the request id (format, and equal to the header), then return the rest."""
    body = dict(response.json())
    request_id = body.pop("slng_request_id")
    assert re.fullmatch("req_" + ULID, request_id)
    assert response.headers["X-Request-Id"] == request_id
    return body


def open_ws(
    emulator: EmulatorThread, path: str = NATIVE_PATH, key: str | None = KEY_A, **kwargs: Any
) -> ClientConnection:
    headers = auth(key) if key else None
    return connect(
        emulator.ws_url + path,
        additional_headers=headers,
        proxy=None,
        open_timeout=TIMEOUT,
        **kwargs,
    )


def send(ws: Connection, **message: Any) -> None:
    ws.send(json.dumps(message))


def recv(ws: Connection) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(ws.recv(timeout=TIMEOUT))
    return frame


def init(ws: Connection, **config: Any) -> dict[str, Any]:
    send(ws, type="init", model="aura:2", voice="thalia", config=config)
    return recv(ws)


def speak(ws: Connection, text: str, **extra: Any) -> list[dict[str, Any]]:
    """Send one flushed text turn; return every frame up to and including audio_end."""
    send(ws, type="text", text=text, flush=True, **extra)
    frames = [recv(ws)]
    while frames[-1]["type"] not in ("audio_end", "error"):
        frames.append(recv(ws))
    return frames


def reference(name: str) -> dict[str, str]:
    return {"mode": "rewrite", "name": name}


# -- create --------------------------------------------------------------------------------------


def test_create_returns_201_and_the_whole_dictionary(client: httpx.Client) -> None:
    modes = {"rewrite": {"rules": RULES}, "ipa": {"rules": [{"match": "SLNG", "ipa": "slɪŋ"}]}}
    metadata = {"language": "hi-IN", "providers": ["sarvam", "cartesia"]}
    response = create(
        client, {"name": "Brand-Pronunciations", "modes": modes, "metadata": metadata}
    )
    assert response.status_code == 201
    assert re.fullmatch("req_" + ULID, response.headers["X-Request-Id"])
    assert without_generated(response.json()) == {
        "org_id": "org_alpha",
        "name": "Brand-Pronunciations",
        "normalized_name": "brand-pronunciations",
        "modes": modes,
        "content_hash": expected_hash(modes),
        "metadata": metadata,
        "created_by_key_label": "production-key",
    }


def test_create_omits_metadata_and_label_when_absent(client: httpx.Client) -> None:
    response = create(client, body_for(), key=KEY_UNLABELLED)
    assert response.status_code == 201
    assert without_generated(response.json()) == {
        "org_id": "org_alpha",
        "name": "brand",
        "normalized_name": "brand",
        "modes": {"rewrite": {"rules": RULES}},
        "content_hash": expected_hash({"rewrite": {"rules": RULES}}),
    }


def test_create_accepts_the_documented_limits(client: httpx.Client) -> None:
    rules = [{"match": f"w{i}".ljust(128, "x"), "replace": "r" * 256} for i in range(256)]
    response = create(client, body_for("n" * 128, rules))
    assert response.status_code == 201


def test_create_rejects_name_differing_only_by_case(client: httpx.Client) -> None:
    assert create(client, body_for("Brand")).status_code == 201
    response = create(client, body_for("BRAND"))
    assert response.status_code == 409
    assert error_body(response) == {
        "code": "pronunciation_conflict",
        "error": "Pronunciation dictionary already exists: BRAND",
    }


TOO_MANY_RULES = [{"match": f"m{i}", "replace": "r"} for i in range(257)]


@pytest.mark.parametrize(
    ("body", "field_errors"),
    [
        ({"modes": {"rewrite": {"rules": []}}}, {"name": ["name is required"]}),
        (body_for("bad name"), {"name": ["name must match ^[A-Za-z0-9._-]+$"]}),
        (body_for(""), {"name": ["name must not be empty"]}),
        (body_for("n" * 129), {"name": ["name must be at most 128 characters"]}),
        ({"name": 5, "modes": {"rewrite": {"rules": []}}}, {"name": ["name must be a string"]}),
        ({"name": "x"}, {"modes": ["modes is required"]}),
        ({"name": "x", "modes": []}, {"modes": ["modes must be an object"]}),
        ({"name": "x", "modes": {}}, {"modes": ["modes.rewrite is required"]}),
        (
            {"name": "x", "modes": {"rewrite": {}}},
            {"modes.rewrite": ["modes.rewrite.rules is required"]},
        ),
        (
            {"name": "x", "modes": {"rewrite": {"rules": []}, "phoneme": {}}},
            {"modes.phoneme": ["modes.phoneme is not a supported mode"]},
        ),
        (
            {"name": "x", "modes": {"rewrite": {"rules": {}}}},
            {"modes.rewrite.rules": ["modes.rewrite.rules must be an array"]},
        ),
        (
            body_for("x", TOO_MANY_RULES),
            {"modes.rewrite.rules": ["modes.rewrite.rules must have at most 256 items"]},
        ),
        (
            body_for("x", [RULES[0], RULES[1], RULES[2], {"match": "m" * 129, "replace": "r"}]),
            {
                "modes.rewrite.rules[3].match": [
                    "modes.rewrite.rules[3].match must be at most 128 characters"
                ]
            },
        ),
        (
            body_for("x", [{"match": "m", "replace": "r" * 257}]),
            {
                "modes.rewrite.rules[0].replace": [
                    "modes.rewrite.rules[0].replace must be at most 256 characters"
                ]
            },
        ),
        (
            body_for("x", [{"match": "", "replace": ""}]),
            {
                "modes.rewrite.rules[0].match": ["modes.rewrite.rules[0].match must not be empty"],
                "modes.rewrite.rules[0].replace": [
                    "modes.rewrite.rules[0].replace must not be empty"
                ],
            },
        ),
        (
            body_for("x", [{"match": "m"}, "rule"]),  # type: ignore[list-item]
            {
                "modes.rewrite.rules[0]": ["modes.rewrite.rules[0].replace is required"],
                "modes.rewrite.rules[1]": ["modes.rewrite.rules[1] must be an object"],
            },
        ),
        (
            {
                "name": "x",
                "modes": {
                    "rewrite": {"rules": []},
                    "ipa": {"rules": [{"match": "m", "ipa": "i" * 257}]},
                },
            },
            {"modes.ipa.rules[0].ipa": ["modes.ipa.rules[0].ipa must be at most 256 characters"]},
        ),
        ({**body_for("x"), "metadata": ["a"]}, {"metadata": ["metadata must be an object"]}),
        ({**body_for("x"), "metadata": None}, {"metadata": ["metadata must be an object"]}),
        ([], {"body": ["Request body must be a JSON object."]}),
    ],
)
def test_create_rejects_invalid_bodies_with_field_errors(
    client: httpx.Client, body: object, field_errors: dict[str, list[str]]
) -> None:
    response = create(client, body)
    assert response.status_code == 400
    assert error_body(response) == {
        "code": "invalid_pronunciation",
        "error": "Invalid pronunciation dictionary.",
        "fieldErrors": field_errors,
    }


def test_create_rejects_malformed_json(client: httpx.Client) -> None:
    response = client.post(COLLECTION, content=b'{"name": ', headers=auth())
    assert response.status_code == 400
    assert error_body(response) == {
        "code": "invalid_pronunciation",
        "error": "Invalid pronunciation dictionary.",
        "fieldErrors": {"body": ["Malformed JSON."]},
    }


def test_create_accepts_an_ipa_mode_without_rules(client: httpx.Client) -> None:
    response = create(client, {"name": "x", "modes": {"rewrite": {"rules": []}, "ipa": {}}})
    assert response.status_code == 201
    assert response.json()["modes"] == {"rewrite": {"rules": []}, "ipa": {}}


# -- list, get, delete -----------------------------------------------------------------------------


def test_list_is_empty_for_a_new_org(client: httpx.Client) -> None:
    response = client.get(COLLECTION, headers=auth())
    assert response.status_code == 200
    assert response.json() == {"dictionaries": []}


def test_list_returns_every_dictionary_sorted_by_normalized_name(client: httpx.Client) -> None:
    created = [create(client, body_for(name)).json() for name in ("zeta", "Alpha", "beta")]
    response = client.get(COLLECTION, headers=auth())
    assert response.status_code == 200
    by_name = {item["name"]: item for item in created}
    assert response.json() == {"dictionaries": [by_name["Alpha"], by_name["beta"], by_name["zeta"]]}


def test_get_returns_the_dictionary_by_case_insensitive_name(client: httpx.Client) -> None:
    created = create(client, body_for("Brand")).json()
    response = client.get(f"{COLLECTION}/bRaNd", headers=auth())
    assert response.status_code == 200
    assert response.json() == created


def test_get_unknown_name_is_404(client: httpx.Client) -> None:
    response = client.get(f"{COLLECTION}/missing", headers=auth())
    assert response.status_code == 404
    assert error_body(response) == {
        "code": "pronunciation_not_found",
        "error": "Pronunciation dictionary not found: missing",
    }


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_malformed_path_name_is_400(client: httpx.Client, method: str) -> None:
    response = client.request(method, f"{COLLECTION}/{'n' * 129}", headers=auth())
    assert response.status_code == 400
    assert error_body(response) == {
        "code": "invalid_pronunciation",
        "error": "Invalid pronunciation dictionary.",
        "fieldErrors": {"name": ["name must be at most 128 characters"]},
    }


def test_delete_returns_204_with_no_body_then_404(client: httpx.Client) -> None:
    create(client, body_for("brand"))
    response = client.delete(f"{COLLECTION}/BRAND", headers=auth())
    assert response.status_code == 204
    assert response.content == b""
    assert client.get(f"{COLLECTION}/brand", headers=auth()).status_code == 404
    again = client.delete(f"{COLLECTION}/brand", headers=auth())
    assert again.status_code == 404
    assert error_body(again)["code"] == "pronunciation_not_found"


def test_delete_then_create_gives_a_new_id(client: httpx.Client) -> None:
    first = create(client, body_for()).json()
    client.delete(f"{COLLECTION}/brand", headers=auth())
    second = create(client, body_for()).json()
    assert second["id"] != first["id"]
    assert second["id"] > first["id"]  # ULIDs are time-ordered


# -- authentication and tenancy ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", COLLECTION),
        ("GET", COLLECTION),
        ("GET", f"{COLLECTION}/x"),
        ("DELETE", f"{COLLECTION}/x"),
    ],
)
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer sk_test_unknown"}, {"Authorization": f"Basic {KEY_A}"}],
)
def test_missing_or_unknown_key_is_401(
    client: httpx.Client, method: str, path: str, headers: dict[str, str]
) -> None:
    response = client.request(method, path, headers=headers, json=body_for())
    assert response.status_code == 401
    assert error_body(response) == UNAUTHENTICATED


def test_orgs_cannot_see_or_delete_each_others_dictionaries(client: httpx.Client) -> None:
    create(client, body_for("brand"), key=KEY_A)
    assert client.get(f"{COLLECTION}/brand", headers=auth(KEY_B)).status_code == 404
    assert client.delete(f"{COLLECTION}/brand", headers=auth(KEY_B)).status_code == 404
    assert client.get(COLLECTION, headers=auth(KEY_B)).json() == {"dictionaries": []}
    assert client.get(f"{COLLECTION}/brand", headers=auth(KEY_A)).status_code == 200


def test_another_org_may_reuse_a_name(client: httpx.Client) -> None:
    create(client, body_for("brand"), key=KEY_A)
    response = create(client, body_for("brand"), key=KEY_B)
    assert response.status_code == 201
    assert response.json()["org_id"] == "org_bravo"


def test_unrouted_calls_use_the_gateway_error_shape(client: httpx.Client) -> None:
    response = client.put(COLLECTION, headers=auth(), json={})
    assert response.status_code == 405
    assert error_body(response) == {"error": "Method Not Allowed"}
    assert client.get("/v1/nothing-here", headers=auth()).status_code == 404


# -- TTS WebSocket --------------------------------------------------------------------------------


def test_tts_happy_path_streams_pcm_and_ends_the_turn(emulator: EmulatorThread) -> None:
    with open_ws(emulator) as ws:
        ready = init(ws)
        assert ready["type"] == "ready"
        assert re.fullmatch("sess_" + ULID, ready["session_id"])
        frames = speak(ws, "Hello there")
    chunk, flushed, end = frames
    assert chunk["type"] == "audio_chunk"
    assert chunk["sequence"] == 0
    pcm = base64.b64decode(chunk["data"], validate=True)
    assert len(pcm) == 24000 * 2 // 50  # 20 ms of 16-bit mono at the default 24 kHz
    assert len(pcm) % 2 == 0
    assert flushed == {"type": "flushed"}
    assert end == {"type": "audio_end", "duration": 0.02, "emulator_text": "Hello there"}


def test_tts_uses_the_requested_sample_rate_and_numbers_chunks(emulator: EmulatorThread) -> None:
    with open_ws(emulator) as ws:
        init(ws, sample_rate=16000, encoding="linear16")
        frames = speak(ws, "x" * 85)
    chunks = [f for f in frames if f["type"] == "audio_chunk"]
    assert [c["sequence"] for c in chunks] == [0, 1, 2]
    assert {len(base64.b64decode(c["data"])) for c in chunks} == {640}
    assert frames[-1]["duration"] == 0.06


def test_tts_text_without_flush_streams_and_flush_ends_the_turn(emulator: EmulatorThread) -> None:
    with open_ws(emulator) as ws:
        init(ws)
        send(ws, type="text", text="one")
        assert recv(ws)["type"] == "audio_chunk"
        send(ws, type="keepalive")  # answered by nothing
        send(ws, type="text", text="two")
        assert recv(ws)["sequence"] == 1
        send(ws, type="flush")
        assert recv(ws) == {"type": "flushed"}
        assert recv(ws) == {"type": "audio_end", "duration": 0.04, "emulator_text": "one two"}


def test_tts_accepts_the_token_query_parameter(emulator: EmulatorThread) -> None:
    with open_ws(emulator, f"{NATIVE_PATH}?token={KEY_A}", key=None) as ws:
        assert init(ws)["type"] == "ready"


def test_tts_bridge_does_not_require_a_model(emulator: EmulatorThread) -> None:
    """Issue 13: the bridge sends audio as binary frames (what pipecat and LiveKit read)."""
    with open_ws(emulator, BRIDGE_PATH) as ws:
        send(ws, type="init", config={"sample_rate": 8000, "encoding": "mulaw"})
        assert recv(ws)["type"] == "ready"
        send(ws, type="text", text="hello", flush=True)
        chunk = ws.recv(timeout=TIMEOUT)
        assert recv(ws) == {"type": "flushed"}
    assert chunk == b"\xff" * 160


def test_tts_native_init_without_model_is_a_config_error(emulator: EmulatorThread) -> None:
    with open_ws(emulator) as ws:
        send(ws, type="init", config={})
        assert recv(ws) == {
            "type": "error",
            "code": "config_error",
            "message": "model is required on /v1/tts/*",
        }
        assert init(ws)["type"] == "ready"  # the session stays open for a corrected init


def test_tts_missing_key_is_401_on_the_handshake(emulator: EmulatorThread) -> None:
    with pytest.raises(InvalidStatus) as caught:
        open_ws(emulator, key=None)
    assert caught.value.response.status_code == 401


def test_tts_invalid_key_gets_an_auth_error_frame_then_close(emulator: EmulatorThread) -> None:
    with open_ws(emulator, key="sk_test_unknown") as ws:
        assert recv(ws) == {"type": "error", "code": "auth_error", "message": "Invalid API key."}
        with pytest.raises(ConnectionClosedError) as closed:
            ws.recv(timeout=TIMEOUT)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1008


def test_tts_messages_before_init_are_config_errors(emulator: EmulatorThread) -> None:
    with open_ws(emulator) as ws:
        send(ws, type="text", text="hi")
        assert recv(ws) == {
            "type": "error",
            "code": "config_error",
            "message": "Send init before text.",
        }
        ws.send("not json")
        assert recv(ws)["message"] == "Messages must be JSON objects."
        send(ws, type="speak")
        assert recv(ws)["message"] == "Unsupported message type: 'speak'."


def test_tts_rejects_unsupported_encodings(emulator: EmulatorThread) -> None:
    with open_ws(emulator) as ws:
        assert init(ws, encoding="mp3")["code"] == "config_error"


def test_tts_clear_and_cancel_answer_cleared(emulator: EmulatorThread) -> None:
    with open_ws(emulator) as ws:
        init(ws)
        send(ws, type="text", text="dropped")
        recv(ws)
        send(ws, type="clear")
        assert recv(ws) == {"type": "cleared"}
        send(ws, type="cancel")
        assert recv(ws) == {"type": "cleared"}
        assert speak(ws, "kept")[-1]["emulator_text"] == "kept"


def test_tts_close_message_ends_the_session_normally(emulator: EmulatorThread) -> None:
    with open_ws(emulator) as ws:
        init(ws)
        send(ws, type="close")
        with pytest.raises(ConnectionClosedOK) as closed:
            ws.recv(timeout=TIMEOUT)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1000


# -- pronunciation at TTS time ------------------------------------------------------------------


def test_tts_rewrites_whole_words_longest_first(
    client: httpx.Client, emulator: EmulatorThread, state: EmulatorState
) -> None:
    create(client, body_for("brand"))
    with open_ws(emulator) as ws:
        session_id = init(ws, pronunciation=reference("brand"))["session_id"]
        end = speak(ws, "slng: an ACH Transfer, an ach, an ACHE.")[-1]
    expected = "slang: an ay see aitch transfer, an ay see aitch, an ACHE."
    assert end["emulator_text"] == expected
    recorded = state.session(session_id)
    assert recorded is not None
    assert recorded.texts == [expected]
    assert recorded.model == "aura:2"


def test_tts_resolves_a_reference_by_dictionary_id(
    client: httpx.Client, emulator: EmulatorThread
) -> None:
    dictionary_id = create(client, body_for("brand")).json()["id"]
    with open_ws(emulator) as ws:
        init(ws, pronunciation={"mode": "rewrite", "dictionary_id": dictionary_id})
        assert speak(ws, "SLNG")[-1]["emulator_text"] == "slang"


def test_tts_unknown_dictionary_on_a_turn_is_an_error_frame(emulator: EmulatorThread) -> None:
    with open_ws(emulator) as ws:
        init(ws)
        frames = speak(ws, "hi", pronunciation=reference("support-pronunciations"))
        assert frames == [
            {
                "type": "error",
                "code": "pronunciation_not_found",
                "message": "Pronunciation dictionary not found: support-pronunciations",
                "status_code": 404,
            }
        ]
        send(ws, type="flush")  # the session is still usable
        assert recv(ws) == {"type": "flushed"}


def test_tts_unknown_dictionary_at_init_errors_but_keeps_the_session(
    client: httpx.Client, emulator: EmulatorThread
) -> None:
    """Issue 13: the unknown reference is dropped, so later turns are spoken without it."""
    with open_ws(emulator) as ws:
        send(ws, type="init", model="aura:2", config={"pronunciation": reference("brand")})
        assert recv(ws)["code"] == "pronunciation_not_found"
        assert recv(ws)["type"] == "ready"
        assert speak(ws, "SLNG")[-1]["emulator_text"] == "SLNG"
        create(client, body_for("brand"))  # a turn may name it again once it exists
        assert speak(ws, "SLNG", pronunciation=reference("brand"))[-1]["emulator_text"] == "slang"


def test_tts_cannot_use_another_orgs_dictionary(
    client: httpx.Client, emulator: EmulatorThread
) -> None:
    create(client, body_for("brand"), key=KEY_B)
    with open_ws(emulator) as ws:
        init(ws)
        assert (
            speak(ws, "SLNG", pronunciation=reference("brand"))[0]["code"]
            == "pronunciation_not_found"
        )


def test_tts_per_turn_override_is_sticky(client: httpx.Client, emulator: EmulatorThread) -> None:
    create(client, body_for("first", [{"match": "word", "replace": "one"}]))
    create(client, body_for("second", [{"match": "word", "replace": "two"}]))
    with open_ws(emulator) as ws:
        init(ws, pronunciation=reference("first"))
        assert speak(ws, "word")[-1]["emulator_text"] == "one"
        assert speak(ws, "word", pronunciation=reference("second"))[-1]["emulator_text"] == "two"
        assert speak(ws, "word")[-1]["emulator_text"] == "two"
        assert speak(ws, "word", pronunciation=None)[-1]["emulator_text"] == "word"
        assert speak(ws, "word")[-1]["emulator_text"] == "word"


@pytest.mark.parametrize(
    "bad_reference",
    [
        {"mode": "rewrite", "name": "a", "dictionary_id": "pd_x"},
        {"mode": "rewrite"},
        {"mode": "ipa", "name": "a"},
        {"mode": "rewrite", "name": "bad name"},
    ],
)
def test_tts_malformed_reference_is_a_config_error(
    emulator: EmulatorThread, bad_reference: dict[str, str]
) -> None:
    with open_ws(emulator) as ws:
        assert init(ws, pronunciation=bad_reference)["code"] == "config_error"
        assert init(ws)["type"] == "ready"
        assert speak(ws, "hi", pronunciation=bad_reference)[0]["code"] == "config_error"


# -- faults --------------------------------------------------------------------------------------


def test_fail_http_answers_503_for_the_next_calls_only(
    client: httpx.Client, state: EmulatorState
) -> None:
    state.fail_http(2)
    for _ in range(2):
        response = client.get(COLLECTION, headers=auth())
        assert response.status_code == 503
        assert error_body(response) == UNAVAILABLE
    assert client.get(COLLECTION, headers=auth()).status_code == 200


def test_http_failures_can_be_injected_over_admin(client: httpx.Client) -> None:
    assert client.post("/_emulator/faults", json={"http_failures": 1}).status_code == 200
    assert create(client, body_for()).status_code == 503
    assert create(client, body_for()).status_code == 201


def test_http_latency_delays_dictionary_calls(client: httpx.Client, state: EmulatorState) -> None:
    state.set_latency(http_ms=200)
    started = time.monotonic()
    assert client.get(COLLECTION, headers=auth()).status_code == 200
    assert time.monotonic() - started >= 0.2


def test_ws_latency_delays_answers(emulator: EmulatorThread, state: EmulatorState) -> None:
    state.set_latency(ws_ms=200)
    with open_ws(emulator) as ws:
        started = time.monotonic()
        assert init(ws)["type"] == "ready"
        assert time.monotonic() - started >= 0.2


def test_drop_closes_the_socket_abruptly_after_k_chunks(
    emulator: EmulatorThread, state: EmulatorState
) -> None:
    state.drop_ws(2)
    with open_ws(emulator) as ws:
        init(ws)
        send(ws, type="text", text="x" * 200, flush=True)
        assert [recv(ws)["sequence"] for _ in range(2)] == [0, 1]
        with pytest.raises(ConnectionClosedError) as closed:
            ws.recv(timeout=TIMEOUT)
    assert closed.value.rcvd is None  # no close frame: abnormal closure
    with open_ws(emulator) as ws:  # only the next session was affected
        init(ws)
        assert speak(ws, "x" * 200)[-1]["type"] == "audio_end"


@pytest.mark.parametrize(
    ("code", "close_code"), [("rate_limit", 1013), ("backend_connection_failed", 1011)]
)
def test_ws_error_fault_answers_init_with_an_error_frame(
    emulator: EmulatorThread, state: EmulatorState, code: str, close_code: int
) -> None:
    state.fail_ws(code)
    with open_ws(emulator) as ws:
        frame = init(ws)
        assert (frame["type"], frame["code"]) == ("error", code)
        with pytest.raises(ConnectionClosedError) as closed:
            ws.recv(timeout=TIMEOUT)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == close_code
    with open_ws(emulator) as ws:
        assert init(ws)["type"] == "ready"


def test_ws_faults_can_be_injected_over_admin(
    client: httpx.Client, emulator: EmulatorThread
) -> None:
    payload = {"ws_error": {"code": "rate_limit", "sessions": 2}}
    assert client.post("/_emulator/faults", json=payload).status_code == 200
    for _ in range(2):
        with open_ws(emulator) as ws:
            assert init(ws)["code"] == "rate_limit"
    with open_ws(emulator) as ws:
        assert init(ws)["type"] == "ready"


def test_visibility_delay_hides_new_dictionaries_from_tts(
    client: httpx.Client, emulator: EmulatorThread, state: EmulatorState, clock: FakeClock
) -> None:
    state.set_visibility_delay(1500)
    create(client, body_for("brand"))
    assert client.get(f"{COLLECTION}/brand", headers=auth()).status_code == 200
    with open_ws(emulator) as ws:
        init(ws)
        assert (
            speak(ws, "SLNG", pronunciation=reference("brand"))[0]["code"]
            == "pronunciation_not_found"
        )
        clock.now += 1.5
        assert speak(ws, "SLNG")[-1]["emulator_text"] == "slang"


# -- admin, request log, logging ------------------------------------------------------------------


def test_admin_faults_round_trip_and_clear(client: httpx.Client) -> None:
    payload = {
        "http_failures": 1,
        "http_latency_ms": 5,
        "ws_latency_ms": 6,
        "ws_drop": {"after_chunks": 3, "sessions": 2},
        "ws_error": {"code": "backend_connection_failed", "sessions": 1},
        "visibility_delay_ms": 7,
        "ws_framing": "binary",
        "init_unknown_dictionary": "close",
    }
    assert client.post("/_emulator/faults", json=payload).json() == payload
    assert client.get("/_emulator/faults").json() == payload
    cleared = client.delete("/_emulator/faults").json()
    assert cleared["http_failures"] == 0
    assert cleared["ws_error"] == {"code": None, "sessions": 0}


@pytest.mark.parametrize(
    "payload", [{"http_failure": 1}, {"http_failures": -1}, {"ws_error": {"code": "boom"}}, [1]]
)
def test_admin_rejects_malformed_faults(client: httpx.Client, payload: object) -> None:
    response = client.post("/_emulator/faults", json=payload)
    assert response.status_code == 400
    assert set(response.json()) == {"error", "slng_request_id"}


def test_request_log_records_calls_without_keys(
    client: httpx.Client, emulator: EmulatorThread, state: EmulatorState
) -> None:
    create(client, body_for())
    client.get(COLLECTION)
    with open_ws(emulator, f"{NATIVE_PATH}?token={KEY_A}", key=None) as ws:
        init(ws)
    entries = client.get("/_emulator/requests").json()["requests"]
    assert [(e["method"], e["path"], e["status"], e["org_id"]) for e in entries] == [
        ("POST", COLLECTION, 201, "org_alpha"),
        ("GET", COLLECTION, 401, None),
        ("GET", NATIVE_PATH, 101, "org_alpha"),
    ]
    assert KEY_A not in json.dumps(entries)
    assert [e.request_id for e in state.requests()] == [e["request_id"] for e in entries]


def test_logs_never_contain_keys(
    client: httpx.Client, emulator: EmulatorThread, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    create(client, body_for())
    client.get(COLLECTION, headers=auth("sk_test_wrong"))
    with open_ws(emulator, f"{NATIVE_PATH}?token={KEY_B}", key=None) as ws:
        init(ws)
    # Only the server side's loggers: the websockets client logs its own request line.
    server_logs = "\n".join(
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(("sync.emulator", "aiohttp"))
    )
    assert "org_alpha" in server_logs  # the emulator does log requests...
    for key in (KEY_A, KEY_B, "sk_test_wrong"):
        assert key not in server_logs  # ...but never a key
    assert KEY_A not in repr(ApiKey(KEY_A, "org_alpha"))


def test_admin_reset_forgets_everything_but_keys(
    client: httpx.Client, state: EmulatorState
) -> None:
    create(client, body_for())
    state.fail_http(5)
    assert client.post("/_emulator/reset").status_code == 204
    assert state.requests() == []
    assert client.get(COLLECTION, headers=auth()).json() == {"dictionaries": []}


def test_admin_lists_sessions_and_dictionaries(
    client: httpx.Client, emulator: EmulatorThread
) -> None:
    created = create(client, body_for()).json()
    with open_ws(emulator, NATIVE_PATH) as ws:
        session_id = init(ws, pronunciation=reference("brand"))["session_id"]
        speak(ws, "SLNG")
    assert client.get("/_emulator/sessions").json() == {
        "sessions": [
            {
                "session_id": session_id,
                "org_id": "org_alpha",
                "path": NATIVE_PATH,
                "model": "aura:2",
                "texts": ["slang"],
                "kind": "ws",
                "framing": "json",
                "headers": {"user-agent": ANY},
                "init": {
                    "type": "init",
                    "model": "aura:2",
                    "voice": "thalia",
                    "config": {"pronunciation": reference("brand")},
                },
                "originals": ["SLNG"],
                "audio_bytes": 960,
                "errors": [],
            }
        ]
    }
    assert client.get("/_emulator/dictionaries").json() == {"dictionaries": [created]}
    assert client.get("/_emulator/health").json() == {"status": "ok"}


def test_admin_adds_keys_without_echoing_them(client: httpx.Client) -> None:
    response = client.post(
        "/_emulator/keys", json={"key": "sk_test_new", "org_id": "org_new", "label": "ci"}
    )
    assert response.status_code == 201
    assert response.json() == {"org_id": "org_new", "label": "ci"}
    assert client.get(COLLECTION, headers=auth("sk_test_new")).status_code == 200
    assert client.post("/_emulator/keys", json={"key": "x"}).status_code == 400


def test_admin_can_be_disabled(state: EmulatorState) -> None:
    with EmulatorThread(state, admin=False) as running:
        response = httpx.post(f"{running.base_url}/_emulator/reset", trust_env=False)
    assert response.status_code == 404


def test_admin_defaults_to_loopback_hosts_only() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert not is_loopback("0.0.0.0")  # noqa: S104
    assert not is_loopback("192.0.2.10")


# -- starting, keys file, ids --------------------------------------------------------------------


def test_start_emulator_runs_on_the_callers_loop(state: EmulatorState) -> None:
    async def scenario() -> tuple[int, str]:
        running = await start_emulator(state)
        try:
            async with httpx.AsyncClient(base_url=running.url, trust_env=False) as http:
                response = await http.get(COLLECTION, headers=auth(), timeout=TIMEOUT)
        finally:
            await running.close()
        return response.status_code, running.ws_url

    status, ws_url = asyncio.run(scenario())
    assert status == 200
    assert re.fullmatch(r"ws://127\.0\.0\.1:\d+", ws_url)


def test_stop_closes_open_sessions(state: EmulatorState) -> None:
    running = EmulatorThread(state).start()
    with open_ws(running) as ws:
        init(ws)
        running.stop()
        with pytest.raises(ConnectionClosedOK):
            ws.recv(timeout=TIMEOUT)


def test_keys_file_is_loaded(tmp_path: Any) -> None:
    path = tmp_path / "keys.json"
    entry = {"key": "sk_test_file", "org_id": "org_file", "label": "production-key"}
    path.write_text(json.dumps({"keys": [entry]}))
    assert load_keys(path) == [ApiKey("sk_test_file", "org_file", "production-key")]
    assert EmulatorState.from_keys_file(path).resolve_key("sk_test_file") is not None
    path.write_text(json.dumps({"keys": [{"key": "sk"}]}))
    with pytest.raises(ValueError, match="org_id"):
        load_keys(path)


def test_ulids_are_crockford_and_time_ordered() -> None:
    ulids = [new_ulid() for _ in range(1000)]
    assert all(re.fullmatch(ULID, value) for value in ulids)
    assert ulids == sorted(ulids)
    assert len(set(ulids)) == len(ulids)
