"""Issue 14 item 5: the admin's Review page. Proposed revisions of the user's organizations only,
each against the approved revision, decided through the review service by a reviewer who is not
the author; read-only for viewers and editors; a stale page's approval is refused with the
service's message; a fixed number of queries."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from orgs.actors import Actor
from orgs.models import Organization, Role
from orgs.services import organization_configure
from pronunciations.models import Dictionary, ReviewState
from pronunciations.services import dictionary_delete, dictionary_update
from tests.factories import make_dictionary, make_target, staff_user

pytestmark = pytest.mark.django_db

PAGE = "/admin/pronunciations/dictionary/review/"
DECIDE = "/admin/pronunciations/dictionary/review/decide/"
QP = {"rewrite": {"rules": [{"match": "QP", "replace": "cue pee"}]}}
CUBE = {"rewrite": {"rules": [{"match": "QubePay", "replace": "cube pay"}]}}
QUEUE = {"rewrite": {"rules": [{"match": "QubePay", "replace": "queue pay"}]}}


@pytest.fixture
def reviewed(organization: Organization) -> Organization:
    return organization_configure(organization=organization, review_required=True)


@pytest.fixture
def author(organization: Organization) -> User:
    return staff_user("asha", organization, Role.EDITOR)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _as(user: User) -> Actor:
    return Actor.for_user(user)


def _proposed(organization: Organization, user: User, *versions: dict[str, Any]) -> Dictionary:
    """brand, created with QP by ``user`` (approved with review off, when it is), then one
    update per version by ``user``, each commented."""
    dictionary = make_dictionary(organization, "brand", modes=QP, created_by=_as(user))
    for i, modes in enumerate(versions, start=2):
        dictionary_update(
            organization=organization,
            name="brand",
            modes=modes,
            author=_as(user),
            comment=f"change {i}",
        )
    dictionary.refresh_from_db()
    return dictionary


def _approved_first(organization: Organization, user: User, *versions: dict[str, Any]) -> Any:
    """Revision 1 made with review off (auto), then review on and the versions proposed."""
    dictionary = make_dictionary(organization, "brand", modes=QP, created_by=_as(user))
    organization_configure(organization=organization, review_required=True)
    for i, modes in enumerate(versions, start=2):
        dictionary_update(
            organization=organization, name="brand", modes=modes, author=_as(user), comment=f"c{i}"
        )
    dictionary.refresh_from_db()
    return dictionary


def _states(dictionary: Dictionary) -> dict[int, str]:
    return dict(dictionary.revisions.values_list("number", "review_state"))


def _decide(
    client: Client, dictionary: Dictionary, number: int, decision: str, **extra: str
) -> Any:
    data = {"dictionary": dictionary.pk, "number": number, "decision": decision, **extra}
    return client.post(DECIDE, data, follow=True)


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# -- what the page shows ------------------------------------------------------------------------


def test_a_reviewer_sees_each_proposal_against_the_approved_revision_with_its_checks(
    organization: Organization, author: User
) -> None:
    dictionary = _approved_first(organization, author, CUBE)
    dictionary_update(
        organization=organization,
        name="brand",
        checks=[{"text": "Pay with QubePay", "expect": "Pay with cube pay"}],
        partial=True,
        author=_as(author),
        comment="a check",
    )
    reviewer = staff_user("rita", organization, Role.REVIEWER)

    page = _client(reviewer).get(PAGE).content.decode()

    # Revision 3 superseded revision 2: only the newest waits.
    assert 'id="review-count">1<' in page
    assert f'id="proposal-{dictionary.pk}-3"' in page
    assert f'id="proposal-{dictionary.pk}-2"' not in page
    assert 'Proposed by <strong class="review-author">asha</strong>' in page
    assert "a check" in page
    assert "Compared with revision 1, the approved one" in page
    assert "+ rewrite: QubePay → cube pay" in page
    assert "− rewrite: QP → cue pee" in page
    assert "+ check: Pay with QubePay ⇒ Pay with cube pay" in page
    assert "Checks: 1 of 1 pass" in page
    assert page.count('class="button default review-approve"') == 1


def test_viewers_and_editors_see_the_page_read_only(reviewed: Organization, author: User) -> None:
    _proposed(reviewed, author)
    for user in (author, staff_user("reader", reviewed, Role.VIEWER)):
        page = _client(user).get(PAGE).content.decode()
        assert 'id="review-read-only"' in page
        assert "Approving or rejecting a change needs the reviewer or admin role in Acme;" in page
        assert "review-approve" not in page
        assert "review-reject" not in page


def test_the_page_lists_only_the_users_organizations(
    reviewed: Organization, other_organization: Organization, author: User
) -> None:
    _proposed(reviewed, author)
    organization_configure(organization=other_organization, review_required=True)
    make_dictionary(other_organization, "zq-secret", modes=QP)
    outsider = staff_user("outsider", other_organization, Role.ADMIN)

    page = _client(outsider).get(PAGE).content.decode()

    assert "zq-secret" in page
    assert "brand —" not in page


def test_a_user_without_an_organization_cannot_open_the_page(organization: Organization) -> None:
    assert _client(staff_user("nobody", None, Role.VIEWER)).get(PAGE).status_code == 403


def test_own_change_offers_only_withdraw_and_says_why(reviewed: Organization) -> None:
    admin = staff_user("boss", reviewed, Role.ADMIN)
    _proposed(reviewed, admin)

    page = _client(admin).get(PAGE).content.decode()

    assert "is your own change: another reviewer must approve or reject it." in page
    assert "review-approve" not in page
    assert "review-reject" not in page
    assert "review-withdraw" in page  # issue 23 item 1: the author may withdraw it instead


def test_failing_checks_keep_approve_away_but_reject_is_offered(
    reviewed: Organization, author: User
) -> None:
    make_dictionary(
        reviewed,
        "brand",
        modes=QP,
        created_by=_as(author),
        checks=[{"text": "QubePays", "expect": "cube pays"}],
    )
    page = _client(staff_user("rita", reviewed, Role.REVIEWER)).get(PAGE).content.decode()

    assert (
        "cannot be approved: 1 of its checks fail. Fix the rules or the checks in a new "
        "revision and approve that one." in page
    )
    assert "review-approve" not in page
    assert "review-reject" in page
    assert "✗ fails" in page


def test_a_deletion_waits_on_the_page_as_a_deletion(reviewed: Organization, author: User) -> None:
    dictionary = _proposed(reviewed, author)
    dictionary_delete(organization=reviewed, name="brand", author=_as(author))

    page = _client(staff_user("rita", reviewed, Role.REVIEWER)).get(PAGE).content.decode()

    assert f'id="proposal-{dictionary.pk}-2"' in page
    assert "brand (deleted) — revision 2: deleted" in page
    assert "Deletes the dictionary." in page


def test_listen_is_offered_for_changed_rules_where_a_target_speaks(
    organization: Organization, author: User
) -> None:
    dictionary = _approved_first(organization, author, CUBE)
    reviewer = _client(staff_user("rita", organization, Role.REVIEWER))
    assert "review-listen-button" not in reviewer.get(PAGE).content.decode()

    make_target(organization)
    page = reviewer.get(PAGE).content.decode()

    assert f'data-listen-url="/admin/pronunciations/dictionary/{dictionary.pk}/speak/"' in page
    assert 'data-text="QubePay"' in page


def test_the_page_costs_the_same_queries_for_one_proposal_or_many(
    organization: Organization,
    other_organization: Organization,
    author: User,
    django_assert_max_num_queries: Any,
) -> None:
    reviewer = staff_user("rita", organization, Role.REVIEWER)
    client = _client(reviewer)
    make_target(organization)
    _approved_first(organization, author, CUBE)
    with django_assert_max_num_queries(9) as one:
        assert client.get(PAGE).status_code == 200

    for i in range(12):
        make_dictionary(organization, f"more-{i}", modes=QP, created_by=_as(author))
        dictionary_update(organization=organization, name=f"more-{i}", modes=CUBE)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(PAGE).status_code == 200


# -- deciding ------------------------------------------------------------------------------------


def test_a_reviewer_approves_with_a_comment_and_older_proposals_are_superseded(
    organization: Organization, author: User
) -> None:
    dictionary = _approved_first(organization, author, CUBE, QUEUE)
    client = _client(staff_user("rita", organization, Role.REVIEWER))

    done = _decide(client, dictionary, 3, ReviewState.APPROVED, comment="heard it on staging")

    assert _messages(done) == ["Approved revision 3 of brand."]
    assert _states(dictionary) == {1: "auto", 2: "superseded", 3: "approved"}
    approved = dictionary.revisions.get(number=3)
    assert (approved.reviewed_by, approved.review_comment) == ("rita", "heard it on staging")
    assert "Nothing waits for review." in done.content.decode()


def test_a_stale_page_cannot_approve_a_superseded_revision(
    organization: Organization, author: User
) -> None:
    dictionary = _approved_first(organization, author, CUBE)
    first = _client(staff_user("rita", organization, Role.REVIEWER))
    assert f'id="proposal-{dictionary.pk}-2"' in first.get(PAGE).content.decode()

    # Meanwhile the author changes the dictionary again: revision 3 supersedes revision 2.
    dictionary_update(organization=organization, name="brand", modes=QUEUE, author=_as(author))
    stale = _decide(first, dictionary, 2, ReviewState.APPROVED)

    assert _messages(stale) == [
        "Revision 2 of pronunciation dictionary brand is not its newest: revision 3 is. Only "
        "the newest revision can be approved; review revision 3."
    ]
    assert _states(dictionary) == {1: "auto", 2: "superseded", 3: "proposed"}


def test_the_author_withdraws_a_proposal_from_the_page(
    reviewed: Organization, author: User
) -> None:
    """Issue 23 item 1: withdraw in the admin; nobody else may withdraw it."""
    dictionary = _proposed(reviewed, author)
    other = _client(staff_user("rita", reviewed, Role.REVIEWER))

    refused = _decide(other, dictionary, 1, "withdraw")
    done = _decide(_client(author), dictionary, 1, "withdraw", comment="wrong dictionary")

    assert _messages(refused) == [
        "Only its author (asha) can withdraw revision 1 of pronunciation dictionary brand."
    ]
    assert _messages(done) == ["Withdrew revision 1 of brand."]
    assert _states(dictionary) == {1: "withdrawn"}
    withdrawn = dictionary.revisions.get(number=1)
    assert (withdrawn.reviewed_by, withdrawn.review_comment) == ("asha", "wrong dictionary")
    assert "Nothing waits for review." in done.content.decode()


def test_own_change_is_refused_even_when_posted(reviewed: Organization) -> None:
    admin = staff_user("boss", reviewed, Role.ADMIN)
    dictionary = _proposed(reviewed, admin)

    refused = _decide(_client(admin), dictionary, 1, ReviewState.APPROVED)

    assert _messages(refused) == [
        "Revision 1 of pronunciation dictionary brand is your own change: another reviewer must "
        "approve or reject it."
    ]
    assert _states(dictionary) == {1: "proposed"}


def test_an_editor_posting_a_decision_is_refused(reviewed: Organization, author: User) -> None:
    dictionary = _proposed(reviewed, staff_user("other", reviewed, Role.EDITOR))

    refused = _decide(_client(author), dictionary, 1, ReviewState.APPROVED)

    assert _messages(refused) == [
        "Approving or rejecting a change needs the reviewer or admin role in Acme; asha has editor."
    ]
    assert _states(dictionary) == {1: "proposed"}


def test_a_rejection_needs_a_comment_and_failing_checks_are_named_in_words(
    reviewed: Organization, author: User
) -> None:
    dictionary = make_dictionary(
        reviewed,
        "brand",
        modes=QP,
        created_by=_as(author),
        checks=[{"text": "QubePays", "expect": "cube pays"}],
    )
    client = _client(staff_user("rita", reviewed, Role.REVIEWER))

    no_comment = _decide(client, dictionary, 1, ReviewState.REJECTED)
    failing = _decide(client, dictionary, 1, ReviewState.APPROVED)
    rejected = _decide(client, dictionary, 1, ReviewState.REJECTED, comment="say it cube pay")

    assert _messages(no_comment) == [
        "The comment was refused: a rejection needs a comment saying why."
    ]
    assert _messages(failing) == [
        "Revision 1 of pronunciation dictionary brand cannot be approved: 1 of its checks fail. "
        "Fix the rules or the checks in a new revision and approve that one. 'QubePays': "
        "expected 'cube pays', got 'QubePays'"
    ]
    assert _messages(rejected) == ["Rejected revision 1 of brand."]
    assert _states(dictionary) == {1: "rejected"}


def test_a_deletion_is_approved_from_the_page(reviewed: Organization, author: User) -> None:
    dictionary = _proposed(reviewed, author)
    dictionary_delete(organization=reviewed, name="brand", author=_as(author))

    done = _decide(_client(staff_user("rita", reviewed, Role.REVIEWER)), dictionary, 2, "approved")

    assert _messages(done) == ["Approved revision 2 of brand."]
    assert _states(dictionary) == {1: "superseded", 2: "approved"}


def test_another_organizations_dictionary_cannot_be_decided(
    reviewed: Organization, other_organization: Organization
) -> None:
    organization_configure(organization=other_organization, review_required=True)
    secret = make_dictionary(other_organization, "zq-secret", modes=QP)

    response = _client(staff_user("rita", reviewed, Role.REVIEWER)).post(
        DECIDE, {"dictionary": secret.pk, "number": 1, "decision": "approved"}
    )

    assert response.status_code == 404
    assert _states(secret) == {1: "proposed"}


@pytest.mark.parametrize(
    "data",
    [
        {"dictionary": "x", "number": 1, "decision": "approved"},
        {"dictionary": 1, "number": "0", "decision": "approved"},
        {"dictionary": 1, "number": 1, "decision": "auto"},
    ],
)
def test_a_malformed_decision_is_a_400(reviewed: Organization, data: dict[str, Any]) -> None:
    client = _client(staff_user("rita", reviewed, Role.REVIEWER))
    assert client.post(DECIDE, data).status_code == 400


def test_deciding_is_a_post(reviewed: Organization) -> None:
    client = _client(staff_user("rita", reviewed, Role.REVIEWER))
    assert client.get(DECIDE).status_code == 403
