"""IPA help: which characters are IPA (one rule for lint and the admin), the palette, and
espeak-ng's suggestions (the real program: Debian's espeak-ng)."""

import shutil
from typing import Any

import pytest
from django.test import Client

from orgs.models import Organization, Role
from pronunciations import espeak
from pronunciations.admin.widgets import palette_groups
from pronunciations.content import content_hash
from pronunciations.lint import lint_modes
from pronunciations.validation import ipa_hint, non_ipa_characters, validate_modes
from pronunciations.validation.ipa import ipa_characters, ipa_phonemes, ipa_words
from tests.factories import make_dictionary, staff_client

SUGGEST = "/admin/pronunciations/dictionary/ipa/suggest/"
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")


def test_ipa_hint_names_each_character_outside_ipa_once() -> None:
    assert ipa_hint("təmˈeɪɾoʊ") is None
    assert ipa_hint("TOMato!") == (
        "not IPA: '!' (EXCLAMATION MARK), 'M' (LATIN CAPITAL LETTER M), "
        "'O' (LATIN CAPITAL LETTER O), 'T' (LATIN CAPITAL LETTER T)"
    )


def test_every_palette_character_is_ipa() -> None:
    characters = "".join(c for group in palette_groups() for c in group["characters"])
    assert len(characters) > 100
    assert non_ipa_characters(characters) == []


def test_lint_warns_with_the_same_rule() -> None:
    modes = validate_modes(
        {"rewrite": {"rules": []}, "ipa": {"rules": [{"match": "x", "ipa": "ǃʘⱱ Q"}]}}
    )
    [warning] = [w for w in lint_modes(modes, content_hash(modes)) if w.code == "ipa_characters"]
    assert warning.message == "not IPA: 'Q' (LATIN CAPITAL LETTER Q)"


@needs_espeak
def test_espeak_suggests_in_the_dictionarys_language_and_says_it_is_a_suggestion() -> None:
    american = espeak.suggest("tomato", "en-US")
    british = espeak.suggest("tomato", "en-GB")

    assert (american.ipa, american.voice) == ("təmˈeɪɾoʊ", "en-us")
    assert british.ipa == "təmˈɑːtəʊ"
    assert "Suggested by espeak-ng, voice en-gb" in british.note
    assert "check it before you use it" in british.note


@needs_espeak
def test_a_region_espeak_does_not_know_falls_back_to_the_language() -> None:
    suggestion = espeak.suggest("Straße", "de-AT")
    assert (suggestion.ipa, suggestion.voice) == ("ʃtɾˈɑːsə", "de-at")


@needs_espeak
def test_text_goes_in_on_standard_input_never_as_an_option() -> None:
    assert espeak.suggest("--help", "en").ipa == "hˈɛlp"


@needs_espeak
def test_no_voice_and_no_language_are_said_plainly() -> None:
    assert espeak.suggest("x", "zz").note == "No suggestion: espeak-ng has no voice for “zz”."
    default = espeak.suggest("tomato", "")
    assert default.voice == "en-us"
    assert "(the dictionary has no language)" in default.note


def test_a_missing_espeak_gives_a_note_not_an_error(settings: Any) -> None:
    settings.LEXICON_ESPEAK = "espeak-ng-is-not-here"
    suggestion = espeak.suggest("tomato", "en")
    assert suggestion.ipa is None
    assert suggestion.note == "No suggestion: espeak-ng is not installed on the server."


def _client(organization: Organization) -> Client:
    return staff_client(organization, Role.EDITOR)


@needs_espeak
@pytest.mark.django_db
def test_the_endpoint_reads_the_language_of_a_dictionary_the_user_may_read(
    organization: Organization, other_organization: Organization
) -> None:
    mine = make_dictionary(organization, "brand", metadata={"language": "en-GB"})
    theirs = make_dictionary(other_organization, "secret", metadata={"language": "fr-FR"})
    client = _client(organization)

    answer = client.get(SUGGEST, {"text": "tomato", "dictionary": str(mine.pk)}).json()
    assert answer == {
        "ipa": "təmˈɑːtəʊ",
        "voice": "en-gb",
        "note": (
            "Suggested by espeak-ng, voice en-gb: a starting point, check it before you use it."
        ),
        "hint": None,
    }
    other = client.get(SUGGEST, {"text": "tomato", "dictionary": str(theirs.pk)}).json()
    assert other["voice"] == "en-us"  # another organization's dictionary is not read


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"text": "x" * 129}, "text"),
        ({"text": "a", "language": "x" * 36}, "language"),
        ({"text": "a", "dictionary": "abc"}, "dictionary"),
    ],
)
def test_the_endpoint_refuses_bad_input_with_400(
    organization: Organization, params: dict[str, str], field: str
) -> None:
    response = _client(organization).get(SUGGEST, params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


@pytest.mark.django_db
def test_the_palette_endpoint_sends_the_validation_ranges(organization: Organization) -> None:
    body = _client(organization).get("/admin/pronunciations/dictionary/ipa/").json()
    sent = {chr(p) for low, high in body["ranges"] for p in range(low, high + 1)}
    assert sent == set(ipa_characters())  # issue 25: ipakit's chart, the same set as lint
    assert {"ɐ", "ʃ", "ˈ", "ː", "\u0303"} <= sent
    assert not {"!", ":", "Q"} & sent
    assert body["palette"][0]["name"] == "Vowels"
    assert body["suggest_url"] == SUGGEST


@pytest.mark.django_db
def test_the_rule_value_input_carries_the_ipa_tools(organization: Organization) -> None:
    dictionary = make_dictionary(organization, "brand")
    page = (
        _client(organization)
        .get(f"/admin/pronunciations/dictionary/{dictionary.pk}/change/")
        .content.decode()
    )
    assert 'data-ipa-url="/admin/pronunciations/dictionary/ipa/"' in page
    assert "pronunciations/ipa.js" in page


def test_phonemes_come_from_ipakit_with_stress_marks_apart() -> None:
    """Issue 25: a transcription splits into phonemes (Cartesia lists them between bars)."""
    assert ipa_phonemes("kɑɹˈtiʒə") == ["k", "ɑ", "ɹ", "ˈ", "t", "i", "ʒ", "ə"]
    assert ipa_phonemes("ə.ˈmɛ.ɹɪ.kə") == ["ə", "ˈ", "m", "ɛ", "ɹ", "ɪ", "k", "ə"]
    assert ipa_words("ˈkuːɡl̩ ˈaʊdi") == [["ˈ", "k", "uː", "ɡ", "l̩"], ["ˈ", "a", "ʊ", "d", "i"]]
