"""Layers: includes as content, flattening's precedence, language filters, cycles and depth,
and a layer's change checked against every includer's checks before it is approved."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from orgs.actors import Actor
from orgs.models import Organization, Role
from orgs.services import organization_configure
from pronunciations import layers, ripple, where
from pronunciations.errors import InvalidDictionary
from pronunciations.models import Dictionary, Include, ReviewState
from pronunciations.services import dictionary_update
from pronunciations.validation import MAX_LAYER_DEPTH
from tests.factories import decide, make_dictionary

pytestmark = pytest.mark.django_db


def rewrite(*pairs: tuple[str, str], disabled: tuple[str, ...] = ()) -> dict:
    rules = [
        {"match": m, "replace": r, **({"disabled": True} if m in disabled else {})}
        for m, r in pairs
    ]
    return {"rewrite": {"rules": rules}}


def flat_rules(flat: layers.Flat) -> list[tuple[str, str, str]]:
    return [(r.rule.match, r.rule.value, r.layer) for r in flat.rules]


def test_own_rules_win_over_layers_and_later_layers_over_earlier(
    organization: Organization,
) -> None:
    make_dictionary(organization, "brand", modes=rewrite(("NAIC", "nake"), ("ACME", "acme")))
    make_dictionary(organization, "legal", modes=rewrite(("NAIC", "N.A.I.C."), ("GDPR", "G D P R")))
    agent = make_dictionary(
        organization,
        "support-en",
        modes=rewrite(("ACME", "Acme Corp")),
        includes=[{"name": "brand"}, {"name": "legal"}],
    )
    flat = layers.current_flat(agent)
    assert flat_rules(flat) == [
        ("NAIC", "N.A.I.C.", "legal"),
        ("GDPR", "G D P R", "legal"),
        ("ACME", "Acme Corp", "support-en"),
    ]
    naic = flat.rules[0]
    assert [(s.layer, s.revision, s.value) for s in naic.shadows] == [("brand", 1, "nake")]
    assert [(s.layer, s.value) for s in flat.rules[2].shadows] == [("brand", "acme")]
    assert flat.layers == [("brand", 1), ("legal", 1), ("support-en", 1)]


def test_an_include_limited_to_a_language_applies_to_that_language_only(
    organization: Organization,
) -> None:
    make_dictionary(organization, "brand-de", modes=rewrite(("ACME", "Ackme")))
    includes = [{"name": "brand-de", "language": "de"}]
    german = make_dictionary(
        organization, "support-de", metadata={"language": "de-CH"}, includes=includes, rules=0
    )
    english = make_dictionary(
        organization, "support-en", metadata={"language": "en"}, includes=includes, rules=0
    )
    assert flat_rules(layers.current_flat(german)) == [("ACME", "Ackme", "brand-de")]
    assert flat_rules(layers.current_flat(english)) == []


def test_disabled_rules_are_kept_but_not_flattened(organization: Organization) -> None:
    make_dictionary(organization, "brand", modes=rewrite(("NAIC", "nake"), ("ACME", "acme")))
    agent = make_dictionary(
        organization,
        "support",
        modes=rewrite(("NAIC", "N.A.I.C."), disabled=("NAIC",)),
        includes=[{"name": "brand"}],
    )
    assert flat_rules(layers.current_flat(agent)) == [
        ("NAIC", "nake", "brand"),
        ("ACME", "acme", "brand"),
    ]


def test_includes_are_content_kept_by_a_write_of_rules_alone(organization: Organization) -> None:
    make_dictionary(organization, "brand")
    agent = make_dictionary(organization, "support", includes=[{"name": "brand"}])
    updated = dictionary_update(
        organization=organization, name="support", modes=rewrite(("hi", "hello"))
    )
    assert updated.revision == 2
    assert agent.revisions.get(number=2).snapshot["includes"] == [{"name": "brand"}]
    assert list(Include.objects.filter(dictionary=agent).values_list("layer_name", flat=True)) == [
        "brand"
    ]
    dictionary_update(organization=organization, name="support", partial=True, includes=[])
    assert "includes" not in agent.revisions.get(number=3).snapshot
    assert not Include.objects.filter(dictionary=agent).exists()


def test_a_cycle_is_refused_naming_it(organization: Organization) -> None:
    make_dictionary(organization, "brand")
    make_dictionary(organization, "support", includes=[{"name": "brand"}])
    with pytest.raises(ValidationError) as refused:
        dictionary_update(
            organization=organization, name="brand", partial=True, includes=[{"name": "support"}]
        )
    assert refused.value.message_dict == {
        "includes[0].name": [
            "support includes brand already (through support < brand): that is a cycle"
        ]
    }


def test_including_itself_or_a_missing_layer_is_refused(organization: Organization) -> None:
    make_dictionary(organization, "support")
    with pytest.raises(ValidationError) as itself:
        dictionary_update(
            organization=organization, name="support", partial=True, includes=[{"name": "Support"}]
        )
    assert itself.value.message_dict == {"includes[0].name": ["a dictionary cannot include itself"]}
    with pytest.raises(ValidationError) as missing:
        dictionary_update(
            organization=organization, name="support", partial=True, includes=[{"name": "nope"}]
        )
    assert missing.value.message_dict == {
        "includes[0].name": ["no dictionary named nope in this organization"]
    }


def test_layers_nest_at_most_the_bounded_depth(organization: Organization) -> None:
    make_dictionary(organization, "l0")
    for level in range(1, MAX_LAYER_DEPTH):
        make_dictionary(organization, f"l{level}", includes=[{"name": f"l{level - 1}"}])
    top = f"l{MAX_LAYER_DEPTH - 1}"
    make_dictionary(organization, "deep-enough", includes=[{"name": top}])
    with pytest.raises(ValidationError) as refused:
        make_dictionary(organization, "too-deep", includes=[{"name": "deep-enough"}])
    assert refused.value.message_dict == {
        "includes[0].name": [
            f"layers may nest at most {MAX_LAYER_DEPTH} deep; through deep-enough they nest "
            f"{MAX_LAYER_DEPTH + 1}"
        ]
    }


def test_a_flattened_dictionary_over_slngs_limit_says_so(organization: Organization) -> None:
    make_dictionary(
        organization,
        "brand",
        modes={"rewrite": {"rules": [{"match": f"a{i}", "replace": "x"} for i in range(200)]}},
    )
    agent = make_dictionary(
        organization,
        "support",
        modes={"rewrite": {"rules": [{"match": f"b{i}", "replace": "y"} for i in range(100)]}},
        includes=[{"name": "brand"}],
    )
    assert layers.current_flat(agent).over_limit == {"rewrite": 300}


REVIEWER = Actor("rita", "user:rita", Role.REVIEWER)


def _reviewed_agents(organization: Organization) -> None:
    organization_configure(organization=organization, review_required=True)
    make_dictionary(organization, "brand", modes=rewrite(("NAIC", "N.A.I.C.")))
    for name in ("support-en", "billing-en"):
        make_dictionary(
            organization,
            name,
            rules=0,
            includes=[{"name": "brand"}],
            checks=[{"text": "NAIC rules", "expect": "N.A.I.C. rules"}],
        )
    for name in ("brand", "support-en", "billing-en"):
        decide(Dictionary.objects.get(name=name), REVIEWER, ReviewState.APPROVED)


def test_a_layer_change_breaking_an_includers_check_cannot_be_approved(
    organization: Organization,
) -> None:
    _reviewed_agents(organization)
    brand = dictionary_update(
        organization=organization, name="brand", modes=rewrite(("NAIC", "nake"))
    )
    with pytest.raises(InvalidDictionary) as refused:
        decide(brand, REVIEWER, ReviewState.APPROVED, number=2)
    assert refused.value.message == (
        "Revision 2 of pronunciation dictionary brand cannot be approved: it breaks the check "
        "of billing-en: 'NAIC rules' expected 'N.A.I.C. rules', got 'nake rules' (and 1 more). "
        "Dictionaries that include it are pushed with it: fix the layer, or the includer's "
        "rules or checks."
    )
    assert refused.value.field_errors == {
        "includers.billing-en.checks[0]": [
            "billing-en: 'NAIC rules' expected 'N.A.I.C. rules', got 'nake rules'"
        ],
        "includers.support-en.checks[0]": [
            "support-en: 'NAIC rules' expected 'N.A.I.C. rules', got 'nake rules'"
        ],
    }


def test_a_layer_change_keeping_includers_checks_is_approved_once(
    organization: Organization,
) -> None:
    _reviewed_agents(organization)
    brand = dictionary_update(
        organization=organization,
        name="brand",
        modes=rewrite(("NAIC", "N.A.I.C."), ("ACME", "acme")),
    )
    approved = decide(brand, REVIEWER, ReviewState.APPROVED, number=2)
    assert approved.review_state == ReviewState.APPROVED
    # the includers have no revision of their own to review
    assert [d.revision for d in Dictionary.objects.filter(name__endswith="-en")] == [1, 1]


def test_an_includers_checks_run_on_its_flattened_content(organization: Organization) -> None:
    make_dictionary(organization, "brand", modes=rewrite(("NAIC", "nake")))
    agent = make_dictionary(
        organization,
        "support",
        rules=0,
        includes=[{"name": "brand"}],
        checks=[{"text": "NAIC", "expect": "nake"}],
    )
    assert agent.revisions.get(number=1).checks_failed == 0


def test_where_says_which_layer_answers_for_each_agent(organization: Organization) -> None:
    make_dictionary(organization, "brand", modes=rewrite(("NAIC", "N.A.I.C.")), layer_only=True)
    support = make_dictionary(organization, "support", rules=0, includes=[{"name": "brand"}])
    billing = make_dictionary(
        organization, "billing", modes=rewrite(("NAIC", "nake")), includes=[{"name": "brand"}]
    )
    found = where.answers([support, billing], "NAIC rules")
    assert [(a.dictionary.name, a.result.text) for a in found] == [
        ("support", "N.A.I.C. rules"),
        ("billing", "nake rules"),
    ]
    assert [(hit.match, hit.layer) for hit in found[0].hits] == [("NAIC", "brand")]
    assert [(hit.match, hit.layer) for hit in found[1].hits] == [("NAIC", "")]


def test_the_dictionary_preview_runs_on_the_flattened_content(
    organization: Organization, api: Any
) -> None:
    make_dictionary(organization, "brand", modes=rewrite(("NAIC", "N.A.I.C.")))
    make_dictionary(
        organization,
        "support",
        modes=rewrite(("hi", "hello"), ("NAIC", "nake"), disabled=("NAIC",)),
        includes=[{"name": "brand"}],
    )
    response = api.post(
        "/v1/pronunciation/dictionaries/support/preview", {"text": "hi NAIC"}, format="json"
    )
    assert response.json()["text"] == "hello N.A.I.C."


def test_history_says_which_layer_revision_changed_what_a_dictionary_serves(
    organization: Organization,
) -> None:
    make_dictionary(organization, "brand", modes=rewrite(("NAIC", "nake"), ("ACME", "acme")))
    agent = make_dictionary(
        organization, "support", modes=rewrite(("NAIC", "N.A.I.C.")), includes=[{"name": "brand"}]
    )
    dictionary_update(
        organization=organization, name="brand", modes=rewrite(("NAIC", "naik"), ("ACME", "acme"))
    )
    dictionary_update(
        organization=organization, name="brand", modes=rewrite(("NAIC", "naik"), ("ACME", "Acme"))
    )
    changes = ripple.layer_changes(agent)
    assert [(c.layer, c.revision.number, c.served, c.lines) for c in changes] == [
        ("brand", 3, True, [("changed", "~ rewrite: ACME → acme ⇒ Acme")]),
        ("brand", 2, False, [("changed", "~ rewrite: NAIC → nake ⇒ naik")]),
    ]
