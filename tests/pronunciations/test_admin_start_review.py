"""Issue 14 item 5: the start page's "Waiting for review" (reviewers and admins: the count and
the newest proposals) and "Failing checks" (live dictionaries whose current revision fails),
each for the user's organizations only and at a fixed number of queries."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from orgs.actors import Actor
from orgs.models import Organization, Role
from orgs.services import organization_configure
from pronunciations.services import dictionary_delete, dictionary_update
from tests.factories import make_dictionary, staff_user

pytestmark = pytest.mark.django_db

QP = {"rewrite": {"rules": [{"match": "QP", "replace": "cue pee"}]}}
FAILING = [
    {"text": "Pay with QP", "expect": "Pay with cue pee"},
    {"text": "QPs", "expect": "cue pees"},
]


def _page(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.get("/admin/").content.decode()


def _section(page: str, section_id: str) -> str:
    """One start-page section's HTML (sections are divs that hold no other div)."""
    start = page.index(f'id="{section_id}"')
    return page[start : page.index("</div>", start)]


def test_reviewers_see_how_many_changes_wait_and_the_newest(
    organization: Organization, other_organization: Organization
) -> None:
    organization_configure(organization=organization, review_required=True)
    organization_configure(organization=other_organization, review_required=True)
    asha = staff_user("asha", organization, Role.EDITOR)
    for i in range(7):
        make_dictionary(organization, f"terms-{i}", modes=QP, created_by=Actor.for_user(asha))
    dictionary_update(
        organization=organization,
        name="terms-6",
        modes={"rewrite": {"rules": []}},
        comment="no rules after all",
    )
    make_dictionary(other_organization, "zq-secret", modes=QP)

    whole = _page(staff_user("rita", organization, Role.REVIEWER))
    page = _section(whole, "start-waiting-for-review")

    # terms-6's update superseded its first proposal: 7 changes wait, one per dictionary.
    assert '<span class="start-count" id="waiting-count">7</span>' in page
    assert page.count('class="waiting-change"') == 5
    assert "no rules after all" in page
    assert "Review all 7 changes" in page
    assert "zq-secret" not in page
    assert whole.index('id="start-waiting-for-review"') < whole.index('id="start-failing-checks"')
    assert whole.index('id="start-failing-checks"') < whole.index('id="start-failed-syncs"')


def test_own_proposals_are_marked_for_the_reviewer_who_made_them(
    organization: Organization,
) -> None:
    organization_configure(organization=organization, review_required=True)
    boss = staff_user("boss", organization, Role.ADMIN)
    make_dictionary(organization, "brand", modes=QP, created_by=Actor.for_user(boss))

    assert (
        "(Revision 1 of pronunciation dictionary brand is your own change: another reviewer "
        "must approve or reject it.)" in _page(boss)
    )


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_viewers_and_editors_get_no_waiting_section(organization: Organization, role: str) -> None:
    organization_configure(organization=organization, review_required=True)
    make_dictionary(organization, "brand", modes=QP)

    page = _page(staff_user("linguist", organization, role))

    assert 'id="start-waiting-for-review"' not in page
    assert 'id="start-failing-checks"' in page


def test_nothing_waiting_is_an_empty_state(organization: Organization) -> None:
    make_dictionary(organization, "brand", modes=QP)  # review off: auto-approved
    page = _page(staff_user("rita", organization, Role.REVIEWER))
    assert "Nothing waits for review." in page
    assert "No dictionary fails its checks." in page


def test_failing_checks_lists_live_dictionaries_whose_current_revision_fails(
    organization: Organization, other_organization: Organization
) -> None:
    make_dictionary(organization, "brand", modes=QP, checks=FAILING)
    make_dictionary(organization, "fixed", modes=QP, checks=[FAILING[1]])
    dictionary_update(organization=organization, name="fixed", checks=[FAILING[0]], partial=True)
    make_dictionary(organization, "gone", modes=QP, checks=[FAILING[1]])
    dictionary_delete(organization=organization, name="gone")
    make_dictionary(other_organization, "zq-secret", modes=QP, checks=[FAILING[1]])

    page = _section(_page(staff_user("reader", organization, Role.VIEWER)), "start-failing-checks")

    assert page.count('class="failing-checks"') == 1
    assert ">brand</a>" in page
    assert "1 of 2" in page
    assert "&#x27;QPs&#x27;: expected &#x27;cue pees&#x27;, got &#x27;QPs&#x27;" in page
    assert "zq-secret" not in page
    assert ">gone</a>" not in page
    assert ">fixed</a>" not in page


def test_the_sections_cost_the_same_queries_for_any_number_of_dictionaries(
    organization: Organization, django_assert_max_num_queries: Any
) -> None:
    organization_configure(organization=organization, review_required=True)
    rita = staff_user("rita", organization, Role.REVIEWER)
    client = Client()
    client.force_login(rita)
    make_dictionary(organization, "brand", modes=QP, checks=FAILING)
    with django_assert_max_num_queries(30) as few:
        client.get("/admin/")

    for i in range(20):
        make_dictionary(organization, f"more-{i}", modes=QP, checks=FAILING)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/admin/").content.decode()
    assert '<span class="start-count" id="waiting-count">21</span>' in page
    assert "Showing the 20 most recently changed; 1 more." in page
