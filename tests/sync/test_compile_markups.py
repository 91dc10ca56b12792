"""Issue 25: golden compilations per markup, from each vendor's documented examples (pure)."""

import typing

import pytest
from voiceai_sdk.resources.text_to_speech import TextToSpeechResource

from sync.compile import MAX_RULES, PLAIN, ROUTES, compilation, compile_payload, markup_for
from sync.compile.cartesia import ENGLISH, outside


def _payload(ipa: list[tuple[str, str]], rewrite: list[tuple[str, str]] = ()) -> dict:  # type: ignore[assignment]
    return {
        "name": "brand",
        "modes": {
            "rewrite": {"rules": [{"match": m, "replace": r} for m, r in rewrite]},
            "ipa": {"rules": [{"match": m, "ipa": i} for m, i in ipa]},
        },
        "metadata": {},
    }


def _replacements(model: str, ipa: list[tuple[str, str]]) -> list[str]:
    compiled = compile_payload(_payload(ipa), model)
    return [rule["replace"] for rule in compiled.payload["modes"]["rewrite"]["rules"]]


@pytest.mark.parametrize(
    "model", ["deepgram/aura:2", "slng/deepgram/aura:2-en", "slng/deepgram/aura:2-es"]
)
def test_deepgram_aura_2_takes_its_documented_json_object(model: str) -> None:
    """Deepgram's example: {"word": "dupilumab", "pronounce": "duːˈpɪljuːmæb"}."""
    assert _replacements(model, [("dupilumab", "duːˈpɪljuːmæb")]) == [
        '{"word": "dupilumab", "pronounce": "duːˈpɪljuːmæb"}'
    ]


@pytest.mark.parametrize("model", ["cartesia/sonic:3", "cartesia/sonic:3.5"])
def test_cartesia_sonic_3_takes_phonemes_between_bars(model: str) -> None:
    """Cartesia's examples: Cartesia, bayou and jambalaya, written as plain IPA."""
    assert _replacements(
        model, [("Cartesia", "kɑɹˈtiʒə"), ("bayou", "ˈbɑˈju"), ("jambalaya", "ˈdʒəmˈbəˈlaɪˈə")]
    ) == [
        "<<k|ɑ|ɹ|ˈ|t|i|ʒ|ə>>",
        "<<ˈ|b|ɑ|ˈ|j|u>>",
        "<<ˈ|dʒ|ə|m|ˈ|b|ə|ˈ|l|aɪ|ˈ|ə>>",
    ]


def test_cartesia_joins_affricates_and_diphthongs_and_brackets_each_word() -> None:
    assert _replacements("cartesia/sonic:3", [("church day", "t͡ʃɝtʃ deɪ")]) == [
        "<<tʃ|ɝ|tʃ>> <<d|eɪ>>"
    ]


def test_cartesia_names_a_symbol_outside_its_phone_set() -> None:
    assert outside("duːˈpɪljuːmæb") == ["uː"]
    assert outside("kɑɹˈtiʒə") == []
    assert {"aɪ", "tʃ", "ˈ", "ɝ"} <= ENGLISH
    assert "ʌ" not in ENGLISH
    [warning] = markup_for("cartesia/sonic:3").warns("ʌp")  # type: ignore[union-attr]
    assert warning == "'ʌ' is not in Cartesia's English phone set"


def test_kugelaudio_takes_ipa_between_slashes() -> None:
    """KugelAudio's example: Willkommen bei /ˈkuːɡl̩/ Audio."""
    assert _replacements("kugelaudio/kugel:2", [("Kugel", "ˈkuːɡl̩")]) == ["/ˈkuːɡl̩/"]


def test_eleven_flash_2_takes_the_ssml_phoneme_tag_escaped() -> None:
    assert _replacements("elevenlabs/eleven-flash:2", [("A&B", "eɪ ænd biː")]) == [
        '<phoneme alphabet="ipa" ph="eɪ ænd biː">A&amp;B</phoneme>'
    ]


def test_every_route_of_the_sdk_is_listed_and_those_without_phonemes_compile_plain() -> None:
    hints = typing.get_type_hints(TextToSpeechResource.create)
    sdk_routes = set(typing.get_args(hints["model_variant"]))
    assert len(sdk_routes) == 23
    assert set(ROUTES) == sdk_routes | {"cartesia/sonic:3.5"}  # Cartesia documents 3.5 too
    plain = [route for route, markup in ROUTES.items() if markup is None]
    assert "sarvam/bulbul:v3" in plain
    assert "elevenlabs/eleven-flash:2.5" in plain
    assert all(compilation(route) == PLAIN for route in plain)
    assert compilation("someone/unknown:1") == PLAIN


def test_a_model_without_phonemes_gets_the_dictionary_as_stored_and_says_so() -> None:
    payload = _payload([("SLNG", "slɪŋ")], [("ACME", "acme")])
    compiled = compile_payload(payload, "sarvam/bulbul:v3")
    assert compiled.payload == payload
    assert compiled.inaudible == ("SLNG",)
    assert compiled.inaudible_text() == (
        "1 IPA rule ('SLNG') is not audible on sarvam/bulbul:v3: it takes no phonemes, so only "
        "rewrite rules change what it says"
    )


def test_the_ipa_rule_wins_over_a_rewrite_rule_for_the_same_word() -> None:
    compiled = compile_payload(
        _payload([("slng", "slɪŋ")], [("SLNG", "sling"), ("ACME", "acme")]), "deepgram/aura:2"
    )
    assert compiled.overridden == ("SLNG",)
    assert compiled.payload["modes"]["rewrite"]["rules"] == [
        {"match": "ACME", "replace": "acme"},
        {"match": "slng", "replace": '{"word": "slng", "pronounce": "slɪŋ"}'},
    ]
    assert compiled.payload["modes"]["ipa"] == {"rules": [{"match": "slng", "ipa": "slɪŋ"}]}


def test_over_slngs_limits_once_compiled_nothing_may_be_sent() -> None:
    many = _payload(
        [(f"ipa{i}", "ə") for i in range(10)],
        [(f"word{i}", "x") for i in range(MAX_RULES - 5)],
    )
    assert compile_payload(many, "sarvam/bulbul:v3").over_limit == ""
    over = compile_payload(many, "deepgram/aura:2").over_limit
    assert over.startswith("compiled for deepgram/aura:2, the dictionary has 261 rewrite rules")
    assert "limit of 256 a mode" in over
    long = compile_payload(_payload([("x" * 120, "ə" * 120)]), "deepgram/aura:2").over_limit
    assert "is 269 characters, over SLNG's limit of 256" in long
