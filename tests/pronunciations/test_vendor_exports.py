"""Issue 18: exports each vendor accepts, checked against that vendor's documented limits
(docs/vendors.md) on a full dictionary (256 rewrite and 256 ipa rules, long aliases), read back by
our own PLS importer where the format is PLS, with no rule lost that the format can carry: every
rule not in the files is one the report lists."""

import io
import json
import re
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from orgs.models import Organization
from pronunciations.transfer.exporting import REPORT_FILE, WARNINGS_HEADER
from pronunciations.transfer.pls import pls_load
from pronunciations.transfer.vendors.cartesia import cartesia_ipa
from pronunciations.transfer.vendors.common import case_variants
from pronunciations.validation import match_key
from tests.factories import make_dictionary

pytestmark = pytest.mark.django_db

ALIAS_LENGTHS = (20, 99, 100, 101, 256)  # around Polly's 100 and up to SLNG's 256
PHONEME_LENGTHS = (10, 100, 101)
Rules = set[tuple[str, str]]  # (match key, value)


def _text(start: str, length: int) -> str:
    return (start + " " + "o" * 300)[:length]


def _match(i: int) -> str:
    if i == 7:
        return "R&D <7>"  # markup in a grapheme
    if i == 9:
        return "L" + "o" * 127  # SLNG's longest match, 128 characters
    return f"term {i} phrase" if i % 3 == 0 else f"Term{i}"


def full_modes() -> dict[str, Any]:
    rewrite = [
        {"match": _match(i), "replace": _text(f"alias {i}", ALIAS_LENGTHS[i % 5])}
        for i in range(256)
    ]
    rewrite[8]["replace"] = "say Term4 twice"  # holds another rule's match
    ipa = [
        # the first 100 share a rewrite rule's match; the others are words of their own
        {"match": _match(i) if i < 100 else f"ipa{i}", "ipa": "ə" * PHONEME_LENGTHS[i % 3]}
        for i in range(256)
    ]
    ipa[101] = {"match": "two words", "ipa": "tuː wɝdz"}  # a phrase, IPA with a space
    ipa[102] = {"match": "pão", "ipa": "pɐ̃\u0303w"}
    ipa[103] = {"match": "café", "ipa": "kafé"}  # precomposed é: Azure wants it decomposed
    ipa[104] = {"match": "gaps", "ipa": "ɡæ ps"}  # a word, IPA with a space
    return {"rewrite": {"rules": rewrite}, "ipa": {"rules": ipa}}


MODES = full_modes()


def _rules(mode: str, keep: Any = lambda rule: True) -> Rules:
    value = "replace" if mode == "rewrite" else "ipa"
    rules = MODES[mode]["rules"]
    return {(match_key(r["match"]), r[value]) for r in rules if keep(r)}


def _export(api: APIClient, file_format: str, name: str = "full") -> Any:
    response = api.get(f"/v1/pronunciation/dictionaries/{name}/export?format={file_format}")
    assert response.status_code == 200, response.content
    return response


def _files(response: Any) -> dict[str, bytes]:
    body = b"".join(response.streaming_content)
    if response["Content-Type"] != "application/zip":
        name = re.search(r'filename="([^"]+)"', response["Content-Disposition"])
        assert name is not None
        return {name[1]: body}
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _read_back(files: dict[str, bytes]) -> tuple[Rules, Rules]:
    """Every PLS file through our own importer: the rules it gives, by mode."""
    rewrite: Rules = set()
    ipa: Rules = set()
    for name, content in files.items():
        if name.endswith(".pls"):
            loaded = pls_load(content, max_bytes=len(content))
            assert loaded.conflicts == ()  # case variants always agree
            rewrite |= {(match_key(r.match), r.value) for r in loaded.rules["rewrite"]}
            ipa |= {(match_key(r.match), r.value) for r in loaded.rules["ipa"]}
    return rewrite, ipa


def _report(api: APIClient, file_format: str, name: str = "full") -> dict[str, Any]:
    url = f"/v1/pronunciation/dictionaries/{name}/export?format={file_format}&report=true"
    response = api.get(url)
    assert response.status_code == 200
    return response.json()


def _lost(report: dict[str, Any]) -> int:
    """How many rules the report says were not carried."""
    counts = [re.match(r"(\d+) rules? not carried", w) for w in report["warnings"]]
    return sum(int(found[1]) for found in counts if found)


