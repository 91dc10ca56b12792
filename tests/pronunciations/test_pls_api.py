"""PLS export and import per dictionary through the API, and hostile PLS files refused."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from orgs.models import Organization
from pronunciations.models import Dictionary
from tests.factories import make_dictionary

MODES = {
    "rewrite": {"rules": [{"match": "NAIC", "replace": "en ay <eye> & see"}]},
    "ipa": {"rules": [{"match": "SLNG", "ipa": "slɪŋ"}]},
}
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa"
 xml:lang="en"><lexeme><grapheme>&lol2;</grapheme><alias>x</alias></lexeme></lexicon>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE lexicon [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa"
 xml:lang="en"><lexeme><grapheme>&secret;</grapheme><alias>x</alias></lexeme></lexicon>"""

pytestmark = pytest.mark.django_db


def _import(api: APIClient, data: bytes, **fields: Any) -> Any:
    upload = SimpleUploadedFile("lexicon.pls", data)
    return api.post("/v1/pronunciation/import", {"file": upload, **fields}, format="multipart")


def test_pls_export_then_import_round_trips_rules_and_language(
    api: APIClient, organization: Organization
) -> None:
    make_dictionary(organization, "brand", modes=MODES, metadata={"language": "en-US"})

    response = api.get("/v1/pronunciation/dictionaries/brand/export?format=pls")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pls+xml"
    assert b'xml:lang="en-US"' in response.content
    imported = _import(api, response.content, dictionary="copy", create_missing="true")

    assert imported.status_code == 200, imported.content
    copy = api.get("/v1/pronunciation/dictionaries/copy").json()
    assert (copy["modes"], copy["metadata"]) == (MODES, {"language": "en-US"})


def test_other_alphabets_are_reported_not_dropped_silently(
    api: APIClient, organization: Organization
) -> None:
    data = b"""<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa"
  xml:lang="en-GB">
  <lexeme><grapheme>tomato</grapheme><phoneme alphabet="sapi">t ax m aa t ow</phoneme></lexeme>
  <lexeme><grapheme>W3C</grapheme><alias>World Wide Web Consortium</alias></lexeme>
</lexicon>"""

    report = _import(api, data, dictionary="d", create_missing="true").json()

    assert report["dictionaries"]["created"] == ["d"]
    assert report["warnings"] == [
        '1 lexeme uses alphabet "sapi", which SLNG cannot store (it keeps IPA phonemes '
        "only): tomato (lexeme 1, line 4)"
    ]


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_entity_expansion_and_external_entities_are_refused(
    api: APIClient, organization: Organization, hostile: bytes
) -> None:
    response = _import(api, hostile, dictionary="d", create_missing="true")

    assert response.status_code == 400
    assert response.json()["fieldErrors"] == {
        "file": ["PLS files may not declare a DTD or entities"]
    }
    assert not Dictionary.objects.exists()


def test_a_pls_import_needs_a_dictionary_name(api: APIClient, organization: Organization) -> None:
    response = _import(api, b"<lexicon/>")

    assert response.json()["fieldErrors"] == {
        "dictionary": ["a PLS file holds one dictionary: name it"]
    }


def test_pls_is_per_dictionary_on_the_collection_export(api: APIClient) -> None:
    response = api.get("/v1/pronunciation/export?format=pls")

    assert response.status_code == 400
    assert response.json()["fieldErrors"] == {
        "format": [
            "format must be one of csv, xlsx, json, polly, polly-xsampa, azure, elevenlabs, "
            "elevenlabs-arpabet, elevenlabs-json, cartesia"
        ]
    }
