"""Issue 25: lint says, while a linguist edits, what the organization's target models can speak."""

from typing import Any

import pytest
from django.test import Client

from orgs.models import Organization
from pronunciations.content import content_hash
from pronunciations.lint import lint_modes
from pronunciations.validation import validate_modes
from sync.services import target_create
from tests.factories import make_dictionary

pytestmark = pytest.mark.django_db

MODES = {
    "rewrite": {"rules": [{"match": "ACME", "replace": "ay see em ee"}]},
    "ipa": {"rules": [{"match": "dupilumab", "ipa": "duːˈpɪljuːmæb"}]},
}


def _target(organization: Organization, name: str, model: str, key: str) -> None:
    target_create(
        organization=organization,
        name=name,
        base_url="https://api.slng.ai",
        ws_url="wss://api.slng.ai",
        api_key=key,
        model=model,
    )


@pytest.fixture
def targets(organization: Organization) -> None:
    _target(organization, "production", "cartesia/sonic:3", "sk_test_one")
    _target(organization, "support", "sarvam/bulbul:v3", "sk_test_two")


def test_lint_names_the_models_that_cannot_speak_a_rule_and_symbols_outside_a_phone_set(
    organization: Organization, targets: None, api: Any
) -> None:
    make_dictionary(organization, "brand", modes=MODES)

    warnings = api.get("/v1/pronunciation/dictionaries/brand/lint").json()["warnings"]

    assert warnings == [
        {
            "code": "not_audible",
            "field": "modes.ipa.rules[0].ipa",
            "message": "not audible on sarvam/bulbul:v3 (target support): it takes no phonemes",
        },
        {
            "code": "phone_set",
            "field": "modes.ipa.rules[0].ipa",
            "message": "'uː' is not in Cartesia's English phone set "
            "(cartesia/sonic:3, target production)",
        },
    ]


def test_lint_without_an_organization_knows_no_targets(targets: None) -> None:
    modes = validate_modes(MODES)
    # The content key names the matcher lint caches: the content's own hash, as callers pass.
    assert [w.code for w in lint_modes(modes, content_hash(modes))] == []


def test_lint_says_when_the_compiled_dictionary_would_be_over_slngs_limits(
    organization: Organization, targets: None
) -> None:
    modes = validate_modes(
        {
            "rewrite": {"rules": [{"match": f"w{i}", "replace": "x"} for i in range(250)]},
            "ipa": {"rules": [{"match": f"n{i}", "ipa": "ə"} for i in range(8)]},
        }
    )
    warnings = lint_modes(modes, content_hash(modes), organization.pk)
    over = [w for w in warnings if w.code == "compiled_over_limit"]
    assert [(w.field, w.message) for w in over] == [
        (
            "modes.ipa.rules[7].ipa",
            "compiled for cartesia/sonic:3, the dictionary has 258 rewrite rules, over SLNG's "
            "limit of 256 a mode: nothing would be sent (target production)",
        )
    ]


def test_the_change_page_marks_the_rule_as_the_linguist_types(
    organization: Organization, targets: None, boss: Client
) -> None:
    dictionary = make_dictionary(organization, "brand", modes=MODES)
    answer = boss.post(
        "/admin/pronunciations/dictionary/preview/",
        {"text": "dupilumab", "modes": MODES, "dictionary": dictionary.pk},
        content_type="application/json",
    ).json()
    messages = [p["message"] for p in answer["problems"]]
    assert any("not audible on sarvam/bulbul:v3 (target support)" in m for m in messages)
    # without the page's dictionary (a new one), nothing is said of targets
    answer = boss.post(
        "/admin/pronunciations/dictionary/preview/",
        {"text": "dupilumab", "modes": MODES},
        content_type="application/json",
    ).json()
    assert not any("not audible" in p["message"] for p in answer["problems"])


def test_the_review_page_says_which_changed_ipa_rules_are_not_audible_and_offers_them(
    organization: Organization, targets: None, boss: Client, settings: Any
) -> None:
    """Issue 25: every changed rule can be heard; an IPA rule's target models are named."""
    organization.review_required = True
    organization.save()
    make_dictionary(organization, "brand", modes=MODES)

    page = boss.get("/admin/pronunciations/dictionary/review/").content.decode()

    assert (
        "<li>dupilumab: not audible on sarvam/bulbul:v3 (target support): it takes no phonemes</li>"
    ) in page
    assert 'data-text="dupilumab">▶ dupilumab</button>' in page
    assert 'data-text="ACME">▶ ACME</button>' in page