@pytest.fixture
def full(organization: Organization) -> None:
    make_dictionary(organization, "full", modes=MODES, metadata={"language": "en-US"})


def test_polly_lexicons_stay_within_polly_limits_and_read_back_whole(
    api: APIClient, full: None
) -> None:
    response = _export(api, "polly")
    files = _files(response)
    report = _report(api, "polly")

    lexicons = {name: content for name, content in files.items() if name.endswith(".pls")}
    assert len(lexicons) > 5
    assert set(files) == {*lexicons, REPORT_FILE}
    for name, content in lexicons.items():
        text = content.decode("utf-8")
        assert len(text) <= 4000, name
        assert re.fullmatch(r"[0-9A-Za-z]{1,20}\.pls", name)
        values = re.findall(r"<(?:alias|phoneme)>([^<]*)</", text)
        assert values
        assert max(len(v.replace("&amp;", "&")) for v in values) <= 100
    rewrite, ipa = _read_back(files)
    assert rewrite == _rules("rewrite", lambda r: len(r["replace"]) <= 100)
    assert ipa == _rules("ipa", lambda r: len(r["ipa"]) <= 100)
    assert _lost(report) == 512 - len(rewrite) - len(ipa)
    assert report["warnings"][0] == (
        "Dictionaries that need more lexicons of at most 4000 characters than the 5 one "
        f"SynthesizeSpeech request applies (1): full ({len(lexicons)} lexicons)"
    )
    assert response[WARNINGS_HEADER] == str(len(report["warnings"]))
    assert "Polly matches graphemes as written" in files[REPORT_FILE].decode()


def test_polly_names_are_unique_across_dictionaries_that_differ_only_in_punctuation(
    api: APIClient, organization: Organization
) -> None:
    for name in ("support-line", "support_line", "supportline"):
        rules = [{"match": "SLNG", "replace": "slang"}]
        make_dictionary(
            organization, name, modes={"rewrite": {"rules": rules}}, metadata={"language": "en-US"}
        )

    files = _files(api.get("/v1/pronunciation/export?format=polly"))

    names = sorted(name.lower() for name in files if name.endswith(".pls"))
    assert len(set(names)) == 3
    assert all(re.fullmatch(r"[0-9a-z]{1,20}\.pls", name) for name in names)


def test_azure_files_are_one_locale_each_under_100_kb_and_read_back_whole(
    api: APIClient, organization: Organization, full: None
) -> None:
    rules = {"rewrite": {"rules": [{"match": "napr.", "replace": "napríklad"}]}}
    make_dictionary(organization, "slovak", modes=rules, metadata={"language": "sk-SK"})

    files = _files(api.get("/v1/pronunciation/export?format=azure&names=full,slovak"))
    report = api.get("/v1/pronunciation/export?format=azure&names=full,slovak&report=true").json()

    assert set(files) == {"en-US.pls", "en-US-2.pls", "sk-SK.pls", REPORT_FILE}
    for name, content in files.items():
        assert len(content) < 100_000, name
    assert b'xml:lang="sk-SK"' in files["sk-SK.pls"]
    assert all(b'xml:lang="en-US"' in files[n] for n in ("en-US.pls", "en-US-2.pls"))
    english = {name: files[name] for name in ("en-US.pls", "en-US-2.pls")}
    rewrite, ipa = _read_back(english)
    assert rewrite == _rules("rewrite")

    def azure_takes(rule: dict[str, str]) -> bool:
        return " " not in rule["match"] and " " not in rule["ipa"]

    expected = {(key, unicodedata.normalize("NFD", v)) for key, v in _rules("ipa", azure_takes)}
    assert ipa == expected
    assert ("café", "kafe\u0301") in ipa
    assert _lost(report) == 256 - len(ipa)
    assert any("Azure's IPA phonemes may not contain white space" in w for w in report["warnings"])
    assert any(n.startswith("Aliases that hold another rule's match") for n in report["notes"])


def test_elevenlabs_pls_carries_every_rule(api: APIClient, full: None) -> None:
    files = _files(_export(api, "elevenlabs"))

    assert list(files) == ["full.pls"]
    rewrite, ipa = _read_back(files)
    assert (rewrite, ipa) == (_rules("rewrite"), _rules("ipa"))
    assert _report(api, "elevenlabs")["warnings"] == []


