"""Issue 18: PLS lexicons as teams keep them for Azure, Polly and ElevenLabs import, each with the
report a linguist reads. The fixtures in pls_fixtures/ are hand-made, one real-world trait each:

- polly-brands-ja.pls: case variants in one lexeme and across lexemes, agreeing and not
- azure-sk-indented.pls: every text on its own indented line, comments, xsi:schemaLocation
- latin-no-attributes.pls: a root without xml:lang and alphabet
- zh-sapi.pls: 33 lexemes in another alphabet, so nothing can be imported
- en-polly-small.pls: the small English file that always imported
and, built here, files of 257+ lexemes.
"""

import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from config.celery import app
from orgs.models import Organization
from pronunciations.models import Dictionary, ImportJob
from pronunciations.transfer import jobs
from pronunciations.transfer.pls import PLS_NAMESPACE
from tests.factories import make_dictionary, rewrite_rules

FIXTURES = Path(__file__).parent / "pls_fixtures"
IMPORT = "/v1/pronunciation/import"

pytestmark = pytest.mark.django_db


def _import(api: APIClient, data: bytes, **fields: Any) -> Any:
    upload = SimpleUploadedFile("lexicon.pls", data)
    body = {"file": upload, "dictionary": "d", "create_missing": "true", "mode": "replace"}
    return api.post(IMPORT, {**body, **fields}, format="multipart")


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _dry_run(api: APIClient, name: str) -> Any:
    response = _import(api, _fixture(name), dry_run="true")
    assert response.status_code == 200, response.content
    return response.json()


