"""Preview of saved and unsaved modes, and lint."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from orgs.models import Organization
from pronunciations.content import content_hash
from pronunciations.lint import lint_modes
from pronunciations.models import Mode
from pronunciations.validation import Modes, RuleSpec
from tests.factories import make_dictionary

URL = "/v1/pronunciation/dictionaries"
GUIDE = {
    "rewrite": {
        "rules": [
            {"match": "SLNG", "replace": "slang"},
            {"match": "QubePay", "replace": "cube pay"},
            {"match": "ACH", "replace": "ay see aitch"},
            {"match": "ACH transfer", "replace": "ay see aitch transfer"},
        ]
    }
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def support(organization: Organization) -> Any:
    return make_dictionary(organization, "support-pronunciations", modes=GUIDE)


def test_preview_of_a_saved_dictionary(api: APIClient, support: Any) -> None:
    text = "Pay with QubePay by ACH transfer, not ACH."

    response = api.post(f"{URL}/support-pronunciations/preview", {"text": text}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "text": "Pay with cube pay by ay see aitch transfer, not ay see aitch.",
        "applied": [
            {
                "rule_index": 1,
                "match": "QubePay",
                "replace": "cube pay",
                "start": 9,
                "end": 16,
                "out_start": 9,
                "out_end": 17,
            },
            {
                "rule_index": 3,
                "match": "ACH transfer",
                "replace": "ay see aitch transfer",
                "start": 20,
                "end": 32,
                "out_start": 21,
                "out_end": 42,
            },
            {
                "rule_index": 2,
                "match": "ACH",
                "replace": "ay see aitch",
                "start": 38,
                "end": 41,
                "out_start": 48,
                "out_end": 60,
            },
        ],
        "content_hash": support.content_hash,
    }


def test_preview_of_unsaved_modes_validates_them(api: APIClient) -> None:
    ok = api.post(
        "/v1/pronunciation/preview", {"text": "SLNG rocks", "modes": GUIDE}, format="json"
    )
    bad = api.post("/v1/pronunciation/preview", {"text": "x", "modes": {"ssml": {}}}, format="json")

    assert ok.json()["text"] == "slang rocks"
    assert bad.status_code == 400
    assert bad.json()["fieldErrors"] == {
        "modes": ["unsupported mode: ssml", "modes.rewrite is required"]
    }


def test_preview_text_is_bounded(api: APIClient, support: Any, settings: Any) -> None:
    settings.LEXICON_MAX_PREVIEW_CHARS = 10

    response = api.post(f"{URL}/support-pronunciations/preview", {"text": "x" * 11}, format="json")

    assert response.status_code == 400
    assert response.json()["fieldErrors"] == {"text": ["must be at most 10 characters, got 11"]}


def test_preview_without_text_is_refused(api: APIClient, support: Any) -> None:
    response = api.post(f"{URL}/support-pronunciations/preview", {}, format="json")

    assert response.json()["fieldErrors"] == {"text": ["text is required and must be a string"]}


def test_lint_endpoint_reports_each_kind_of_warning(
    api: APIClient, organization: Organization
) -> None:
    modes = {
        "rewrite": {
            "rules": [
                {"match": "ACH", "replace": "ACH"},
                {"match": "NAIC", "replace": "the ACH people"},
                {"match": "e-mail", "replace": "ee mail"},
                {"match": "e mail", "replace": "ee mail"},
                {"match": "\u093fx", "replace": "mark first"},
            ]
        },
        "ipa": {"rules": [{"match": "SLNG", "ipa": "SLɪŋ"}]},
    }
    make_dictionary(organization, "linty", modes=modes)

    warnings = api.get(f"{URL}/linty/lint").json()["warnings"]

    assert [(w["code"], w["field"]) for w in warnings] == [
        ("never_fires", "modes.rewrite.rules[4].match"),
        ("replace_contains_match", "modes.rewrite.rules[1].replace"),
        ("replace_equals_match", "modes.rewrite.rules[0].replace"),
        ("near_duplicate", "modes.rewrite.rules[3].match"),
        ("ipa_characters", "modes.ipa.rules[0].ipa"),
    ]
    assert warnings[-1]["message"] == (
        "not IPA: 'L' (LATIN CAPITAL LETTER L), 'S' (LATIN CAPITAL LETTER S)"
    )


def test_clean_rules_have_no_warnings() -> None:
    modes: Modes = {
        Mode.REWRITE: (
            RuleSpec("SLNG", "slang"),
            RuleSpec("ACH transfer", "ay see aitch transfer"),
        ),
        Mode.IPA: (RuleSpec("SLNG", "slɪŋ"), RuleSpec("data", "ˈdeɪ.tə")),
    }

    assert lint_modes(modes, content_hash(modes)) == []