def test_elevenlabs_json_rules_are_alias_and_phoneme_rules_in_every_casing(
    api: APIClient, full: None
) -> None:
    files = _files(_export(api, "elevenlabs-json"))
    report = _report(api, "elevenlabs-json")

    body = json.loads(files["full.json"])
    assert body["name"] == "full"
    aliases = {
        (match_key(r["string_to_replace"]), r["alias"])
        for r in body["rules"]
        if r["type"] == "alias"
    }
    phonemes = {
        (match_key(r["string_to_replace"]), r["phoneme"])
        for r in body["rules"]
        if r["type"] == "phoneme" and r["alphabet"] == "ipa"
    }
    assert aliases == _rules("rewrite")
    rewritten = {key for key, _ in _rules("rewrite")}
    assert phonemes == {(k, v) for k, v in _rules("ipa") if k not in rewritten}
    assert _lost(report) == 100  # the IPA of the matches that have an alias
    strings = [r["string_to_replace"] for r in body["rules"]]
    assert len(strings) == len(set(strings))  # a second rule would replace the first
    assert {"Term4", "term4", "TERM4"} <= set(strings)


def test_cartesia_items_carry_aliases_and_ipa_in_its_notation(api: APIClient, full: None) -> None:
    files = _files(_export(api, "cartesia"))
    report = _report(api, "cartesia")

    body = json.loads(files["full.json"])
    texts = [item["text"] for item in body["items"]]
    assert len(texts) == len(set(texts))
    by_key = {match_key(item["text"]): item["pronunciation"] for item in body["items"]}
    rewritten = dict(_rules("rewrite"))
    assert {k: v for k, v in by_key.items() if k in rewritten} == rewritten
    spoken = {k: cartesia_ipa(v) for k, v in _rules("ipa") if k not in rewritten}
    assert {k: v for k, v in by_key.items() if k not in rewritten} == spoken
    assert by_key["two words"] == "<<t|uː>> <<w|ɝ|d|z>>"
    assert _lost(report) == 100
    assert {"Term4", "term4", "TERM4"} <= set(texts)


def test_cartesia_ipa_notation_splits_symbols_as_its_phone_set_does() -> None:
    assert cartesia_ipa("/ˈbaɪ.oʊ/") == "<<ˈ|b|aɪ|oʊ>>"
    assert cartesia_ipa("ˈdʒæm.bəˈlaɪ.ə") == "<<ˈ|dʒ|æ|m|b|ə|ˈ|l|aɪ|ə>>"
    assert cartesia_ipa("t͡ʃiːz pɐ̃w̃") == "<<t͡ʃ|iː|z>> <<p|ɐ̃|w̃>>"


@pytest.mark.parametrize(
    ("match", "sensitive", "cartesia"),
    [
        ("tomato", ("tomato", "Tomato", "TOMATO"), ("tomato", "TOMATO")),
        ("iPhone", ("iPhone", "iphone", "Iphone", "IPHONE"), ("iPhone", "iphone", "IPHONE")),
        (
            "green valley",
            ("green valley", "Green valley", "Green Valley", "GREEN VALLEY"),
            ("green valley", "Green Valley", "GREEN VALLEY"),
        ),
        ("朱重八", ("朱重八",), ("朱重八",)),
        ("Straße", ("Straße", "straße", "STRASSE"), ("Straße", "straße", "STRASSE")),
    ],
)
def test_case_variants_cover_what_slng_matches_in_the_common_casings(
    match: str, sensitive: tuple[str, ...], cartesia: tuple[str, ...]
) -> None:
    assert case_variants(match) == sensitive
    assert case_variants(match, lower_covers_sentence=True) == cartesia


def test_a_dictionary_without_a_language_is_flagged_for_polly(
    api: APIClient, organization: Organization
) -> None:
    make_dictionary(
        organization, "plain", modes={"rewrite": {"rules": [{"match": "a", "replace": "b"}]}}
    )

    report = _report(api, "polly", name="plain")

    assert report["warnings"] == [
        'Dictionaries without a language (metadata.language): their lexicons say xml:lang="und", '
        "which Polly refuses; set the voice's language (such as en-US) and export again (1): "
        "plain"
    ]
    assert [(f["name"], f["rules"]) for f in report["files"]] == [("plain.pls", 1)]