def _added(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    rules = report["plan"][0]["rules"]["added"]
    return [(rule["mode"], rule["match"], rule["value"]) for rule in rules]


def _lexicon(lexemes: str, attributes: str = 'alphabet="ipa" xml:lang="en-US"') -> bytes:
    return (
        f'<?xml version="1.0"?>\n<lexicon version="1.0" xmlns="{PLS_NAMESPACE}" {attributes}>\n'
        f"{lexemes}</lexicon>\n"
    ).encode()


BRANDS_MERGED = (
    "2 graphemes match like an earlier one (SLNG ignores case) and say the same, so they were "
    "merged into its rule: keepalived (lexeme 1, line 12) = Keepalived (lexeme 1, line 11), "
    "Uniqlo (lexeme 4, line 24) = UNIQLO (lexeme 2, line 16)"
)
BRANDS_CONFLICT_MESSAGE = (
    'SLNG ignores case, so it matches like Muji "ムジ" (lexeme 5, line 28), but its alias is '
    '"無印良品"'
)


def test_case_variants_that_agree_are_merged_and_the_first_of_differing_ones_wins(
    api: APIClient, organization: Organization
) -> None:
    report = _dry_run(api, "polly-brands-ja.pls")

    assert report["warnings"] == [
        BRANDS_MERGED,
        "1 grapheme matches like an earlier one (SLNG ignores case) but with another alias; "
        'the first in the file is kept: MUJI "無印良品" (lexeme 6, line 32) lost to '
        'Muji "ムジ" (lexeme 5, line 28)',
    ]
    assert report["rules"] == {"added": 4, "changed": 0, "removed": 0}
    assert _added(report) == [
        ("rewrite", "Keepalived", "キープアライブディー"),
        ("rewrite", "UNIQLO", "ユニクロ"),
        ("rewrite", "Shiseido", "資生堂"),
        ("rewrite", "Muji", "ムジ"),
    ]
    assert not Dictionary.objects.exists()


def test_on_conflict_refuse_locates_each_differing_variant_and_writes_nothing(
    api: APIClient, organization: Organization
) -> None:
    response = _import(api, _fixture("polly-brands-ja.pls"), on_conflict="refuse")

    assert response.status_code == 400
    body = response.json()
    assert body["fieldErrors"] == {"lexemes[6].grapheme": [BRANDS_CONFLICT_MESSAGE]}
    assert body["report"]["errors"] == [
        {
            "lexeme": 6,
            "grapheme": "MUJI",
            "line": 32,
            "element": "grapheme",
            "message": BRANDS_CONFLICT_MESSAGE,
        }
    ]
    assert body["report"]["warnings"] == [BRANDS_MERGED]  # a refusal still says what it read
    assert not Dictionary.objects.exists()


def test_on_conflict_takes_only_first_or_refuse(api: APIClient, organization: Organization) -> None:
    response = _import(api, _fixture("en-polly-small.pls"), on_conflict="last")

    assert response.status_code == 400
    assert response.json()["fieldErrors"] == {
        "on_conflict": ["on_conflict must be first or refuse"]
    }


def test_a_pretty_printed_file_reads_as_it_looks(
    api: APIClient, organization: Organization
) -> None:
    response = _import(api, _fixture("azure-sk-indented.pls"))

    assert response.status_code == 200, response.content
    assert response.json()["warnings"] == [
        "1 grapheme matches like an earlier one (SLNG ignores case) and says the same, so it was "
        "merged into its rule: Hm (lexeme 2, line 20) = hm (lexeme 1, line 12)",
        "1 grapheme matches like an earlier one (SLNG ignores case) but with another alias; "
        'the first in the file is kept: pozde "pozďe" (lexeme 4, line 36) lost to '
        'Pozde "Pozďe" (lexeme 3, line 28)',
    ]
    stored = api.get("/v1/pronunciation/dictionaries/d").json()
    assert stored["modes"] == {
        "rewrite": {
            "rules": [
                {"match": "hm", "replace": "hmm"},
                {"match": "Pozde", "replace": "Pozďe"},
                {"match": "napr.", "replace": "napríklad"},
                {"match": "tzv.", "replace": "takzvaný"},
            ]
        }
    }
    assert stored["metadata"] == {"language": "sk-SK"}


def test_a_root_without_language_or_alphabet_gets_the_defaults_and_says_so(
    api: APIClient, organization: Organization
) -> None:
    make_dictionary(organization, "d", metadata={"language": "la", "owner": "classics"})

    response = _import(api, _fixture("latin-no-attributes.pls"), create_missing="false")

    assert response.status_code == 200, response.content
    assert response.json()["warnings"] == [
        "The lexicon (line 2) has no alphabet attribute: its phonemes are read as IPA, the "
        'default (alphabet="ipa").',
        "The lexicon (line 2) has no xml:lang attribute: no language is imported (the "
        "dictionary's metadata.language is left as it is).",
    ]
    stored = api.get("/v1/pronunciation/dictionaries/d").json()
    assert stored["modes"]["ipa"] == {
        "rules": [
            {"match": "et", "ipa": "ɛt"},
            {"match": "caelum", "ipa": "ˈkae̯.lum"},
            {"match": "Caesar", "ipa": "ˈkae̯.sar"},
        ]
    }
    assert stored["metadata"] == {"language": "la", "owner": "classics"}


SAPI_NOTHING = (
    "Nothing in this file can be imported: none of its 33 lexemes has an alias or an IPA "
    'phoneme that SLNG can store (33 use alphabet "sapi").'
)
SAPI_GROUP = (
    '33 lexemes use alphabet "sapi", which SLNG cannot store (it keeps IPA phonemes only): '
    "朱重八 (lexeme 1, line 7), 重瞳 (lexeme 2, line 11), 朱元璋 (lexeme 3, line 15), …"
)


def test_another_alphabet_gives_one_line_saying_nothing_was_imported_and_why(
    api: APIClient, organization: Organization
) -> None:
    """Issue 18: 33 lexemes gave 66 warnings and no word that nothing had been imported."""
    report = _dry_run(api, "zh-sapi.pls")

    assert report["warnings"] == [SAPI_NOTHING, SAPI_GROUP]
    assert report["rules"] == {"added": 0, "changed": 0, "removed": 0}


def test_the_small_english_file_imports_without_a_warning(
    api: APIClient, organization: Organization
) -> None:
    report = _dry_run(api, "en-polly-small.pls")

    assert report["warnings"] == []
    assert _added(report) == [
        ("rewrite", "W3C", "World Wide Web Consortium"),
        ("ipa", "pecan", "pɪˈkɑːn"),
    ]


@pytest.mark.parametrize(
    ("element", "mode", "what"),
    [("alias", "rewrite", "an alias"), ("phoneme", "ipa", "an IPA phoneme")],
)
def test_a_file_past_256_rules_a_mode_names_the_mode_the_count_and_the_limit(
    api: APIClient, organization: Organization, element: str, mode: str, what: str
) -> None:
    """Issue 18: a 276-lexeme file got "must have at most 256 rules" under rows[1].match."""
    lexemes = "".join(
        f"<lexeme>\n<grapheme>w{i}</grapheme><{element}>v</{element}></lexeme>\n"
        for i in range(276)
    )

    response = _import(api, _lexicon(lexemes))

    assert response.status_code == 400
    message = (
        f"the {mode} mode would have 276 rules (one per grapheme with {what}); SLNG allows at "
        "most 256 rules a mode, and this is the first past the limit"
    )
    # Lexeme k starts on line 3 + 2 (k - 1); its grapheme and value are on the next line.
    assert response.json()["fieldErrors"] == {f"lexemes[257].{element}": [message]}
    assert response.json()["report"]["errors"] == [
        {"lexeme": 257, "grapheme": "w256", "line": 516, "element": element, "message": message}
    ]


def test_a_merge_past_the_limit_is_located_at_the_lexicon(
    api: APIClient, organization: Organization
) -> None:
    make_dictionary(organization, "d", modes={"rewrite": {"rules": rewrite_rules(250)}})
    lexemes = "".join(
        f"<lexeme><grapheme>new{i}</grapheme><alias>v</alias></lexeme>\n" for i in range(10)
    )

    response = _import(api, _lexicon(lexemes), mode="merge")

    assert response.status_code == 400
    assert response.json()["fieldErrors"] == {
        "lexicon": ["the rewrite mode must have at most 256 rules, got 260"]
    }


def test_a_value_error_names_the_lexeme_the_grapheme_and_the_line_of_the_value(
    api: APIClient, organization: Organization
) -> None:
    lexemes = (
        "<lexeme><grapheme>ok</grapheme><alias>fine</alias></lexeme>\n"
        f"<lexeme>\n  <grapheme>long</grapheme>\n  <alias>{'x' * 257}</alias>\n</lexeme>\n"
    )

    response = _import(api, _lexicon(lexemes))

    assert response.status_code == 400
    assert response.json()["report"]["errors"] == [
        {
            "lexeme": 2,
            "grapheme": "long",
            "line": 6,
            "element": "alias",
            "message": "must be at most 256 characters",
        }
    ]


def test_the_command_prints_errors_by_lexeme_and_line(
    organization: Organization, tmp_path: Path
) -> None:
    path = tmp_path / "brands.pls"
    path.write_bytes(_fixture("polly-brands-ja.pls"))
    err = io.StringIO()

    with pytest.raises(CommandError, match="Import refused: 1 error"):
        call_command(
            "import_dictionaries",
            str(path),
            "--org",
            organization.slug,
            "--dictionary",
            "brands",
            "--create-missing",
            "--on-conflict",
            "refuse",
            stderr=err,
        )

    assert f"lexeme 6 'MUJI', <grapheme> at line 32: {BRANDS_CONFLICT_MESSAGE}" in err.getvalue()


def test_the_admin_dry_run_shows_the_new_report(organization: Organization) -> None:
    dictionary = make_dictionary(organization, "brand")
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw-for-tests"))
    url = f"/admin/pronunciations/dictionary/{dictionary.pk}/pls/import/"

    nothing = client.post(
        url,
        {
            "file": SimpleUploadedFile("zh.pls", _fixture("zh-sapi.pls")),
            "mode": "replace",
            "dry_run": "on",
        },
    )
    refused = client.post(
        url,
        {
            "file": SimpleUploadedFile("ja.pls", _fixture("polly-brands-ja.pls")),
            "mode": "replace",
            "on_conflict": "refuse",
            "dry_run": "on",
        },
    )

    assert nothing.status_code == 200
    assert SAPI_NOTHING.replace('"', "&quot;") in nothing.content.decode()
    assert SAPI_GROUP.replace('"', "&quot;") in nothing.content.decode()
    page = refused.content.decode()
    assert "lexeme 6 &#x27;MUJI&#x27;, &lt;grapheme&gt; at line 32" in page
    assert BRANDS_MERGED in page


@pytest.mark.django_db(transaction=True)
def test_a_background_import_keeps_the_conflict_choice(
    api: APIClient, organization: Organization
) -> None:
    upload = SimpleUploadedFile("brands.pls", _fixture("polly-brands-ja.pls"))
    fields = {"file": upload, "dictionary": "d", "create_missing": "true", "on_conflict": "refuse"}
    try:
        queued = api.post(IMPORT + "?async=true", fields, format="multipart")
        job = ImportJob.objects.get(public_id=queued.json()["id"])
        jobs.import_job_run(job_id=job.public_id, organization_id=organization.public_id)
    finally:
        app.control.purge()  # no worker runs here: the queued message is dropped

    job.refresh_from_db()
    assert (job.state, job.options["conflicts"]) == ("failed", "refuse")
    assert job.report is not None
    assert job.report["errors"][0]["message"] == BRANDS_CONFLICT_MESSAGE


def test_an_xsampa_lexicon_imports_as_ipa_rules_reported_as_converted(api: APIClient) -> None:
    """Issue 25: X-SAMPA converts to IPA (ipakit); a symbol without IPA is still reported."""
    report = _dry_run(api, "en-xsampa.pls")
    assert _added(report) == [
        ("ipa", "pecan", "pɪˈkɑːn"),
        ("ipa", "carrot", "ˈkæɹət"),
        ("ipa", "either", "ˈiːðɚ"),
    ]
    assert report["warnings"] == [
        '3 lexemes in alphabet "x-sampa" converted to IPA (SLNG keeps IPA phonemes only): '
        "check them: pecan (lexeme 1, line 4), carrot (lexeme 2, line 5), "
        "either (lexeme 3, line 6)",
        '1 lexeme uses alphabet "x-sampa", which SLNG cannot store (it keeps IPA phonemes '
        "only): broken (lexeme 4, line 7)",
    ]


def test_an_arpabet_lexicon_imports_as_ipa_rules_reported_as_converted(api: APIClient) -> None:
    report = _dry_run(api, "en-arpabet.pls")
    assert _added(report) == [
        ("ipa", "tomato", "təmˈe͡ɪtˌo͡ʊ"),
        ("ipa", "SLNG", "slˈɪŋ"),
        ("ipa", "Kubernetes", "kˌubɚnˈɛtiz"),
    ]
    assert report["warnings"][0].startswith(
        '3 lexemes in alphabet "cmu-arpabet" converted to IPA (SLNG keeps IPA phonemes only)'
    )
    assert report["warnings"][1] == (
        '1 lexeme uses alphabet "cmu-arpabet", which SLNG cannot store (it keeps IPA phonemes '
        "only): broken (lexeme 4, line 7)"
    )