def test_an_unknown_export_format_names_every_accepted_one(api: APIClient, full: None) -> None:
    response = api.get("/v1/pronunciation/dictionaries/full/export?format=google")

    assert response.status_code == 400
    assert response.json()["fieldErrors"] == {
        "format": [
            "format must be one of csv, xlsx, json, pls, polly, polly-xsampa, azure, "
            "elevenlabs, elevenlabs-arpabet, elevenlabs-json, cartesia"
        ]
    }


def test_the_command_writes_the_zip_and_prints_the_report(
    organization: Organization, full: None, tmp_path: Path
) -> None:
    output = tmp_path / "polly.zip"
    err = io.StringIO()

    call_command(
        "export_dictionaries",
        "--org",
        organization.slug,
        "--format",
        "polly",
        "--names",
        "full",
        "--output",
        str(output),
        stderr=err,
    )

    with zipfile.ZipFile(output) as archive:
        assert REPORT_FILE in archive.namelist()
        assert all(
            len(archive.read(n).decode()) <= 4000 for n in archive.namelist() if n.endswith(".pls")
        )
    assert "dictionaries-polly.zip (application/zip)" in err.getvalue()
    assert "than the 5 one SynthesizeSpeech request applies (1): full" in err.getvalue()


def test_the_admin_exports_the_selection_for_a_vendor(
    organization: Organization, full: None
) -> None:
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw-for-tests"))
    make_dictionary(organization, "small", metadata={"language": "en-US"})
    ids = list(organization.dictionaries.values_list("pk", flat=True))

    response = client.post(
        "/admin/pronunciations/dictionary/",
        {"action": "export_elevenlabs", "_selected_action": ids},
    )

    files = _files(response)
    assert set(files) == {"full.pls", "small.pls", REPORT_FILE}
    page = client.get("/admin/pronunciations/dictionary/").content.decode()
    assert "ElevenLabs (PLS) export: every rule carried" in page


def test_checks_are_reported_as_left_out_of_every_vendor_format(
    api: APIClient, organization: Organization
) -> None:
    modes = {"rewrite": {"rules": [{"match": "SLNG", "replace": "slang"}]}}
    checks = [{"text": "I use SLNG", "expect": "I use slang"}]
    make_dictionary(
        organization, "brand", modes=modes, checks=checks, metadata={"language": "en-US"}
    )

    for file_format in ("polly", "azure", "elevenlabs", "elevenlabs-json", "cartesia"):
        assert _report(api, file_format, name="brand")["warnings"] == [
            "Dictionaries with checks (test sentences), which no vendor format holds: they are "
            "not in these files (CSV, XLSX and JSON exports keep them) (1): brand (1)"
        ]


@pytest.mark.parametrize(
    ("file_format", "alphabet", "written", "back"),
    [
        ("polly-xsampa", "x-sampa", 'pI"kA:n', "pɪˈkɑːn"),
        ("elevenlabs-arpabet", "cmu-arpabet", "P IH0 K AA1 N", "pɪkˈɑn"),
    ],
)
def test_polly_and_elevenlabs_can_write_the_alphabet_they_take(
    api: APIClient,
    organization: Organization,
    file_format: str,
    alphabet: str,
    written: str,
    back: str,
) -> None:
    """Issue 25: X-SAMPA for Polly, CMU ARPAbet for ElevenLabs, converted with ipakit; read back
    by our importer as IPA; a phoneme with no equivalent is reported, not written."""
    modes = {
        "rewrite": {"rules": [{"match": "SLNG", "replace": "slang"}]},
        "ipa": {"rules": [{"match": "pecan", "ipa": "pɪˈkɑːn"}, {"match": "flap", "ipa": "ⱱa"}]},
    }
    make_dictionary(organization, "nuts", modes=modes, metadata={"language": "en-US"})

    [(name, data)] = _files(_export(api, file_format, name="nuts")).items()

    assert f'<phoneme alphabet="{alphabet}">{written}</phoneme>'.encode() in data
    loaded = pls_load(data, max_bytes=1_000_000)
    assert [r["ipa"] for r in loaded.modes["ipa"]["rules"]] == [back]
    report = _report(api, file_format, name="nuts")
    assert any(
        f"its IPA has a symbol {alphabet} has no equivalent for" in w for w in report["warnings"]
    )
